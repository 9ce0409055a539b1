"""A receptionist's morning by keyboard only: register a new patient top to
bottom, add two policies, record a verification, book and check in, take
the copay and print the receipt; then what the screen shows, what was
stored, and the audit rows written for each view and change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from sqlalchemy import select

from app.models.audit import AuditEvent
from app.models.insurance import Policy, Verification, VerifyMethod, VerifyResult
from app.models.ledger import EntryKind, LedgerEntry, Payment, PaymentMethod
from app.models.patient import Patient
from app.models.schedule import Appointment, AppointmentStatus, GateOutcome
from app.services import audit
from tests.ui.frontdesk.conftest import QT_NOISE

pytestmark = QT_NOISE

CTRL = Qt.KeyboardModifier.ControlModifier
TODAY = date.today()


def test_a_new_patient_to_a_paid_copay_by_keyboard(
    qtbot, office, window, two_payers, keys, paper, tmp_path: Path
) -> None:
    w, page = window(office.receptionist)

    # ---- register: Ctrl+N, the intake sheet top to bottom, Enter saves
    keys.press(w, Qt.Key.Key_N, CTRL)
    form = page.patient_form
    assert form is not None
    qtbot.waitUntil(form.isVisible)
    keys.fill(
        form,
        ("last_name", "Okonkwo"),
        ("first_name", "Ada"),
        ("middle_name", "Grace"),
        ("suffix", ""),
        ("dob", "03/14/1985"),
        ("sex", "F"),
        ("address1", "45 Willow Court"),
        ("address2", ""),
        ("city", "Springfield"),
        ("state", "IL"),
        ("zip", "62704-1234"),
        ("phone_home", "217 555 0190"),
        ("phone_mobile", "(217) 555-0191"),
        ("phone_work", ""),
        ("email", "ada.okonkwo@example.com"),
        ("marital_status", "M"),
        ("employment_status", "E"),
        ("ssn", "123-45-6789"),
        ("preferred_language", "English"),
        ("emergency_name", "Chidi Okonkwo"),
        ("emergency_relationship", "spouse"),
        ("emergency_phone", "217-555-0192"),
        ("guarantor_is_patient", ""),  # the patient is the guarantor (left checked)
        ("signature_on_file", TODAY.strftime("%m/%d/%Y")),
        ("insured_signature_on_file", TODAY.strftime("%m/%d/%Y")),
        ("privacy_notice_ack", TODAY.strftime("%m/%d/%Y")),
        ("date_of_death", ""),
    )
    assert keys.focus(form).objectName() == "notes"
    qtbot.keyClick(form.fields.widgets["date_of_death"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.isVisible())

    # The patient opens with the account number in the banner.
    assert page.view.isVisible()
    assert page.view.banner.text() == "Okonkwo, Ada G.   Account 100001   DOB 03/14/1985"
    assert "***-**-6789" in page.view.details.text()  # the receptionist sees it masked
    assert page.view.badge.text() == "Self-pay"

    # ---- insurance: F3 opens the policy screen; Ctrl+N adds a policy
    keys.press(w, Qt.Key.Key_F3)
    screen = page.policy_screen
    assert screen is not None
    qtbot.waitUntil(screen.isVisible)
    assert "Account 100001" in screen.banner.text()
    keys.press(screen, Qt.Key.Key_N, CTRL)
    pform = screen.form
    qtbot.waitUntil(pform.isVisible)
    keys.fill(
        pform,
        ("payer_id", "Pr"),
        ("rank", ""),
        ("member_id", "XJ5550001"),
        ("group_number", "G-2231"),
        ("plan_name", "PPO Gold"),
        ("relationship", ""),  # Self: the subscriber fields stay closed
        ("effective_date", "01/01/2024"),
        ("end_date", ""),
        ("copay", "25.00"),
        ("deductible", "1000"),
    )
    qtbot.keyClicks(keys.focus(pform), "20")
    keys.press(pform, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not pform.isVisible())

    # The second policy: the spouse's plan.
    keys.press(screen, Qt.Key.Key_N, CTRL)
    pform2 = screen.form
    qtbot.waitUntil(pform2.isVisible)
    keys.fill(
        pform2,
        ("payer_id", "He"),
        ("rank", ""),
        ("member_id", "HM-88120"),
        ("group_number", ""),
        ("plan_name", ""),
        ("relationship", "Sp"),
        ("subscriber_last_name", "Okonkwo"),
        ("subscriber_first_name", "Chidi"),
        ("subscriber_middle_name", ""),
        ("subscriber_dob", "07/02/1983"),
        ("subscriber_sex", "M"),
        ("subscriber_phone", ""),
        ("subscriber_address1", ""),  # lives with the patient
    )
    keys.press(pform2, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not pform2.isVisible())
    rows = screen.policy_model.rows
    assert [(p.order, p.payer, p.coverage.label) for p in rows] == [
        ("Primary", "Prairie Health Plan", "Never verified"),
        ("Secondary", "Heartland Mutual", "Never verified"),
    ]

    # ---- verification of the primary: Ctrl+R on the selected row
    screen.table.selectRow(0)
    keys.press(screen, Qt.Key.Key_R, CTRL)
    vd = screen.verify_dialog
    qtbot.waitUntil(vd.isVisible)
    keys.fill(
        vd,
        ("method", "Ph"),
        ("result", "A"),
        ("representative", "Dana"),
        ("reference_no", "REF-77120"),
        ("coverage_start", ""),
        ("coverage_end", ""),
        ("copay", "30.00"),
    )
    keys.press(vd, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not vd.isVisible())
    assert screen.policy_model.rows[0].coverage.label == "Verified"
    assert screen.history_model.rows[0].reference_no == "REF-77120"
    assert screen.history_model.rows[0].verified_by == "Test Receptionist"
    keys.press(screen, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not screen.isVisible())
    assert page.view.badge.text() == "Prairie Health Plan: Verified"

    # ---- book a visit: F4 from the patient
    page.view.setFocus()
    keys.press(w, Qt.Key.Key_F4)
    aform = page.day_list.form
    qtbot.waitUntil(aform.isVisible)
    assert "Account 100001" in aform.banner.text()
    keys.fill(
        aform,
        ("provider_id", ""),
        ("day", ""),  # today is filled in
        ("start", "9:30"),
        ("minutes", ""),
    )
    qtbot.keyClicks(keys.focus(aform), "Cough and fever")
    keys.press(aform, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not aform.isVisible())
    day = page.day_list
    assert page.tabs.currentWidget() is day
    row = day.current()
    assert (row.patient, row.time_text, row.badge, row.status_label) == (
        "Okonkwo, Ada G.",
        "9:30 AM",
        "Verified",
        "Scheduled",
    )

    # ---- check in: Enter on the row, Enter checks in, Enter takes the copay
    day.table.setFocus()
    keys.press(w, Qt.Key.Key_Return)
    dlg = day.check_in_dialog
    qtbot.waitUntil(dlg.isVisible)
    keys.press(dlg, Qt.Key.Key_Return)
    qtbot.waitUntil(dlg.pay_box.isEnabled)
    assert dlg.state.text() == "Checked in (Verified)."
    assert dlg.due.text() == "Copay due $30.00"
    assert dlg.amount.text() == "30.00"
    assert keys.focus(dlg) is dlg.amount
    keys.press(dlg, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dlg.payment is not None)
    assert dlg.paid.text().startswith("Payment of $30.00 recorded")
    keys.press(dlg, Qt.Key.Key_P, CTRL)  # the print dialog, then the printer
    paper.wait(qtbot)
    assert paper.titles == ["receipt"] and paper.pages() == 1
    printed = paper.texts[0]
    assert "Okonkwo, Ada G." in printed and "100001" in printed
    assert "$30.00" in printed and "Cash" in printed
    assert not paper.sources[0].exists()  # the print-only temp file is gone
    assert dlg.paid.text().endswith("Receipt sent to the printer.")
    keys.press(dlg, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dlg.isVisible())
    row = day.current()
    assert row.status_label == "Checked in" and row.paid == Decimal("30.00")

    # ---- what was stored
    with office.store.unit_of_work() as s:
        p = s.execute(select(Patient)).scalar_one()
        assert (p.account_no, p.last_name, p.first_name, p.middle_name) == (
            "100001",
            "Okonkwo",
            "Ada",
            "Grace",
        )
        assert (p.dob, p.sex.value, p.zip, p.state) == (date(1985, 3, 14), "F", "62704-1234", "IL")
        assert (p.phone_home, p.phone_mobile, p.emergency_phone) == (
            "2175550190",
            "2175550191",
            "2175550192",
        )
        assert (p.marital_status, p.employment_status, p.ssn) == (
            "Married",
            "Employed",
            "123456789",
        )
        assert p.guarantor_is_patient and p.signature_on_file == TODAY
        pols = s.execute(select(Policy).order_by(Policy.rank)).scalars().all()
        assert [(x.rank, x.member_id, x.relationship.value) for x in pols] == [
            (1, "XJ5550001", "self"),
            (2, "HM-88120", "spouse"),
        ]
        assert pols[0].copay == Decimal("25.00") and pols[0].coinsurance_pct == 20
        assert (pols[1].subscriber_first_name, pols[1].subscriber_dob) == (
            "Chidi",
            date(1983, 7, 2),
        )
        assert pols[1].subscriber_address1 == "45 Willow Court"
        v = s.execute(select(Verification)).scalar_one()
        assert (v.method, v.result, v.reference_no, v.copay) == (
            VerifyMethod.PHONE,
            VerifyResult.ACTIVE,
            "REF-77120",
            Decimal("30.00"),
        )
        assert v.verified_by == office.receptionist.user_id
        a = s.execute(select(Appointment)).scalar_one()
        assert (a.status, a.gate_outcome, a.policy_id) == (
            AppointmentStatus.CHECKED_IN,
            GateOutcome.VERIFIED,
            pols[0].id,
        )
        assert a.reason == "Cough and fever" and a.start.strftime("%H:%M") == "09:30"
        pay = s.execute(select(Payment)).scalar_one()
        assert (pay.amount, pay.method, pay.appointment_id) == (
            Decimal("30.00"),
            PaymentMethod.CASH,
            a.id,
        )
        entry = s.execute(select(LedgerEntry)).scalar_one()
        assert (entry.kind, entry.amount) == (EntryKind.PATIENT_PAYMENT, Decimal("-30.00"))

        # ---- the audit log: a row for each view and change above, in order
        rows = list(
            s.execute(
                select(AuditEvent).where(AuditEvent.patient_id == p.id).order_by(AuditEvent.id)
            ).scalars()
        )
        actions = [r.action for r in rows]
        assert actions == [
            "patient_registered",
            "patient_viewed",  # the patient opened after saving
            "policies_viewed",  # F3
            "policy_added",
            "policy_added",
            "coverage_verified",
            "appointment_booked",
            "patient_checked_in",
            "payment_received",
            "receipt_printed",
        ]
        assert {r.username for r in rows} == {"reception"}
        assert rows[0].details["new"]["ssn"] == "***-**-6789"
        assert audit.verify(s).ok
