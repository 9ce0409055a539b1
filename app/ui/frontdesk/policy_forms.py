"""The policy form and the verification form."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from app.services import payers, policies, verification
from app.services.policies import RANK_LABELS, PolicyInput, PolicySummary
from app.services.verification import METHOD_LABELS, RESULT_LABELS, VerificationInput
from app.ui import ops
from app.ui.context import UiContext
from app.ui.frontdesk.common import FormDialog
from app.ui.frontdesk.patient_form import SEX_ITEMS

RELATIONSHIPS = [("Self", "self"), ("Spouse", "spouse"), ("Child", "child"), ("Other", "other")]


class PolicyForm(FormDialog):
    """Add (``policy_id`` None) or edit a policy of ``patient_id``."""

    saved = Signal(int)

    def __init__(
        self,
        ctx: UiContext,
        patient_id: int,
        banner: str,
        policy_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Edit policy" if policy_id else "Add policy", parent)
        self.setObjectName("policyForm")
        self.ctx = ctx
        self.patient_id = patient_id
        self.policy_id = policy_id
        self.banner.setText(banner)
        self.banner.show()
        rows = ops.query(self, ctx, payers.list_payers, include_inactive=False)
        payer_items = [("", None)] + (
            [(p.name, p.id) for p in rows] if isinstance(rows, list) else []
        )
        f = self.fields
        f.section("Coverage")
        self.payer = f.combo("payer_id", "&Payer", payer_items)
        if policy_id is None:
            f.combo(
                "rank",
                "Order",
                [("Next free place", None)] + [(v, k) for k, v in RANK_LABELS.items()],
            )
        f.line("member_id", "&Member ID", width=40)
        f.line("group_number", "Group number", width=40)
        f.line("plan_name", "Plan name", width=80)
        self.relationship = f.combo("relationship", "Patient is the insured's", RELATIONSHIPS)
        f.section("Subscriber (the insured), when not the patient")
        f.line("subscriber_last_name", "Last name", width=60)
        f.line("subscriber_first_name", "First name", width=60)
        f.line("subscriber_middle_name", "Middle name", width=60)
        f.date("subscriber_dob", "Date of birth")
        f.combo("subscriber_sex", "Sex", SEX_ITEMS)
        f.line("subscriber_phone", "Phone", placeholder="(555) 123-4567")
        f.line(
            "subscriber_address1",
            "Street",
            width=120,
            placeholder="blank: same as the patient",
            span=True,
        )
        f.line("subscriber_city", "City", width=60)
        f.line("subscriber_state", "State", width=2)
        f.line("subscriber_zip", "ZIP", width=10)
        f.section("Dates and amounts")
        f.date("effective_date", "Effective date")
        f.date("end_date", "End date")
        f.line("copay", "Copay", placeholder="25.00")
        f.line("deductible", "Deductible", placeholder="1000.00")
        f.line("coinsurance_pct", "Coinsurance %", placeholder="20")
        self.relationship.currentIndexChanged.connect(self._subscriber_fields)
        if policy_id is not None:
            data = ops.query(self, ctx, policies.policy_input, policy_id)
            if isinstance(data, PolicyInput):
                for name in f.widgets:
                    value = getattr(data, name)
                    f.set(name, "" if value is None else value)
        self._subscriber_fields()
        self.finish_fields()
        self.payer.setFocus()

    def _subscriber_fields(self) -> None:
        is_self = self.relationship.currentData() == "self"
        for name, w in self.fields.widgets.items():
            if name.startswith("subscriber_"):
                w.setEnabled(not is_self)

    def input(self) -> PolicyInput:
        f = self.fields
        values: dict[str, object] = {n: f.value(n) for n in f.widgets}
        payer = self.payer.currentData()
        values["payer_id"] = int(payer) if payer is not None else None
        if "rank" in values:
            rank = f.widgets["rank"]
            assert isinstance(rank, QComboBox)
            values["rank"] = rank.currentData()
        return PolicyInput(**values)  # type: ignore[arg-type]

    def save(self) -> bool:
        data = self.input()
        self.clear_problems()
        if self.policy_id is None:
            result = ops.run(
                self,
                self.ctx,
                policies.add_policy,
                self.patient_id,
                data,
                on_invalid=self.show_problems,
                changed="policies",
            )
        else:
            result = ops.run(
                self,
                self.ctx,
                policies.update_policy,
                self.policy_id,
                data,
                on_invalid=self.show_problems,
                changed="policies",
            )
            if not isinstance(result, ops.Failed):
                result = self.policy_id
        if isinstance(result, ops.Failed):
            return False
        self.saved.emit(int(result))  # type: ignore[arg-type]
        return True


class VerificationDialog(FormDialog):
    """Record a verification of one policy, made now by the signed-in user."""

    saved = Signal(int)

    def __init__(
        self,
        ctx: UiContext,
        policy: PolicySummary,
        banner: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Record a coverage verification", parent)
        self.setObjectName("verificationDialog")
        self.ctx = ctx
        self.policy = policy
        self.banner.setText(banner)
        self.banner.show()
        f = self.fields
        f.section(
            f"{policy.order} policy: {policy.payer}, member {policy.member_id}"
            f"  (verified by {ctx.actor.full_name}, now)"
        )
        f.combo(
            "method",
            "&How",
            [("", "")] + [(v, k.value) for k, v in METHOD_LABELS.items()],
        )
        f.combo(
            "result",
            "&Result",
            [("", "")] + [(v, k.value) for k, v in RESULT_LABELS.items()],
        )
        f.line("representative", "Representative", width=80)
        f.line("reference_no", "Reference number", width=60)
        f.date("coverage_start", "Coverage from")
        f.date("coverage_end", "Coverage to")
        f.line("copay", "Copay", placeholder="25.00")
        f.line("coinsurance_pct", "Coinsurance %", placeholder="20")
        f.line("deductible", "Deductible", placeholder="1000.00")
        f.line("deductible_met", "Deductible met", placeholder="250.00")
        f.line("out_of_pocket_remaining", "Out-of-pocket remaining", placeholder="3000.00")
        f.text("notes", "Notes")
        hint = QLabel(
            "Phone: the representative and reference number are required. "
            "Portal: the reference number."
        )
        hint.setStyleSheet("color: #546e7a;")
        self.fields.grid.addWidget(hint, self.fields.grid.rowCount(), 0, 1, 4)
        self.finish_fields()
        f.widgets["method"].setFocus()

    def input(self) -> VerificationInput:
        f = self.fields
        return VerificationInput(**{n: f.value(n) for n in f.widgets})

    def save(self) -> bool:
        self.clear_problems()
        result = ops.run(
            self,
            self.ctx,
            verification.record_verification,
            self.policy.id,
            self.input(),
            on_invalid=self.show_problems,
            changed="verifications",
        )
        if isinstance(result, ops.Failed):
            return False
        self.saved.emit(result.id)
        return True
