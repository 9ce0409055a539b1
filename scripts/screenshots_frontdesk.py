"""Screenshots of the front desk screens (``make screenshots``): search with
typeahead, a patient, the patient form (and its guarantor picked among the
registered patients), the policy screen, the verification form, the day
list, check-in stopped by the gate, check-in with the copay, the
"Double-book?" question, verify tomorrow, the override list and the payer
list."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QScrollArea
from sqlalchemy import select

from app.models.insurance import Payer, Policy
from app.models.patient import Patient
from app.models.schedule import Appointment, AppointmentStatus
from app.services import appointments, checkin, policies
from app.ui.frontdesk import day_list
from scripts import shots


def card_png(payer: str, member: str, back: bool = False) -> bytes:
    """A synthetic insurance card picture (no real card)."""
    img = QImage(520, 320, QImage.Format.Format_RGB32)
    img.fill(QColor("#e3f2fd" if back else "#1565c0"))
    p = QPainter(img)
    p.setPen(QColor("#0d47a1" if back else "white"))
    f = QFont("DejaVu Sans", 20, QFont.Weight.Bold)
    p.setFont(f)
    if back:
        p.drawText(24, 50, "Claims: PO Box 4000")
        p.setFont(QFont("DejaVu Sans", 14))
        p.drawText(24, 90, "Chicago IL 60601")
        p.drawText(24, 130, "Provider services (800) 555-0199")
    else:
        p.drawText(24, 52, payer)
        p.setFont(QFont("DejaVu Sans", 15))
        p.drawText(24, 130, f"Member ID  {member}")
        p.drawText(24, 170, "Group  G-2231      Plan  PPO Gold")
        p.drawText(24, 250, "Copay  $25 office visit")
    p.end()
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(QByteArray(buf.data()))


def main() -> None:
    shots.app()
    store, paths = shots.demo_store(300)
    w = shots.main_window(store, paths, "reception")
    page = w.open_area("frontdesk")
    assert page is not None
    actor = w.ctx.actor

    # Search with typeahead.
    page.search.focus()
    QTest.keyClicks(page.search.box, "smi")
    shots.settle()
    shots.save(w, "frontdesk-search")

    # Open an insured hit, with card pictures on its primary policy.
    hit = next(h for h in page.search.hits() if h.payer)
    with store.session() as s, s.begin():
        pol = s.execute(
            select(Policy).where(Policy.patient_id == hit.id, Policy.rank == 1)
        ).scalar_one()
        payer = s.get(Payer, pol.payer_id)
        policies.add_card_image(s, actor, pol.id, "front", card_png(payer.name, pol.member_id))
        policies.add_card_image(s, actor, pol.id, "back", card_png(payer.name, pol.member_id, True))
    page.open_patient(hit.id)
    page.view.tabs.setCurrentIndex(1)
    shots.save(w, "frontdesk-patient")
    patient_id = hit.id

    # The patient form (edit).
    form = page.edit_patient(patient_id)
    assert form is not None
    form.resize(900, 860)
    shots.settle()
    form.grab().save(str(shots.OUT / "frontdesk-patient-form.png"))
    print("saved frontdesk-patient-form")
    form.dirty = False
    form.reject()

    # The guarantor: another patient of the office, found with the typeahead.
    with store.session() as s:
        child = s.execute(
            select(Patient)
            .where(Patient.guarantor_is_patient.is_(False), Patient.merged_into_id.is_(None))
            .order_by(Patient.id)
            .limit(1)
        ).scalar_one()
        child_id, family = child.id, child.last_name
    form = page.edit_patient(child_id)
    assert form is not None
    form.resize(900, 860)
    picker = form.guarantor_patient
    form.guarantor_self.setChecked(True)
    form.guarantor_self.setChecked(False)
    form.findChild(QScrollArea).ensureWidgetVisible(picker, 0, 260)
    picker.box.setFocus()
    QTest.keyClicks(picker.box, family[:4].lower())
    shots.settle(300)
    form.grab().save(str(shots.OUT / "frontdesk-guarantor-search.png"))
    print("saved frontdesk-guarantor-search")
    hits = [h for h in picker.search.hits() if h.id != child_id]
    if hits:
        picker.search.table.selectRow(picker.search.hits().index(hits[0]))
        picker.search._choose(picker.search.hits().index(hits[0]))
        form.fields.widgets["guarantor_relationship"].setText("parent")
        shots.settle()
        form.findChild(QScrollArea).ensureWidgetVisible(picker, 0, 200)
        shots.settle()
        form.grab().save(str(shots.OUT / "frontdesk-guarantor-picked.png"))
        print("saved frontdesk-guarantor-picked")
    form.dirty = False
    form.reject()

    # A new patient with problems shown next to the fields.
    form = page.new_patient()
    form.resize(900, 860)
    QTest.keyClicks(form.fields.widgets["first_name"], "Ana")
    QTest.keyClicks(form.fields.widgets["dob"], "13/45/1990")
    QTest.keyClicks(form.fields.widgets["state"], "XX")
    form.save()
    shots.settle()
    form.grab().save(str(shots.OUT / "frontdesk-patient-form-problems.png"))
    print("saved frontdesk-patient-form-problems")
    form.dirty = False
    form.reject()

    # The policy screen, then the verification form.
    screen = page.open_insurance(patient_id)
    shots.settle()
    screen.grab().save(str(shots.OUT / "frontdesk-policies.png"))
    print("saved frontdesk-policies")
    dlg = screen.verify()
    assert dlg is not None
    dlg.resize(820, 600)
    for name, text in (
        ("representative", "Dana"),
        ("reference_no", "REF-77120"),
        ("copay", "25.00"),
        ("deductible", "1000.00"),
        ("deductible_met", "250.00"),
    ):
        QTest.keyClicks(dlg.fields.widgets[name], text)
    dlg.fields.set("method", "phone")
    dlg.fields.set("result", "active")
    shots.settle()
    dlg.grab().save(str(shots.OUT / "frontdesk-verification.png"))
    print("saved frontdesk-verification")
    dlg.save()
    dlg.accept()
    screen.accept()

    # The day list, and a check-in stopped by the gate. The demo office has
    # no visits on a weekend: then the morning is booked here (check-in is
    # for today's visits only).
    with store.session() as s, s.begin():
        if not appointments.day_list(s, actor, date.today()):
            provider = appointments.providers(s, actor)[0][0]
            insured = s.execute(
                select(Policy.patient_id).where(Policy.rank == 1).order_by(Policy.id).limit(8)
            ).scalars()
            for n, pid in enumerate(insured):
                appointments.book(
                    s,
                    actor,
                    appointments.AppointmentInput(
                        pid,
                        provider,
                        date.today(),
                        f"{9 + n // 3}:{(n % 3) * 20:02d}",
                        20,
                        "Follow-up",
                    ),
                    allow_conflicts=True,
                )
    page.tabs.setCurrentWidget(page.day_list)
    page.day_list.reload()
    shots.save(w, "frontdesk-day-list")
    stopped = passing = None
    with store.session() as s:
        for a in s.execute(
            select(Appointment).where(
                Appointment.day == page.day_list.day,
                Appointment.status == AppointmentStatus.SCHEDULED,
                Appointment.self_pay.is_(False),
            )
        ).scalars():
            check = checkin.gate(s, actor, a.id)
            if not check.passes and check.policy_id is not None and stopped is None:
                stopped = a.id
            elif check.passes and check.copay_due and passing is None:
                passing = a.id
    if stopped is not None:
        page.day_list.select(stopped)
        dlg = page.day_list.check_in()
        assert dlg is not None
        dlg.check_in_button.click()
        shots.settle()
        dlg.grab().save(str(shots.OUT / "frontdesk-checkin-stopped.png"))
        print("saved frontdesk-checkin-stopped")
        dlg.accept()
    if passing is not None:
        page.day_list.reload()
        page.day_list.select(passing)
        dlg = page.day_list.check_in()
        assert dlg is not None
        dlg.check_in_button.click()
        dlg.take_payment()
        shots.settle()
        dlg.grab().save(str(shots.OUT / "frontdesk-checkin-copay.png"))
        print("saved frontdesk-checkin-copay")
        dlg.accept()
    page.day_list.reload()
    shots.save(w, "frontdesk-day-list-after")

    # Booking another patient over a scheduled visit: "Double-book?"
    taken = next((r for r in page.day_list.model.rows if r.status_label == "Scheduled"), None)
    if taken is not None:
        other = next(h for h in page.search.hits() if h.id != taken.patient_id)
        page.day_list.new(other.id, f"{other.name}   Account {other.account_no}")
        aform = page.day_list.form
        aform.fields.set("provider_id", taken.provider_id)
        aform.fields.set("day", taken.day)
        aform.fields.set("start", taken.time_text)
        aform.fields.set("reason", "Follow-up")

        def show_question(parent: object, title: str, text: str) -> bool:
            box = QMessageBox(
                QMessageBox.Icon.Question,
                title,
                text,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                aform,
            )
            box.setDefaultButton(QMessageBox.StandardButton.No)
            box.show()
            shots.settle(300)
            box.grab().save(str(shots.OUT / "frontdesk-double-book.png"))
            print("saved frontdesk-double-book")
            box.close()
            return False

        day_list.ask_yes_no = show_question
        aform.save()
        aform.dirty = False
        aform.reject()

    page.tabs.setCurrentWidget(page.verify_tomorrow)
    page.verify_tomorrow.reload()
    shots.save(w, "frontdesk-verify-tomorrow")

    # The manager's override, then the list it lands on.
    mw = shots.main_window(store, paths, "manager")
    mpage = mw.open_area("frontdesk")
    assert mpage is not None
    if stopped is not None:
        mpage.tabs.setCurrentWidget(mpage.day_list)
        mpage.day_list.reload()
        mpage.day_list.select(stopped)
        dlg = mpage.day_list.check_in()
        assert dlg is not None
        dlg.check_in_button.click()
        QTest.keyClicks(dlg.override_reason, "Payer portal down; card seen, verify after lunch")
        shots.settle()
        dlg.grab().save(str(shots.OUT / "frontdesk-checkin-override.png"))
        print("saved frontdesk-checkin-override")
        dlg.override_button.click()
        dlg.accept()
    mpage.tabs.setCurrentWidget(mpage.unverified)
    mpage.unverified.reload()
    shots.save(mw, "frontdesk-without-verified-coverage")
    mpage.tabs.setCurrentWidget(mpage.payers)
    shots.save(mw, "frontdesk-payers")
    store.close()


if __name__ == "__main__":
    main()
