"""One office day, end to end, told as the office lives it (with the network
blocked the whole time).

Maple Street Family Medicine opens its books on a fresh encrypted store. On
Tuesday, March 3, 2026 Marisol Vega comes in for the first time: the
receptionist registers her with her own plan (Prairie Health Plan, primary)
and her husband's (Heartland Mutual, secondary), verifies both by phone,
books her 10:00 visit, checks her in through the coverage gate and takes
her 30.00 copay in cash. The biller codes the visit, makes the claim, runs
the check and prints the CMS-1500. Two weeks later Prairie's EOB comes; the
biller posts it, makes and prints the secondary claim to Heartland, and
posts Heartland's EOB a week after; what is left is Marisol's, less the
copay she paid at check-in. Her statement says 8.00; she mails a check.
On April 2 the office manager reviews March, saves its totals as PDF, CSV
and XLSX, and closes it; a payment dated in March is then refused.

The money, line by line (charges 180.00):

=========  ======  =======  ====  ====  =====  ===========  ====  =========
line       charge  allowed  paid  copay coins  contractual  2nd   patient
=========  ======  =======  ====  ====  =====  ===========  ====  =========
99214      165.00  120.00   72.00 30.00 18.00  45.00        10.00 38.00
36415       15.00   10.00    8.00  -     2.00   5.00         2.00  0.00
=========  ======  =======  ====  ====  =====  ===========  ====  =========

Prairie pays 80.00 and moves 50.00 to Heartland; Heartland pays 12.00 and
moves 38.00 (the copay and 8.00 of coinsurance) to Marisol, whose 30.00
check-in copay is applied, leaving 8.00.

Every step is driven through the screens a person would use (the main
window's work areas, by keyboard where the screen supports it); the set-up
of the practice and its staff goes through the set-up services (the wizard
and the staff screen have their own screen tests). Each step asserts on
what was stored, on what the printed PDFs and the exports say, and on the
audit rows it wrote.

The program's screens read the computer's clock; ``clock`` (see
``tests/e2e/clock.py``) sets it to each moment of the story.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from app.models.claims import Claim, ClaimEvent, ClaimLine, ClaimStatus
from app.models.coding import Encounter, EncounterDiagnosis, EncounterStatus, ServiceLine
from app.models.insurance import Policy, Verification
from app.models.ledger import EntryKind, LedgerEntry, MonthCloseEvent, Payment, PaymentMethod
from app.models.patient import Patient
from app.models.schedule import Appointment, AppointmentStatus, GateOutcome
from app.models.staff import Role
from app.models.statements import Statement
from app.services import audit, auth, fee_schedule, users
from app.services import office as office_service
from app.services.auth import Actor
from app.services.fee_schedule import FeeItemInput
from app.services.office import NewUserInput, PracticeInput, ProviderInput
from app.store.engine import Store
from app.ui.claims.printing import DATA_ONLY, FULL_FORM
from app.ui.coding.encounter_form import C_PTRS
from app.ui.payments.eob import C_ALLOWED, C_COINS, C_CONTR, C_COPAY, C_PAID
from tests.e2e import books
from tests.e2e.clock import OfficeClock
from tests.e2e.desk import CTRL, Desk, table_texts

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

D = Decimal
VISIT_DAY = date(2026, 3, 3)  # a Tuesday
NPI_PRACTICE = "1234567893"  # valid check digits (Luhn with prefix 80840)
NPI_PROVIDER = "1245319599"
PASSWORDS = {
    "manager": "maple-manager-2026",
    "biller": "maple-biller-2026",
    "reception": "maple-reception-2026",
}
# March's totals, as the office manager should see them on April 2.
MARCH = {
    "Charges": "180.00",
    "Insurance payments": "92.00",  # Prairie 80.00, Heartland 12.00
    "Patient payments": "38.00",  # the copay 30.00, her check 8.00
    "Total payments": "130.00",
    "Contractual adjustments": "50.00",
    "Write-offs": "0.00",
    "Total adjustments": "50.00",
    "Refunds": "0.00",
    "Transfers (net)": "0.00",
    "Net collections": "130.00",
    "A/R at start of month": "0.00",
    "A/R at end of month": "0.00",
    "A/R rolled forward": "0.00",
    "Visits": "1",
    "New patients": "1",
    "Claims made": "2",
    "Claims paid": "2",
    "Claims denied": "0",
    "Net (collections less expenses)": "130.00",
}


class Office:
    """The office's people, the test's tools, and what the day has made so
    far (ids), handed from one step to the next."""

    def __init__(self, qtbot, store: Store, tmp_path: Path, clock, dialogs, paper, monkeypatch):  # type: ignore[no-untyped-def]
        self.qtbot = qtbot
        self.store = store
        self.data_dir = tmp_path / "data"
        self.saved = tmp_path / "saved"  # where people save files ("Save as...")
        self.saved.mkdir()
        self.clock: OfficeClock = clock
        self.dialogs = dialogs
        self.paper = paper
        self.monkeypatch: pytest.MonkeyPatch = monkeypatch
        self.manager: Actor
        self.biller: Actor
        self.receptionist: Actor
        self.provider_id = 0
        self.payers: dict[str, int] = {}
        self.patient_id = 0
        self.policies: dict[str, int] = {}
        self.appointment_id = 0
        self.copay_payment_id = 0
        self.claims: dict[str, int] = {}

    def desk(self, actor: Actor) -> Desk:
        return Desk(self.qtbot, self.store, self.data_dir, actor)

    def audit_mark(self) -> None:
        """Remember where the audit log is: ``audit_since`` lists what comes after."""
        with self.store.read_session() as s:
            self._mark = books.last_audit_id(s)

    def audit_since(self) -> list[tuple[str, str]]:
        with self.store.read_session() as s:
            return books.audit_actions(s, self._mark)

    def assert_audited(self, user: str, *actions: str) -> None:
        """Since the mark, every audit row is ``user``'s, and ``actions``
        appear among them in this order (views repeated by a screen's
        reload may come in between)."""
        rows = self.audit_since()
        assert {u for u, _ in rows} == {user}, rows
        assert books.in_order(actions, [a for _, a in rows]), rows


def test_an_office_day_from_registration_to_month_close(
    qtbot, store, tmp_path, clock, no_network, dialogs, paper, monkeypatch, icd_dir
) -> None:
    office = Office(qtbot, store, tmp_path, clock, dialogs, paper, monkeypatch)
    open_the_office(office)
    register_the_patient(office)
    check_in_and_take_the_copay(office)
    code_the_visit_and_print_the_claim(office)
    post_the_primary_eob(office)
    make_and_print_the_secondary_claim(office)
    post_the_secondary_eob_and_apply_the_copay(office)
    print_the_statement(office)
    the_patient_pays_the_rest(office)
    close_the_month(office)
    a_payment_dated_in_march_is_refused(office)

    # The audit log: every row of the day still chained, nothing changed or cut.
    with store.read_session() as s:
        report = audit.verify(s)
        assert report.ok, report.message
        done = {a for _, a in books.audit_actions(s)}
    assert {
        "patient_registered",
        "patient_viewed",
        "coverage_verified",
        "patient_checked_in",
        "payment_received",
        "receipt_printed",
        "receipt_saved",
        "encounter_coded",
        "claim_created",
        "claims_saved_pdf",
        "eob_posted",
        "credit_applied",
        "statement_printed",
        "report_exported",
        "month_closed",
    } <= done
    # No file the program wrote is named for the patient.
    assert not [p for p in tmp_path.rglob("*") if "vega" in p.name.lower()]
    assert no_network.attempts == []


# --------------------------------------------------------------------- set-up


def open_the_office(office: Office) -> None:
    """Monday: the practice is set up (the wizard's service), the manager adds
    the biller and the receptionist (the staff screen's service), each logs
    in and chooses their own password; the biller types in the two payers
    on the Payers tab and the fee schedule's prices (its service)."""
    qtbot, clock = office.qtbot, office.clock
    clock.set(datetime(2026, 3, 2, 8, 0))
    with office.store.unit_of_work() as s:
        office.manager = office_service.set_up_office(
            s,
            PracticeInput(
                name="Maple Street Family Medicine",
                address1="120 Maple Street",
                city="Springfield",
                state="IL",
                zip="62701",
                phone="(217) 555-0100",
                ein="37-1234567",
                billing_npi=NPI_PRACTICE,
                taxonomy="207Q00000X",
            ),
            [
                ProviderInput(
                    last_name="Okafor",
                    first_name="Adaeze",
                    credentials="MD",
                    npi=NPI_PROVIDER,
                    taxonomy="207Q00000X",
                )
            ],
            NewUserInput(
                username="manager",
                full_name="Helen Park",
                password=PASSWORDS["manager"],
                password_again=PASSWORDS["manager"],
            ),
            key_kept="keyring",
            recovery_printed=True,
        )
        office.provider_id = office_service.providers(s)[0].id
        for username, name, role in (
            ("biller", "Tom Reyes", Role.BILLER),
            ("reception", "Nora Quinn", Role.RECEPTIONIST),
        ):
            users.add_user(
                s,
                office.manager,
                NewUserInput(username, name, role, "temporary-pass", "temporary-pass"),
            )
    actors = {}
    for username in ("biller", "reception"):
        with office.store.unit_of_work() as s:
            actor = auth.login(s, username, "temporary-pass")
            assert isinstance(actor, Actor), actor
            users.change_own_password(
                s, actor, "temporary-pass", PASSWORDS[username], PASSWORDS[username]
            )
            assert not users.must_change_password(s, actor)
            actors[username] = actor
    office.biller, office.receptionist = actors["biller"], actors["reception"]

    # The biller types in the payers (Front desk > Payers > Add payer; Enter saves).
    desk = office.desk(office.biller)
    page = desk.area("frontdesk")
    page.tabs.setCurrentWidget(page.payers)
    for name, code, phone, box, city, zip_code in (
        ("Prairie Health Plan", "PHP01", "800 555 0199", "PO Box 4000", "Chicago", "60601"),
        ("Heartland Mutual", "HMI22", "800 555 0142", "PO Box 812", "Peoria", "61602"),
    ):
        qtbot.mouseClick(page.payers.add_button, Qt.MouseButton.LeftButton)
        form = page.payers.form
        assert form is not None
        qtbot.waitUntil(form.isVisible)
        desk.fill(
            form,
            ("name", name),
            ("payer_code", code),
            ("program", ""),  # Group health plan (the default)
            ("timely_filing_days", "180"),
            ("phone", phone),
            ("address1", box),
            ("address2", ""),
            ("city", city),
            ("state", "IL"),
        )
        desk.type(form, zip_code)
        desk.press(form, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda form=form: not form.isVisible())
    rows = page.payers.model.rows
    assert [(r.name, r.payer_code, r.program_label, r.timely_filing_days) for r in rows] == [
        ("Heartland Mutual", "HMI22", "Group health plan", 180),
        ("Prairie Health Plan", "PHP01", "Group health plan", 180),
    ]
    office.payers = {r.name.split()[0]: r.id for r in rows}
    desk.leave()

    # The fee schedule's prices (the biller's fee schedule service).
    with office.store.unit_of_work() as s:
        for code, text, price in (
            ("99214", "Office visit, established patient, moderate complexity", "165.00"),
            ("99213", "Office visit, established patient, low complexity", "115.00"),
            ("36415", "Drawing blood from a vein", "15.00"),
        ):
            fee_schedule.save_item(s, office.biller, FeeItemInput(code, text, price))
        assert books.audit_actions(s) == [
            ("manager", "office_set_up"),
            ("manager", "login"),
            ("manager", "user_added"),
            ("manager", "user_added"),
            ("biller", "login"),
            ("biller", "password_changed"),
            ("reception", "login"),
            ("reception", "password_changed"),
            ("biller", "payer_added"),
            ("biller", "payer_added"),
            ("biller", "fee_item_added"),
            ("biller", "fee_item_added"),
            ("biller", "fee_item_added"),
        ]


# --------------------------------------------------------------------- 1. front desk


def register_the_patient(office: Office) -> None:
    """Tuesday 8:30: the receptionist registers Marisol Vega by keyboard,
    adds her two policies and records the phone verification of each (the
    gate needs the primary's; the secondary claim's check needs the
    secondary's for the date of service)."""
    qtbot, clock, dialogs = office.qtbot, office.clock, office.dialogs
    clock.set(datetime(2026, 3, 3, 8, 30))
    office.audit_mark()
    desk = office.desk(office.receptionist)
    page = desk.area("frontdesk")
    assert desk.focus(page) is page.search.box  # the front desk opens on the search box
    desk.press(page, Qt.Key.Key_N, CTRL)
    form = page.patient_form
    assert form is not None
    qtbot.waitUntil(form.isVisible)
    desk.fill(
        form,
        ("last_name", "Vega"),
        ("first_name", "Marisol"),
        ("middle_name", "Ana"),
        ("suffix", ""),
        ("dob", "04/22/1968"),
        ("sex", "F"),
        ("address1", "88 Linden Avenue"),
        ("address2", ""),
        ("city", "Springfield"),
        ("state", "IL"),
        ("zip", "62704"),
        ("phone_home", "217 555 0164"),
        ("phone_mobile", ""),
        ("phone_work", ""),
        ("email", ""),
        ("marital_status", "M"),
        ("employment_status", "E"),
        ("ssn", ""),
        ("preferred_language", "English"),
        ("emergency_name", "Daniel Vega"),
        ("emergency_relationship", "spouse"),
        ("emergency_phone", "217 555 0165"),
        ("guarantor_is_patient", ""),  # she pays her own bills (left ticked)
        ("signature_on_file", "03/03/2026"),
        ("insured_signature_on_file", "03/03/2026"),
        ("privacy_notice_ack", "03/03/2026"),
        ("date_of_death", ""),
    )
    assert desk.focus(form).objectName() == "notes"
    desk.press(form, Qt.Key.Key_Return, CTRL)  # Ctrl+Enter saves, also from the notes
    qtbot.waitUntil(lambda: not form.isVisible())
    assert page.view.banner.text() == "Vega, Marisol A.   Account 100001   DOB 04/22/1968"
    assert page.view.badge.text() == "Self-pay"

    # F3: her insurance. Ctrl+N adds her own plan, then her husband's.
    desk.press(desk.window, Qt.Key.Key_F3)
    screen = page.policy_screen
    assert screen is not None
    qtbot.waitUntil(screen.isVisible)
    desk.press(screen, Qt.Key.Key_N, CTRL)
    pform = screen.form
    qtbot.waitUntil(pform.isVisible)
    desk.fill(
        pform,
        ("payer_id", "Pr"),
        ("rank", ""),
        ("member_id", "PHP448120931"),
        ("group_number", "G-2231"),
        ("plan_name", "PPO Gold"),
        ("relationship", ""),  # Self
        ("effective_date", "01/01/2026"),
        ("end_date", ""),
        ("copay", "30.00"),
        ("deductible", "500"),
    )
    desk.type(pform, "20")  # coinsurance %
    desk.press(pform, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not pform.isVisible())
    desk.press(screen, Qt.Key.Key_N, CTRL)
    pform2 = screen.form
    qtbot.waitUntil(pform2.isVisible)
    desk.fill(
        pform2,
        ("payer_id", "He"),
        ("rank", ""),
        ("member_id", "HM88120"),
        ("group_number", "G-77"),
        ("plan_name", ""),
        ("relationship", "Sp"),
        ("subscriber_last_name", "Vega"),
        ("subscriber_first_name", "Daniel"),
        ("subscriber_middle_name", ""),
        ("subscriber_dob", "09/30/1965"),
        ("subscriber_sex", "M"),
        ("subscriber_phone", ""),
        ("subscriber_address1", ""),  # lives with her
        ("subscriber_city", ""),
        ("subscriber_state", ""),
        ("subscriber_zip", ""),
        ("effective_date", "01/01/2025"),
    )
    desk.press(pform2, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not pform2.isVisible())
    assert [(p.order, p.payer, p.coverage.label) for p in screen.policy_model.rows] == [
        ("Primary", "Prairie Health Plan", "Never verified"),
        ("Secondary", "Heartland Mutual", "Never verified"),
    ]

    # Ctrl+R on each row: the phone call to the payer.
    for row, rep, ref, copay in ((0, "Dana", "PHP-55120", "30.00"), (1, "Luis", "HM-3321", "")):
        screen.table.selectRow(row)
        desk.press(screen, Qt.Key.Key_R, CTRL)
        vd = screen.verify_dialog
        assert vd is not None
        qtbot.waitUntil(vd.isVisible)
        desk.fill(
            vd,
            ("method", "Ph"),
            ("result", "A"),
            ("representative", rep),
            ("reference_no", ref),
            ("coverage_start", ""),
            ("coverage_end", ""),
        )
        if copay:
            desk.type(vd, copay)
        desk.press(vd, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda vd=vd: not vd.isVisible())
    assert [p.coverage.label for p in screen.policy_model.rows] == ["Verified", "Verified"]
    desk.press(screen, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not screen.isVisible())
    assert page.view.badge.text() == "Prairie Health Plan: Verified"
    assert dialogs.take() == []

    # What was stored.
    with office.store.unit_of_work() as s:
        p = s.execute(select(Patient)).scalar_one()
        office.patient_id = p.id
        assert (p.account_no, p.last_name, p.first_name, p.dob) == (
            "100001",
            "Vega",
            "Marisol",
            date(1968, 4, 22),
        )
        assert p.signature_on_file == VISIT_DAY and p.guarantor_is_patient
        pols = s.execute(select(Policy).order_by(Policy.rank)).scalars().all()
        assert [(x.rank, x.payer_id, x.member_id, x.relationship.value) for x in pols] == [
            (1, office.payers["Prairie"], "PHP448120931", "self"),
            (2, office.payers["Heartland"], "HM88120", "spouse"),
        ]
        assert (pols[0].copay, pols[0].coinsurance_pct) == (D("30.00"), 20)
        assert (pols[1].subscriber_first_name, pols[1].subscriber_address1) == (
            "Daniel",
            "88 Linden Avenue",
        )
        office.policies = {"primary": pols[0].id, "secondary": pols[1].id}
        checks = s.execute(select(Verification).order_by(Verification.id)).scalars().all()
        assert [(v.policy_id, v.reference_no, v.verified_at.date()) for v in checks] == [
            (pols[0].id, "PHP-55120", VISIT_DAY),
            (pols[1].id, "HM-3321", VISIT_DAY),
        ]
        assert {v.verified_by for v in checks} == {office.receptionist.user_id}
    # A row for each view and change, by the receptionist.
    assert office.audit_since() == [
        ("reception", "patient_registered"),
        ("reception", "patient_viewed"),  # her record opens after saving
        ("reception", "policies_viewed"),  # F3
        ("reception", "policy_added"),
        ("reception", "policy_added"),
        ("reception", "coverage_verified"),
        ("reception", "coverage_verified"),
    ]
    desk.leave()


def check_in_and_take_the_copay(office: Office) -> None:
    """8:40 she is booked at 10:00 (F4 from her record); at 9:55 she checks
    in through the coverage gate, pays her 30.00 copay in cash, and gets her
    receipt (printed, and saved as a PDF on request)."""
    qtbot, clock, dialogs, paper = office.qtbot, office.clock, office.dialogs, office.paper
    clock.set(datetime(2026, 3, 3, 8, 40))
    office.audit_mark()
    desk = office.desk(office.receptionist)
    page = desk.area("frontdesk")
    # Ctrl+F, her name; Down into the results, Enter opens her record.
    desk.press(desk.window, Qt.Key.Key_F, CTRL)
    assert desk.focus(page) is page.search.box
    desk.type(page, "vega mar")
    qtbot.waitUntil(lambda: page.search.status.text() == "1 patient found.")
    assert [(h.account_no, h.name) for h in page.search.hits()] == [("100001", "Vega, Marisol A.")]
    desk.press(page, Qt.Key.Key_Down)
    desk.press(page, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.view.patient_id == office.patient_id)
    desk.press(desk.window, Qt.Key.Key_F4)
    aform = page.day_list.form
    assert aform is not None
    qtbot.waitUntil(aform.isVisible)
    assert "Account 100001" in aform.banner.text()
    desk.fill(
        aform,
        ("provider_id", ""),  # Dr. Okafor, the only provider
        ("day", ""),  # today is filled in
        ("start", "10:00"),
        ("minutes", ""),
        ("reason", "New patient: fatigue, blood pressure"),
    )
    assert desk.focus(aform).objectName() == "visit_type"
    desk.press(aform, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not aform.isVisible())
    day = page.day_list
    assert page.tabs.currentWidget() is day and day.day == VISIT_DAY
    row = day.current()
    assert (row.patient, row.time_text, row.badge, row.status_label) == (
        "Vega, Marisol A.",
        "10:00 AM",
        "Verified",
        "Scheduled",
    )
    office.appointment_id = row.id

    # 9:55: Enter on her row opens check-in; Enter checks in through the gate.
    clock.set(datetime(2026, 3, 3, 9, 55))
    assert desk.focus(day) is day.table  # the new visit, highlighted
    desk.press(day, Qt.Key.Key_Return)
    dlg = day.check_in_dialog
    assert dlg is not None
    qtbot.waitUntil(dlg.isVisible)
    assert dlg.state.text() == "Coverage is verified."
    desk.press(dlg, Qt.Key.Key_Return)
    qtbot.waitUntil(dlg.pay_box.isEnabled)
    assert dlg.state.text() == "Checked in (Verified)."
    assert dlg.due.text() == "Copay due $30.00"
    assert desk.focus(dlg) is dlg.amount and dlg.amount.text() == "30.00"
    desk.press(dlg, Qt.Key.Key_Return)  # cash, the amount due
    qtbot.waitUntil(lambda: dlg.payment is not None)
    office.copay_payment_id = dlg.payment.payment_id
    assert dlg.paid.text() == (
        f"Payment of $30.00 recorded (receipt R{office.copay_payment_id:07d})."
    )

    # Ctrl+P: the print dialog, then the printer (the test's PDF printer).
    desk.press(dlg, Qt.Key.Key_P, CTRL)
    paper.wait(qtbot)
    assert paper.titles == ["receipt"] and paper.pages() == 1
    receipt = paper.texts[0]
    for text in (
        "Maple Street Family Medicine",
        f"No. R{office.copay_payment_id:07d}",
        "Date 03/03/2026",
        "Received from Vega, Marisol A.",
        "Account number 100001",
        "Copay / payment for the visit 03/03/2026 10:00",
        "Paid by Cash",
        "Received by Nora Quinn",
        "Amount paid $30.00",
        "Credit on your account $30.00",
    ):
        assert text in receipt, text
    assert not paper.sources[0].exists()  # the print-only temp file is gone
    assert dlg.paid.text().endswith("Receipt sent to the printer.")
    # She asks for it by e-mail too: "Save receipt as..." (an audited export).
    saved = office.saved / "receipt.pdf"
    office.monkeypatch.setattr(
        "app.ui.frontdesk.checkin_dialog.choose_save_path", lambda _parent, _name: saved
    )
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert pdf_text(saved) == receipt
    desk.press(dlg, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dlg.isVisible())
    row = day.current()
    assert (row.status_label, row.paid) == ("Checked in", D("30.00"))
    assert dialogs.take() == []

    with office.store.unit_of_work() as s:
        a = s.get(Appointment, office.appointment_id)
        assert (a.status, a.gate_outcome, a.policy_id, a.day, a.start) == (
            AppointmentStatus.CHECKED_IN,
            GateOutcome.VERIFIED,
            office.policies["primary"],
            VISIT_DAY,
            time(10, 0),
        )
        pay = s.get(Payment, office.copay_payment_id)
        assert (pay.amount, pay.method, pay.received_date, pay.appointment_id) == (
            D("30.00"),
            PaymentMethod.CASH,
            VISIT_DAY,
            a.id,
        )
        # One entry: the copay is held as her credit until the visit is coded.
        assert books.owed_by_line(s, office.patient_id) == {"credit": {"patient": D("-30.00")}}
        assert [
            (e.kind, e.entry_date, e.service_line_id)
            for e in s.execute(select(LedgerEntry)).scalars()
        ] == [(EntryKind.PATIENT_PAYMENT, VISIT_DAY, None)]
    assert office.audit_since() == [
        ("reception", "patient_viewed"),
        ("reception", "appointment_booked"),
        ("reception", "patient_checked_in"),
        ("reception", "payment_received"),
        ("reception", "receipt_printed"),
        ("reception", "receipt_saved"),
    ]
    desk.leave()


# --------------------------------------------------------------------- 3. coding and the claim


def code_the_visit_and_print_the_claim(office: Office) -> None:
    """Tuesday afternoon: the biller opens the visit from the worklist, types
    the diagnoses (E11.9, I10) and the lines (99214 pointing at A and B,
    36415 at A), marks it coded (two charges posted to Prairie), makes the
    claim, runs the check and saves the CMS-1500 as PDF files: data only for
    the red forms, and the whole form on plain paper for the office's file."""
    qtbot, clock, dialogs = office.qtbot, office.clock, office.dialogs
    clock.set(datetime(2026, 3, 3, 14, 10))
    office.audit_mark()
    desk = office.desk(office.biller)
    desk.press(desk.window, Qt.Key.Key_2, CTRL)  # Go > Coding
    page = desk.window.pages.currentWidget()
    assert page is desk.area("coding")
    form = page.form
    rows = page.worklist.model.rows
    assert [(r.patient_name, r.day, r.kind) for r in rows] == [
        ("Vega, Marisol A.", VISIT_DAY, "appointment")
    ]
    # The worklist takes the keyboard once the area is shown; Enter opens the visit.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.worklist.table)
    desk.press(desk.window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is form)
    assert "Vega" in form.banner.text()
    assert form.policy.currentData() == office.policies["primary"]
    assert desk.focus(form) is form.dx_search.search

    for typed in ("e119", "essential hypertension"):  # by code, then by words
        desk.type(form, typed)
        desk.press(form, Qt.Key.Key_Return)
    assert form.dx_codes() == ["E11.9", "I10"]
    for code, pointers in (("99214", "AB"), ("36415", "A")):
        desk.press(form, Qt.Key.Key_P, CTRL)
        assert desk.focus(form) is form.proc_search
        desk.type(form, code)
        desk.press(form, Qt.Key.Key_Return)  # adds the line, on its pointers
        row = form.lines.currentRow()
        assert form.lines.currentColumn() == C_PTRS
        for ch in pointers:  # the first key opens the cell's editor
            desk.type(form, ch)
        desk.press(form, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda row=row, p=pointers: form.lines.item(row, C_PTRS).text() == p)
    qtbot.waitUntil(lambda: "Ready to mark coded" in form.summary.text())
    assert form.total.text() == "Total charges: 180.00"
    desk.press(form, Qt.Key.Key_Return, CTRL)  # mark coded
    qtbot.waitUntil(lambda: form.view is not None and form.view.is_coded)
    assert "2 charges posted, total 180.00, dated 03/03/2026" in form.status.text()
    desk.press(form, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.tabs.currentWidget() is page.worklist)
    assert page.worklist.model.rowCount() == 0

    with office.store.unit_of_work() as s:
        visit = s.execute(select(Encounter)).scalar_one()
        assert (visit.status, visit.date_of_service, visit.policy_id) == (
            EncounterStatus.CODED,
            VISIT_DAY,
            office.policies["primary"],
        )
        dx = s.execute(
            select(EncounterDiagnosis.position, EncounterDiagnosis.code).order_by(
                EncounterDiagnosis.position
            )
        ).all()
        assert [code for _, code in dx] == ["E11.9", "I10"]
        lines = s.execute(
            select(ServiceLine.line_no, ServiceLine.code, ServiceLine.pointers, ServiceLine.charge)
            .where(ServiceLine.encounter_id == visit.id)
            .order_by(ServiceLine.line_no)
        ).all()
        assert lines == [(1, "99214", "AB", D("165.00")), (2, "36415", "A", D("15.00"))]
        # Each line's charge is Prairie's to pay; the copay is still her credit.
        assert books.owed_by_line(s, office.patient_id) == {
            "99214": {"Prairie Health Plan": D("165.00")},
            "36415": {"Prairie Health Plan": D("15.00")},
            "credit": {"patient": D("-30.00")},
        }

    # Claims (Ctrl+3): new claims from coded visits; the claim is checked at once.
    desk.press(desk.window, Qt.Key.Key_3, CTRL)
    claims_page = desk.area("claims")
    qtbot.mouseClick(claims_page.new_button, Qt.MouseButton.LeftButton)
    assert claims_page.message.text() == "Made 1 claim: 1 ready to print, 0 with something to fix."
    desk.click_row(claims_page.table, 0)
    desk.press(desk.window, Qt.Key.Key_K, CTRL)  # the check, on the selected claim
    detail = claims_page.detail
    assert [p.message for p in detail.problems.problems if p.severity == "error"] == []
    assert "passes the check: ready" in detail.problems.summary.text()
    claim = detail.detail
    assert claim is not None and claim.status is ClaimStatus.READY
    office.claims["primary"] = claim.id
    primary_no = claim.claim_no

    # Print > Save all ready claims as PDF..., on red forms (data only).
    red_form = save_claims_pdf(office, claims_page, "ready", DATA_ONLY, "claims-red-forms.pdf")
    assert "Saved 1 claim (1 page)" in claims_page.message.text()
    # Then the same claim on plain paper, the whole form drawn, for the file.
    desk.click_row(claims_page.table, 0)
    plain = save_claims_pdf(office, claims_page, "selected", FULL_FORM, "claims-plain-paper.pdf")
    # What the payer gets: the claim's items where the form has them. On the
    # red form each printed line holds whole items (24A-J of a service line;
    # 25, 26, 27, 28 ...); the plain-paper form carries the same values among
    # its captions. Item 11d is YES with Heartland in 9, 9a and 9d.
    for line in (
        "PRAIRIE HEALTH PLAN",  # the carrier block
        "X PHP448120931",  # 1 (group health plan), 1a
        "VEGA, MARISOL, A 04 22 1968 X VEGA, MARISOL, A",  # 2, 3, 4
        "VEGA, DANIEL G-2231",  # 9 other insured, 11 the group number
        "HM88120 X 04 22 1968 X",  # 9a, 10a NO, 11a
        "HEARTLAND MUTUAL X",  # 9d, 11d YES
        "SIGNATURE ON FILE SIGNATURE ON FILE",  # 12, 13
        "E119 I10",  # 21 A and B
        "03 03 26 03 03 26 11 99214 AB 165 00 1 1245319599",  # 24A-J, line 1
        "03 03 26 03 03 26 11 36415 A 15 00 1 1245319599",  # line 2
        f"371234567 X {primary_no} X 180 00",  # 25 EIN, 26 claim no., 27, 28 total
        "03 03 26 1234567893 1234567893 ZZ207Q00000X",  # 31 date, 32a, 33a, 33b
    ):
        assert line in red_form, line
    assert "HEALTH INSURANCE CLAIM FORM" in plain  # the form itself, drawn
    for value in (
        "X PHP448120931",
        "VEGA, DANIEL G-2231",
        "HEARTLAND MUTUAL X",
        "1 03 03 26 03 03 26 11 99214 AB 165 00 1 1245319599",
        "2 03 03 26 03 03 26 11 36415 A 15 00 1 1245319599",
        primary_no,
        "180 00",
    ):
        assert any(value in line for line in plain), value
    qtbot.waitUntil(lambda: claims_page.model.rows[0].status_label == "Printed")
    assert dialogs.take() == []

    with office.store.unit_of_work() as s:
        c = s.get(Claim, office.claims["primary"])
        assert (c.status, c.rank, c.payer_id, c.total_charge) == (
            ClaimStatus.PRINTED,
            1,
            office.payers["Prairie"],
            D("180.00"),
        )
        assert c.claim_no == primary_no
        history = s.execute(
            select(ClaimEvent.status, ClaimEvent.note)
            .where(ClaimEvent.claim_id == c.id)
            .order_by(ClaimEvent.id)
        ).all()
        assert history == [
            (ClaimStatus.DRAFT, ""),
            (ClaimStatus.READY, "passed the claim check"),
            (ClaimStatus.PRINTED, "PDF file claims-red-forms.pdf"),
            (ClaimStatus.PRINTED, "again: PDF file claims-plain-paper.pdf"),
        ]
        assert [(ln.line_no, ln.code, ln.charge) for ln in claim_lines(s, c.id)] == [
            (1, "99214", D("165.00")),
            (2, "36415", D("15.00")),
        ]
    # Opening a visit, the worklist and a claim are views; coding and
    # printing are changes and exports (the screens reload and view again).
    office.assert_audited(
        "biller",
        "coding_worklist_viewed",
        "encounter_started",
        "encounter_viewed",
        "encounter_changed",
        "charges_posted",
        "encounter_coded",
        "claim_created",
        "claim_status",  # draft -> ready
        "claim_viewed",
        "claim_status",  # ready -> printed
        "claims_saved_pdf",
        "claim_status",  # printed again
        "claims_saved_pdf",
    )
    desk.leave()


# --------------------------------------------------------------------- 4. the payers' answers


def post_eob(
    office: Office,
    desk: Desk,
    payer: str,
    check_no: str,
    amount: str,
    claim_no: str,
    lines: dict[int, dict[int, str]],
) -> None:
    """Payments > Insurance EOB: record the check (payer, number, amount;
    Enter), find the claim by number (Enter), type what the EOB says for
    each line (``{row: {column: text}}``); Ctrl+Enter posts."""
    qtbot = office.qtbot
    page = desk.area("payments")
    eob = page.eob
    page.tabs.setCurrentWidget(eob)
    eob.payer_combo.setFocus()
    desk.fill(eob, ("payerCombo", payer[:2]), ("checkMethod", ""), ("checkNo", check_no))
    assert eob.payer_combo.currentText() == payer and eob.method_combo.currentText() == "Check"
    desk.type(eob, amount)
    desk.press(eob, Qt.Key.Key_Return)  # Enter in the amount records the check
    assert check_no in eob.check_combo.currentText()
    assert f"amount {amount} - posted 0.00 - left {amount}" in eob.check_status.text()
    assert desk.focus(eob) is eob.claim_search
    desk.type(eob, claim_no)
    desk.press(eob, Qt.Key.Key_Return)
    assert f"Claim {claim_no}" in eob.claim_label.text()
    for row, cells in lines.items():
        for col, text in cells.items():
            desk.type_cell(eob.grid, row, col, text)
    qtbot.waitUntil(lambda: "The claim becomes" in eob.preview.text())


def post_the_primary_eob(office: Office) -> None:
    """Tuesday, March 17: Prairie's check for 80.00 and its EOB. Allowed
    120.00 and 10.00 (the contractual 45.00 and 5.00 fill themselves in),
    paid 72.00 and 8.00; the 30.00 copay and 18.00 + 2.00 coinsurance go to
    the next party, Heartland."""
    qtbot, clock = office.qtbot, office.clock
    clock.set(datetime(2026, 3, 17, 9, 0))
    office.audit_mark()
    desk = office.desk(office.biller)
    with office.store.read_session() as s:
        primary_no = s.get(Claim, office.claims["primary"]).claim_no
    post_eob(
        office,
        desk,
        "Prairie Health Plan",
        "PHP-40021",
        "80.00",
        primary_no,
        {
            0: {C_ALLOWED: "120.00", C_PAID: "72.00", C_COPAY: "30.00", C_COINS: "18.00"},
            1: {C_ALLOWED: "10.00", C_PAID: "8.00", C_COINS: "2.00"},
        },
    )
    eob = desk.area("payments").eob
    assert [eob.grid.item(r, C_CONTR).text() for r in (0, 1)] == ["45.00", "5.00"]
    preview = eob.preview.text()
    assert "Paid <b>80.00</b> - adjusted <b>50.00</b>" in preview
    assert "to Secondary: Heartland Mutual <b>50.00</b>" in preview
    assert "left with payer <b>0.00</b>" in preview
    assert "The claim becomes <b>Paid</b>" in preview
    assert "this claim 80.00 - left after 0.00" in eob.check_status.text()
    with office.store.read_session() as s:  # nothing is saved by the preview
        assert books.total_of(s, EntryKind.INSURANCE_PAYMENT, office.patient_id) == D("0.00")
    desk.press(eob, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "Posted." in eob.result.text())
    assert f"Claim {primary_no} is now Paid." in eob.result.text()
    assert office.dialogs.take() == []

    with office.store.unit_of_work() as s:
        assert books.owed_by_line(s, office.patient_id) == {
            "99214": {"Heartland Mutual": D("48.00")},  # 30.00 copay + 18.00 coinsurance
            "36415": {"Heartland Mutual": D("2.00")},
            "credit": {"patient": D("-30.00")},
        }
        assert books.total_of(s, EntryKind.INSURANCE_PAYMENT, office.patient_id) == D("-80.00")
        assert books.total_of(s, EntryKind.ADJUSTMENT, office.patient_id) == D("-50.00")
        c = s.get(Claim, office.claims["primary"])
        assert (c.status, c.amount_paid) == (ClaimStatus.PAID, D("80.00"))
        last = s.execute(
            select(ClaimEvent.status, ClaimEvent.note)
            .where(ClaimEvent.claim_id == c.id)
            .order_by(ClaimEvent.id.desc())
            .limit(1)
        ).one()
        assert last.status is ClaimStatus.PAID
        assert last.note.startswith("EOB posted from CHECK PHP-40021")
    office.assert_audited(
        "biller",
        "payer_payment_received",
        "claim_opened_for_posting",
        "eob_posted",
        "claim_status",  # printed -> paid
    )
    desk.leave()


def make_and_print_the_secondary_claim(office: Office) -> None:
    """The same morning: Claims, the paid primary claim, "Make secondary
    claim": Heartland's claim carries Prairie as the other insured (items
    9, 9a, 9d; 11d YES) and what Prairie paid (item 29); checked, then saved
    for the red forms."""
    qtbot = office.qtbot
    office.clock.set(datetime(2026, 3, 17, 9, 20))
    office.audit_mark()
    desk = office.desk(office.biller)
    page = desk.area("claims")
    page.status.setCurrentIndex(page.status.findData(None))  # all statuses: paid is not open
    desk.press(desk.window, Qt.Key.Key_F, CTRL)
    desk.type(page, claim_no_of(office, "primary"))
    qtbot.waitUntil(lambda: [r.id for r in page.model.rows] == [office.claims["primary"]])
    desk.click_row(page.table, 0)
    detail = page.detail
    assert detail.detail.status is ClaimStatus.PAID
    assert detail.secondary_button.isEnabled()
    qtbot.mouseClick(detail.secondary_button, Qt.MouseButton.LeftButton)
    second = detail.detail
    assert second is not None and second.rank == 2 and second.id != office.claims["primary"]
    office.claims["secondary"] = second.id
    assert page.message.text() == (
        f"Secondary claim {second.claim_no} made from {claim_no_of(office, 'primary')}."
    )
    assert [(ln.code, ln.charge, ln.prior_paid) for ln in detail.lines_model.rows] == [
        ("99214", D("165.00"), D("72.00")),
        ("36415", D("15.00"), D("8.00")),
    ]
    # The list now shows every claim (the secondary opened); click its row, Ctrl+K.
    desk.click_row(page.table, row_in_view(page, second.id))
    desk.press(desk.window, Qt.Key.Key_K, CTRL)
    assert [p.message for p in detail.problems.problems if p.severity == "error"] == []
    assert detail.detail.status is ClaimStatus.READY

    red_form = save_claims_pdf(office, page, "ready", DATA_ONLY, "secondary-red-form.pdf")
    for line in (
        "HEARTLAND MUTUAL",  # the carrier block
        "X HM88120",  # 1, 1a: Daniel's member ID
        "VEGA, MARISOL, A 04 22 1968 X VEGA, DANIEL",  # 2, 3, 4: the insured is Daniel
        "VEGA, MARISOL, A G-77",  # 9: Prairie's insured (Marisol); 11: Heartland's group
        "PHP448120931 X 09 30 1965 X",  # 9a: Prairie's member ID; 11a: Daniel's birth date
        "PPO GOLD X",  # 9d: Prairie's plan; 11d: YES, another plan
        "03 03 26 03 03 26 11 99214 AB 165 00 1 1245319599",
        "03 03 26 03 03 26 11 36415 A 15 00 1 1245319599",
        f"371234567 X {second.claim_no} X 180 00 80 00",  # 28 total, 29 paid by Prairie
    ):
        assert line in red_form, line
    assert office.dialogs.take() == []
    with office.store.unit_of_work() as s:
        c = s.get(Claim, second.id)
        assert (c.status, c.rank, c.payer_id, c.policy_id, c.primary_claim_id) == (
            ClaimStatus.PRINTED,
            2,
            office.payers["Heartland"],
            office.policies["secondary"],
            office.claims["primary"],
        )
    office.assert_audited(
        "biller",
        "claim_viewed",
        "claim_created",
        "claim_status",  # draft -> ready
        "claim_status",  # ready -> printed
        "claims_saved_pdf",
    )
    desk.leave()


def post_the_secondary_eob_and_apply_the_copay(office: Office) -> None:
    """Tuesday, March 24: Heartland's check for 12.00. On 99214 it owes
    48.00: it pays 10.00 and leaves the 30.00 copay and 8.00 coinsurance to
    Marisol; on 36415 it pays the 2.00. The claim is paid; she owes 38.00,
    and the 30.00 she paid at check-in is applied (Patient payment, "Apply
    account credit"): 8.00 is left."""
    qtbot, clock = office.qtbot, office.clock
    clock.set(datetime(2026, 3, 24, 10, 0))
    office.audit_mark()
    desk = office.desk(office.biller)
    second_no = claim_no_of(office, "secondary")
    post_eob(
        office,
        desk,
        "Heartland Mutual",
        "HM-7730",
        "12.00",
        second_no,
        {
            0: {C_PAID: "10.00", C_COPAY: "30.00", C_COINS: "8.00"},
            1: {C_PAID: "2.00"},
        },
    )
    page = desk.area("payments")
    eob = page.eob
    assert [eob.grid.item(r, 4).text() for r in (0, 1)] == ["48.00", "2.00"]  # payer owes
    preview = eob.preview.text()
    assert "Paid <b>12.00</b> - adjusted <b>0.00</b> - to Patient <b>38.00</b>" in preview
    assert "The claim becomes <b>Paid</b>" in preview
    desk.press(eob, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "Posted." in eob.result.text())
    # What she owes, net of the copay credit she already has on the account.
    assert f"Claim {second_no} is now Paid. Vega, Marisol A. owes 8.00." in eob.result.text()
    with office.store.read_session() as s:
        assert books.owed_by_line(s, office.patient_id) == {
            "99214": {"patient": D("38.00")},
            "36415": {},
            "credit": {"patient": D("-30.00")},
        }

    # Patient payment: her account shows the copay credit; apply it.
    pp = page.patient
    page.tabs.setCurrentWidget(pp)
    pp.finder.search.setFocus()
    desk.type(pp, "100001")  # her account number
    desk.press(pp, Qt.Key.Key_Return)
    assert "owes 38.00 on 1 visit line(s); unapplied credit 30.00; due 8.00" in (
        pp.account_label.text()
    )
    assert pp.credit_btn.isEnabled()
    qtbot.mouseClick(pp.credit_btn, Qt.MouseButton.LeftButton)
    assert pp.result.text() == "Applied 30.00 of the account's credit."
    assert "owes 8.00 on 1 visit line(s); unapplied credit 0.00; due 8.00" in (
        pp.account_label.text()
    )
    assert office.dialogs.take() == []

    with office.store.unit_of_work() as s:
        assert books.owed_by_line(s, office.patient_id) == {
            "99214": {"patient": D("8.00")},
            "36415": {},
        }
        c = s.get(Claim, office.claims["secondary"])
        assert (c.status, c.amount_paid) == (ClaimStatus.PAID, D("12.00"))
        assert [
            st
            for (st,) in s.execute(
                select(ClaimEvent.status).where(ClaimEvent.claim_id == c.id).order_by(ClaimEvent.id)
            )
        ] == [ClaimStatus.DRAFT, ClaimStatus.READY, ClaimStatus.PRINTED, ClaimStatus.PAID]
    office.assert_audited(
        "biller",
        "payer_payment_received",
        "claim_opened_for_posting",
        "eob_posted",
        "claim_status",
        "credit_applied",
    )
    desk.leave()


# --------------------------------------------------------------------- 5. the statement


def print_the_statement(office: Office) -> None:
    """Wednesday, March 25: the biller's statement run (Payments >
    Statements: Find accounts, Print statements...). Marisol's statement
    says 8.00, what the ledger says she owes; it goes to the printer."""
    qtbot, clock, paper = office.qtbot, office.clock, office.paper
    clock.set(datetime(2026, 3, 25, 9, 0))
    office.audit_mark()
    desk = office.desk(office.biller)
    page = desk.area("payments")
    sp = page.statements
    page.tabs.setCurrentWidget(sp)
    assert sp.on.value() == date(2026, 3, 25)
    qtbot.mouseClick(sp.find_btn, Qt.MouseButton.LeftButton)
    assert [(r.name, r.account_no, r.balance, r.notice_no) for r in sp.list.rows()] == [
        ("Marisol A. Vega", "100001", D("8.00"), 1)
    ]
    assert sp.count.text() == "1 statement(s), 8.00 in all"
    with qtbot.waitSignal(sp.printed, timeout=20000) as printed:
        qtbot.mouseClick(sp.print_btn, Qt.MouseButton.LeftButton)
    assert printed.args == ["printed"]
    assert paper.titles[-1] == "statements" and paper.pages() == 1
    statement = paper.texts[-1].splitlines()
    with office.store.read_session() as s:
        owed = books.owed_by_line(s, office.patient_id)
    due = sum((parts.get("patient", D("0")) for parts in owed.values()), D("0.00"))
    assert due == D("8.00")
    assert not any("36415" in line for line in statement)
    for line in (
        "Account number 100001",
        f"Amount due ${due}",
        "MARISOL A. VEGA",  # in the envelope's window
        "88 LINDEN AVENUE",
        "SPRINGFIELD, IL 62704",
        # The open service: date, patient, service, charge, insurance paid
        # (72.00 + 10.00), adjusted, she paid (the copay), she owes. The
        # blood draw is paid off and not listed.
        "03/03/2026 Marisol Vega 99214 Office visit, established patient, mode... "
        "165.00 82.00 45.00 30.00 8.00",
        "$8.00 $0.00 $0.00 $0.00 $8.00",  # current ... over 90 days, amount due
        "Account number 100001 Amount due $8.00",  # the remittance stub
    ):
        assert line in statement, line
    assert "The statements went to the printer (1 page(s))" in sp.result.text()
    assert office.dialogs.take() == []

    with office.store.unit_of_work() as s:
        st = s.execute(select(Statement)).scalar_one()
        assert (st.guarantor_id, st.statement_date, st.balance, st.notice_no) == (
            office.patient_id,
            date(2026, 3, 25),
            D("8.00"),
            1,
        )
    office.assert_audited("biller", "statement_printed")
    desk.leave()


# --------------------------------------------------------------------- 6. she pays


def the_patient_pays_the_rest(office: Office) -> None:
    """Friday, March 27: her check for 8.00 comes with the stub. The
    receptionist posts it (Payments > Patient payment) and prints a receipt;
    her balance is 0.00."""
    qtbot, clock, paper = office.qtbot, office.clock, office.paper
    clock.set(datetime(2026, 3, 27, 11, 0))
    office.audit_mark()
    desk = office.desk(office.receptionist)
    page = desk.area("payments")
    pp = page.patient
    assert page.tabs.currentWidget() is pp
    pp.finder.search.setFocus()
    desk.type(pp, "vega, marisol")
    desk.press(pp, Qt.Key.Key_Return)
    assert "owes 8.00 on 1 visit line(s); unapplied credit 0.00; due 8.00" in (
        pp.account_label.text()
    )
    assert desk.focus(pp) is pp.amount
    desk.fill(pp, ("payAmount", "8.00"), ("payMethod", "Ch"))
    assert pp.method.currentText() == "Check"
    desk.type(pp, "1047")  # the check number
    assert pp.lines.item(0, 4).text() == "8.00"  # applied to 99214
    assert pp.running.text() == "Received 8.00 - applied 8.00 - unapplied 0.00"
    desk.press(pp, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pp.result.text().startswith("Saved"))
    assert pp.result.text() == "Saved: 8.00 received, 8.00 applied. Print a receipt with Alt+I."
    assert "owes 0.00 on 0 visit line(s)" in pp.account_label.text()
    qtbot.mouseClick(pp.receipt_btn, Qt.MouseButton.LeftButton)
    paper.wait(qtbot)
    assert paper.titles[-1] == "receipt"
    receipt = paper.texts[-1]
    for text in ("Paid by Check no. 1047", "Amount paid $8.00", "Payment on account"):
        assert text in receipt, text
    assert "Account balance after this payment $0.00" in receipt
    assert office.dialogs.take() == []

    with office.store.unit_of_work() as s:
        assert books.owed_by_line(s, office.patient_id) == {"99214": {}, "36415": {}}
        pay = s.execute(select(Payment).order_by(Payment.id.desc()).limit(1)).scalar_one()
        assert (pay.amount, pay.method, pay.reference, pay.received_date) == (
            D("8.00"),
            PaymentMethod.CHECK,
            "1047",
            date(2026, 3, 27),
        )
        # Every cent of the day: charged 180.00 = paid 92.00 by the payers,
        # 38.00 by her, 50.00 adjusted.
        p = office.patient_id
        assert books.total_of(s, EntryKind.CHARGE, p) == D("180.00")
        assert books.total_of(s, EntryKind.INSURANCE_PAYMENT, p) == D("-92.00")
        assert books.total_of(s, EntryKind.PATIENT_PAYMENT, p) == D("-38.00")
        assert books.total_of(s, EntryKind.ADJUSTMENT, p) == D("-50.00")
        assert books.total_of(s, EntryKind.TRANSFER, p) == D("0.00")
    office.assert_audited("reception", "payment_received", "receipt_printed")
    desk.leave()


# --------------------------------------------------------------------- 7. the month's end


def close_the_month(office: Office) -> None:
    """Thursday, April 2: the office manager opens Reports, reviews March
    (the picker is on last month; Enter), saves its totals as PDF, CSV and
    XLSX, and closes it. Then a check dated March 31 is refused at the desk."""
    qtbot, clock = office.qtbot, office.clock
    clock.set(datetime(2026, 4, 2, 10, 0))
    office.audit_mark()
    desk = office.desk(office.manager)
    page = desk.area("reports")
    mv = page.month
    assert (mv.picker.currentData(), mv.picker.currentText()) == ("2026-03", "March 2026")
    mv.picker.setFocus()
    with qtbot.waitSignal(mv.reviewed):
        desk.press(mv, Qt.Key.Key_Return)
    # The month on the screen: every figure from the ledger and the claims.
    march = {row[0]: row[1] for row in table_texts(mv.totals_view)}
    assert {k: march[k] for k in MARCH} == MARCH
    assert march["Expenses paid"] == "0.00"
    assert "balances to the cent" in mv.check.text()
    assert mv.status.text() == "March 2026 is open."
    # The copay credit applied in the month leaves no all-zero "no provider" row.
    assert [
        (r.provider, r.visits, r.charges, r.payments, r.net_collections) for r in mv.providers.rows
    ] == [("Adaeze Okafor, MD", 1, D("180.00"), D("130.00"), D("130.00"))]
    assert [
        (r.payer, r.charges, r.payments, r.adjustments, r.transfers) for r in mv.payers.rows
    ] == [
        ("Heartland Mutual", D("0.00"), D("12.00"), D("0.00"), D("12.00")),
        ("Prairie Health Plan", D("180.00"), D("80.00"), D("50.00"), D("-50.00")),
        ("Patients (self-pay and patient share)", D("0.00"), D("38.00"), D("0.00"), D("38.00")),
    ]
    # 99214 was paid 72.00 + 10.00 by the payers and 30.00 + 8.00 by her.
    assert [
        (r.code, r.units, r.charges, r.payments, r.average_paid_per_unit)
        for r in mv.procedures.rows
    ] == [
        ("99214", 1, D("165.00"), D("120.00"), D("120.00")),
        ("36415", 1, D("15.00"), D("10.00"), D("10.00")),
    ]
    assert mv.chart.months[-1].month == "2026-03"

    # Save PDF..., Save CSV..., Save XLSX...: into the folder the manager picks.
    out = office.saved / "month-end"
    out.mkdir()
    office.monkeypatch.setattr(mv, "ask_folder", lambda: str(out))
    saved = {}
    for button, kind in ((mv.pdf_button, "pdf"), (mv.csv_button, "csv"), (mv.xlsx_button, "xlsx")):
        with qtbot.waitSignal(mv.exported, timeout=20000) as sig:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        saved[kind] = {p.name: p for p in sig.args[0].files}
        assert f"Saved {len(saved[kind])} {kind.upper()} file(s)" in mv.status.text()
    stem = "maple-street-family-medicine_2026-03_monthly"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{stem}-totals.pdf", f"{stem}-totals.xlsx"]
        + [
            f"{stem}-{t}.csv"
            for t in ("totals", "by-provider", "by-payer", "by-procedure", "twelve-months")
        ]
    )  # named for the practice and the month, never the patient; no part files left

    printed = pdf_text(saved["pdf"][f"{stem}-totals.pdf"]).splitlines()
    for line in (
        "Monthly totals: March 2026",
        "Figure March 2026 February 2026 Change March 2025 Change",
        "Charges 180.00 no data - no data -",  # the office opened in March
        "Insurance payments 92.00 no data - no data -",
        "Patient payments 38.00 no data - no data -",
        "Contractual adjustments 50.00 no data - no data -",
        "Net collections 130.00 no data - no data -",
        "A/R at end of month 0.00 no data - no data -",
        "Claims made 2 no data - no data -",
        "Claims paid 2 no data - no data -",
    ):
        assert line in printed, line

    with saved["csv"][f"{stem}-totals.csv"].open(newline="", encoding="utf-8") as f:
        totals = {row["Figure"]: row for row in csv.DictReader(f)}
    for figure, value in MARCH.items():
        assert totals[figure]["Month"] == "2026-03"
        assert totals[figure]["This month"] == value.replace(",", ""), figure
        # February is before the office's first entry: an empty cell, not 0.00.
        assert totals[figure]["Previous month"] == "", figure
        assert totals[figure]["Same month last year"] == "", figure
    with saved["csv"][f"{stem}-by-payer.csv"].open(newline="", encoding="utf-8") as f:
        by_payer = {row["Payer"]: row["Payments"] for row in csv.DictReader(f)}
    assert by_payer == {
        "Heartland Mutual": "12.00",
        "Prairie Health Plan": "80.00",
        "Patients (self-pay and patient share)": "38.00",
    }

    book = openpyxl.load_workbook(saved["xlsx"][f"{stem}-totals.xlsx"])
    assert book.sheetnames == ["Totals", "By provider", "By payer", "By procedure", "12 months"]
    sheet = {r[1].value: r for r in book["Totals"].iter_rows(min_row=2)}
    charges, collections, visits = (
        sheet["Charges"][2],
        sheet["Net collections"][2],
        sheet["Visits"][2],
    )
    assert (charges.value, collections.value, visits.value) == (180, 130, 1)
    assert "$" in charges.number_format and "$" not in visits.number_format
    procedures = [
        (r[1].value, r[4].value, r[5].value) for r in book["By procedure"].iter_rows(min_row=2)
    ]
    assert procedures == [("99214", 165, 120), ("36415", 15, 10)]

    # Close month...: the question says what closing means; Yes.
    with qtbot.waitSignal(mv.closed_changed, timeout=20000):
        qtbot.mouseClick(mv.close_button, Qt.MouseButton.LeftButton)
    assert office.dialogs.asked[-1].startswith("Close March 2026?")
    assert mv.status.text() == (
        "March 2026 was closed on 04/02/2026 10:00 by Helen Park. "
        "Today's ledger gives the same totals as those kept at close."
    )
    assert not mv.close_button.isEnabled() and mv.reopen_button.isEnabled()
    assert office.dialogs.take() == []
    with office.store.unit_of_work() as s:
        event = s.execute(select(MonthCloseEvent)).scalar_one()
        assert (event.month, event.action, event.user_id) == (
            "2026-03",
            "close",
            office.manager.user_id,
        )
        kept = event.snapshot["figures"]  # the month's totals as they were at close
        assert (kept["charges"], kept["net_collections"], kept["ar_end"]) == (
            "180.00",
            "130.00",
            "0.00",
        )
    office.assert_audited(
        "manager", "report_exported", "report_exported", "report_exported", "month_closed"
    )
    desk.leave()


def a_payment_dated_in_march_is_refused(office: Office) -> None:
    """Later that morning Daniel drops off a 20.00 check for her account,
    written on March 31. The receptionist types the check's date as the
    date received: March is closed, the payment is refused with a message
    that says why and what to do, and nothing is stored."""
    office.clock.set(datetime(2026, 4, 2, 10, 30))
    office.audit_mark()
    with office.store.read_session() as s:
        before = (s.execute(select(Payment.id)).all(), s.execute(select(LedgerEntry.id)).all())
    desk = office.desk(office.receptionist)
    page = desk.area("payments")
    pp = page.patient
    pp.finder.search.setFocus()
    desk.type(pp, "100001")
    desk.press(pp, Qt.Key.Key_Return)
    assert "owes 0.00 on 0 visit line(s)" in pp.account_label.text()
    desk.fill(
        pp,
        ("payAmount", "20.00"),
        ("payMethod", "Ch"),
        ("payReference", "2231"),
        ("payDate", "03312026"),
        ("payMemo", "on account"),
    )
    assert pp.received.value() == date(2026, 3, 31)
    assert desk.focus(pp) is pp.leave_credit
    desk.press(pp, Qt.Key.Key_Space)  # leave it as a credit on the account
    assert pp.save_btn.isEnabled()
    desk.press(pp, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert desk.focus(pp) is pp.memo
    desk.press(pp, Qt.Key.Key_Return)  # Enter saves
    assert office.dialogs.take() == [
        "March 2026 is closed: no entry can be dated 03/31/2026. Date it in an open month "
        "(late corrections post in the current month), or ask the office manager to reopen "
        "the month."
    ]
    with office.store.read_session() as s:
        after = (s.execute(select(Payment.id)).all(), s.execute(select(LedgerEntry.id)).all())
    assert after == before
    assert office.audit_since() == [("reception", "account_viewed")]  # the refusal wrote nothing
    desk.leave()


# --------------------------------------------------------------------- helpers


def claim_no_of(office: Office, which: str) -> str:
    with office.store.read_session() as s:
        return s.get(Claim, office.claims[which]).claim_no


def row_in_view(page, claim_id: int) -> int:  # type: ignore[no-untyped-def]
    """The row of the claims list (as sorted on the screen) that shows the claim."""
    source = next(i for i, r in enumerate(page.model.rows) if r.id == claim_id)
    return int(page.proxy.mapFromSource(page.model.index(source, 0)).row())


def save_claims_pdf(office: Office, page, which: str, paper: str, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Claims > Paper: ``paper``; Print > Save all ready (``which`` "ready")
    or the selected claims as PDF..., into ``name``: the file's text lines."""
    path = office.saved / name
    office.monkeypatch.setattr(page, "ask_save_path", lambda: path)
    page.paper.setCurrentIndex(page.paper.findData(paper))
    page.last_result = None
    (page.act_save_ready if which == "ready" else page.act_save_selected).trigger()
    office.qtbot.waitUntil(lambda: page.last_result is not None)
    assert page.last_result.error == ""
    return pdf_text(path).splitlines()


def claim_lines(s, claim_id: int) -> list[ClaimLine]:  # type: ignore[no-untyped-def]
    return list(
        s.execute(
            select(ClaimLine).where(ClaimLine.claim_id == claim_id).order_by(ClaimLine.line_no)
        ).scalars()
    )


def pdf_text(path: Path) -> str:
    """A PDF's text, every page (pdfplumber keeps each printed line whole)."""
    with pdfplumber.open(path) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)
