"""Making, correcting and following claims; the list; printing batches."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pdfplumber
import pytest
from sqlalchemy import func, select

from app.errors import PermissionDenied, UserFacingError, ValidationError
from app.models.audit import AuditEvent
from app.models.claims import Claim, ClaimEvent, ClaimLine, ClaimStatus
from app.models.patient import Patient
from app.reports.cms1500.data_only import ClaimPdf
from app.services import claim_history, claim_print, claims, settings
from tests import factories
from tests import factories_claims as fc
from tests.unit.claims import scenarios

TODAY = scenarios.MADE_ON


def test_a_claim_gets_a_unique_number_a_snapshot_and_a_dated_history(office) -> None:
    built = scenarios.primary_claim(office, "six")
    with office.store.unit_of_work() as s:
        c = s.get(Claim, built.claim_id)
        assert c.claim_no == f"25{c.id:07d}"
        assert c.status is ClaimStatus.DRAFT
        assert c.total_charge == Decimal("315.00")
        assert c.snapshot["patient"]["last"] == "Alvarez"
        assert [
            ln.code
            for ln in s.execute(
                select(ClaimLine).where(ClaimLine.claim_id == c.id).order_by(ClaimLine.line_no)
            ).scalars()
        ] == ["99214", "36415", "85025", "80053", "93000", "81002"]
        (ev,) = s.execute(select(ClaimEvent).where(ClaimEvent.claim_id == c.id)).scalars()
        assert ev.status is ClaimStatus.DRAFT and ev.at is not None
        assert (
            s.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "claim_created")
            ).scalar_one()
            == 1
        )


def test_a_printed_claim_keeps_its_snapshot_when_the_patient_changes(office) -> None:
    built = scenarios.primary_claim(office)
    scenarios.mark_sent(office, built.claim_id)
    with office.store.unit_of_work() as s:
        s.get(Patient, built.patient_id).last_name = "Alvarez-Reyes"
        claims.check_claim(s, office.biller, built.claim_id, today=TODAY)
        assert s.get(Claim, built.claim_id).snapshot["patient"]["last"] == "Alvarez"


def test_a_visit_gets_one_standing_claim_per_policy(office) -> None:
    built = scenarios.primary_claim(office)
    with (
        office.store.unit_of_work() as s,
        pytest.raises(UserFacingError, match="already has claim"),
    ):
        claims.make_claim(s, office.biller, built.encounter_id)


def test_self_pay_and_uncoded_visits_get_no_claim(office) -> None:
    with office.store.unit_of_work() as s:
        pat = scenarios.patient(s)
        enc = fc.coded_visit(s, pat.id, office.provider_id, None)
        with pytest.raises(UserFacingError, match="self-pay"):
            claims.make_claim(s, office.biller, enc.id)
        pol = factories.policy(s, pat, scenarios.payer(s), member_id="A1")
        enc2 = fc.coded_visit(s, pat.id, office.provider_id, pol)
        from app.models.coding import EncounterStatus

        enc2.status = EncounterStatus.OPEN
        with pytest.raises(UserFacingError, match="not coded"):
            claims.make_claim(s, office.biller, enc2.id)


def test_receptionist_may_not_make_claims(office) -> None:
    built = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s, pytest.raises(PermissionDenied):
        claims.list_claims(s, office.receptionist)
    with office.store.unit_of_work() as s, pytest.raises(PermissionDenied):
        claims.check_claim(s, office.receptionist, built.claim_id)


def test_new_claims_for_coded_visits_come_out_checked(office) -> None:
    with office.store.unit_of_work() as s:
        pat = scenarios.patient(s)
        pol = factories.policy(s, pat, scenarios.payer(s), member_id="XJ77")
        fc.verify(s, pol, office.biller, on=date.today())
        fc.coded_visit(s, pat.id, office.provider_id, pol, dos=date.today())
        fc.coded_visit(
            s, pat.id, office.provider_id, pol, dos=date.today(), lines=fc.LINE_SETS["six"]
        )
        fc.coded_visit(s, pat.id, office.provider_id, None, dos=date.today())  # self-pay: none
        assert len(claims.unclaimed_visits(s, office.biller)) == 2
        made = claims.make_claims_for_coded_visits(s, office.biller)
        assert [m.status for m in made] == [ClaimStatus.READY, ClaimStatus.READY]
        assert claims.unclaimed_visits(s, office.biller) == []


def test_status_moves_follow_the_road(office) -> None:
    built = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        c = s.get(Claim, built.claim_id)
        with pytest.raises(UserFacingError, match="cannot be marked printed"):
            claim_history.set_status(s, office.biller, c, ClaimStatus.PRINTED)
    scenarios.mark_sent(office, built.claim_id)
    with office.store.unit_of_work() as s:
        c = s.get(Claim, built.claim_id)
        claim_history.set_status(s, office.biller, c, ClaimStatus.DENIED, "CO-16")
        claim_history.set_status(s, office.biller, c, ClaimStatus.APPEALED, "letter sent")
        claim_history.set_status(s, office.biller, c, ClaimStatus.PAID, "paid on appeal")
        claim_history.set_status(s, office.biller, c, ClaimStatus.CLOSED)
        history = [
            e.status
            for e in s.execute(
                select(ClaimEvent).where(ClaimEvent.claim_id == c.id).order_by(ClaimEvent.id)
            ).scalars()
        ]
        assert history == [
            ClaimStatus.DRAFT,
            ClaimStatus.READY,
            ClaimStatus.PRINTED,
            ClaimStatus.DENIED,
            ClaimStatus.APPEALED,
            ClaimStatus.PAID,
            ClaimStatus.CLOSED,
        ]


def test_a_voided_claim_takes_no_payment(office) -> None:
    built = scenarios.primary_claim(office)
    scenarios.mark_sent(office, built.claim_id)
    with office.store.unit_of_work() as s:
        void = claims.correct_claim(s, office.biller, built.claim_id, "void", "ICN778", today=TODAY)
        c = s.get(Claim, built.claim_id)
        assert c.status is ClaimStatus.VOIDED and c.payer_claim_ref == "ICN778"
        v = s.get(Claim, void.id)
        assert (v.frequency, v.snapshot["original_ref"], v.original_claim_id) == (
            "8",
            "ICN778",
            c.id,
        )
        assert v.snapshot["lines"] == c.snapshot["lines"]  # a void repeats the original
        with pytest.raises(UserFacingError, match="voided"):
            claim_history.set_status(s, office.biller, c, ClaimStatus.PAID)
    # A new claim may now be made for the visit (e.g. to the right payer).
    with office.store.unit_of_work() as s:
        claims.make_claim(s, office.biller, built.encounter_id, today=TODAY)


def test_corrections_only_for_claims_that_went_out(office) -> None:
    built = scenarios.primary_claim(office)
    with (
        office.store.unit_of_work() as s,
        pytest.raises(UserFacingError, match="went to the payer"),
    ):
        claims.correct_claim(s, office.biller, built.claim_id, "replace")
    scenarios.mark_sent(office, built.claim_id)
    with office.store.unit_of_work() as s, pytest.raises(ValidationError):
        claims.correct_claim(s, office.biller, built.claim_id, "replace", "ICN 12/4")
    with office.store.unit_of_work() as s:  # no payer reference: the office's claim number
        made = claims.correct_claim(s, office.biller, built.claim_id, "replace", today=TODAY)
        assert (
            s.get(Claim, made.id).snapshot["original_ref"] == s.get(Claim, built.claim_id).claim_no
        )
        assert s.get(Claim, built.claim_id).status is ClaimStatus.CORRECTED


def test_a_correction_refuses_a_reference_item_22_would_cut(office) -> None:
    built = scenarios.primary_claim(office)
    scenarios.mark_sent(office, built.claim_id)
    with office.store.unit_of_work() as s, pytest.raises(ValidationError) as ei:
        claims.correct_claim(s, office.biller, built.claim_id, "replace", "PHP-2607-3000412345")
    (p,) = ei.value.problems
    assert p.field == "original_ref"
    assert p.message.startswith(
        "Original reference 'PHP-2607-3000412345' has 19 characters; item 22 prints 17"
    )
    with office.store.session() as s:  # nothing made
        assert s.get(Claim, built.claim_id).status is ClaimStatus.PRINTED
        assert s.execute(select(func.count(Claim.id))).scalar() == 1


def test_replacement_is_not_its_own_duplicate(office) -> None:
    _original, replacement = scenarios.replacement_claim(office)
    with office.store.unit_of_work() as s:
        out = claims.check_claim(s, office.biller, replacement.claim_id, today=date(2025, 5, 2))
    assert out.errors == [] and not [p for p in out.problems if "duplicate" in p.message]


def test_secondary_waits_for_the_primary_payment(office) -> None:
    with office.store.unit_of_work() as s:
        pat = scenarios.patient(s)
        pol1 = factories.policy(s, pat, scenarios.payer(s), member_id="P1")
        factories.policy(s, pat, scenarios.payer(s, "Second Plan"), rank=2, member_id="S1")
        enc = fc.coded_visit(s, pat.id, office.provider_id, pol1)
        made = claims.make_claim(s, office.biller, enc.id, today=TODAY)
        with pytest.raises(UserFacingError, match="no payment posted"):
            claims.make_secondary(s, office.biller, made.id)
        # The primary claim names the secondary as the other insured (item 11d).
        snap = s.get(Claim, made.id).snapshot
        assert snap["other_insured"]["member_id"] == "S1"


def test_secondary_reads_the_primary_paid_amount_from_the_ledger(office) -> None:
    primary, secondary = scenarios.secondary_claim(office)
    with office.store.unit_of_work() as s:
        c = s.get(Claim, secondary.claim_id)
        assert (c.rank, c.primary_claim_id) == (2, primary.claim_id)
        assert [ln.get("prior_paid", "0.00") for ln in c.snapshot["lines"]] == [
            "92.00",
            "8.40",
            "0.00",
        ]
        assert c.snapshot["other_insured"]["payer_name"] == "Medicare Part B"
        with pytest.raises(UserFacingError, match="already has claim"):
            claims.make_secondary(s, office.biller, primary.claim_id)


def test_the_list_filters_and_shows_days_left(office) -> None:
    a = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        pat = scenarios.patient(s, last="Zimmer", first="Ann")
        other_payer = scenarios.payer(s, "Second Plan", timely_filing_days=90)
        pol = factories.policy(s, pat, other_payer, member_id="Z1")
        enc = fc.coded_visit(s, pat.id, office.provider_id, pol, dos=date(2025, 1, 6))
        b = claims.make_claim(s, office.biller, enc.id, today=TODAY)
    scenarios.mark_sent(office, a.claim_id)
    with office.store.unit_of_work() as s:
        everything = claims.list_claims(s, office.biller, today=TODAY)
        assert everything.total == 2
        assert [r.id for r in everything.rows] == [a.claim_id, b.id]  # newest service first
        row_b = everything.rows[1]
        assert row_b.days_since_dos == (TODAY - date(2025, 1, 6)).days
        assert row_b.days_left == 90 - row_b.days_since_dos
        assert row_b.patient == "Zimmer, Ann" and row_b.payer == "Second Plan"
        f = claims.ClaimFilter
        assert [
            r.id
            for r in claims.list_claims(
                s, office.biller, f(statuses=(ClaimStatus.PRINTED,)), today=TODAY
            ).rows
        ] == [a.claim_id]
        assert [
            r.id
            for r in claims.list_claims(
                s, office.biller, f(payer_id=other_payer.id), today=TODAY
            ).rows
        ] == [b.id]
        assert [
            r.id for r in claims.list_claims(s, office.biller, f(min_age_days=60), today=TODAY).rows
        ] == [b.id]
        assert [
            r.id for r in claims.list_claims(s, office.biller, f(max_age_days=30), today=TODAY).rows
        ] == [a.claim_id]
        assert [
            r.id
            for r in claims.list_claims(
                s,
                office.biller,
                f(dos_from=date(2025, 3, 1), dos_to=date(2025, 3, 31)),
                today=TODAY,
            ).rows
        ] == [a.claim_id]
        assert [
            r.id for r in claims.list_claims(s, office.biller, f(text="zim"), today=TODAY).rows
        ] == [b.id]
        assert [
            r.id
            for r in claims.list_claims(
                s, office.biller, f(text=s.get(Claim, b.id).claim_no), today=TODAY
            ).rows
        ] == [b.id]
        assert (
            claims.list_claims(
                s, office.biller, f(provider_id=office.provider_id + 99), today=TODAY
            ).total
            == 0
        )


def test_detail_shows_history_lines_and_ledger_and_is_audited(office) -> None:
    primary, _secondary = scenarios.secondary_claim(office)
    with office.store.unit_of_work() as s:
        d = claims.claim_detail(s, office.biller, primary.claim_id, today=TODAY)
        assert [h.status for h in d.history][:3] == [
            ClaimStatus.DRAFT,
            ClaimStatus.READY,
            ClaimStatus.PRINTED,
        ]
        assert d.history[-1].status is ClaimStatus.PARTLY_PAID
        assert [ln.code for ln in d.lines] == ["99214", "36415", "85025"]
        assert [(e.kind, e.amount) for e in d.ledger] == [
            ("insurance payment", Decimal("-92.00")),
            ("insurance payment", Decimal("-8.40")),
        ]
        assert d.insurance_paid == Decimal("100.40")
        assert d.can_correct
        assert (
            s.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "claim_viewed")
            ).scalar_one()
            == 1
        )


class _Sink:
    def __init__(self) -> None:
        self.pdf = ClaimPdf(io.BytesIO())
        self.claims = 0

    def add_claim(self, forms) -> int:
        self.claims += 1
        return self.pdf.add_claim(forms)


def test_a_cancelled_batch_marks_only_the_claims_it_produced(office) -> None:
    ids = [scenarios.primary_claim(office, kind).claim_id for kind in ("one", "nine", "six")]
    with office.store.unit_of_work() as s:
        for cid in ids:
            claims.check_claim(s, office.biller, cid, today=TODAY)
        # The later visits are possible duplicates of the first, but not errors.
        assert claim_print.ready_claim_ids(s, office.biller) == ids
    sink = _Sink()
    calls = []

    def cancelled() -> bool:
        return len(calls) >= 2  # the person presses Cancel after two claims

    with office.store.read_session() as s, s.begin():
        done = claim_print.render_claims(
            s,
            office.biller,
            ids,
            sink,
            progress=lambda d, n: calls.append((d, n)),
            cancelled=cancelled,
        )
    assert done == ids[:2] and calls == [(1, 3), (2, 3)]
    assert sink.pdf.pages == 3  # one form + two forms
    with office.store.unit_of_work() as s:
        claim_print.mark_printed(s, office.biller, done, "PDF file")
        statuses = [s.get(Claim, cid).status for cid in ids]
    assert statuses == [ClaimStatus.PRINTED, ClaimStatus.PRINTED, ClaimStatus.READY]


def test_drafts_are_left_out_of_a_print_selection(office) -> None:
    a = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        job = claim_print.printable(s, office.biller, [a.claim_id])
    assert job.claim_ids == [] and "run the check first" in job.skipped[0]


def test_printer_offsets_are_kept_per_printer(office) -> None:
    with office.store.unit_of_work() as s:
        claim_print.save_printer_offsets(s, office.biller, "Front LaserJet", 2.5, -1.0)
        claim_print.save_printer_offsets(s, office.biller, "Back office", 0.0, 3.0)
        with pytest.raises(ValidationError):
            claim_print.save_printer_offsets(s, office.biller, "Front LaserJet", 80.0, 0.0)
    with office.store.unit_of_work() as s:
        assert claim_print.printer_offsets(s, "Front LaserJet") == (2.5, -1.0)
        assert claim_print.printer_offsets(s, "Unknown") == (0.0, 0.0)
        assert settings.get(s, "cms1500_offsets")["Back office"] == {"dx": 0.0, "dy": 3.0}


def test_the_pdf_of_a_batch_reads_back(office) -> None:
    built = scenarios.primary_claim(office, "nine")
    buf = io.BytesIO()
    pdf = ClaimPdf(buf)
    with office.store.read_session() as s, s.begin():
        claims_done = claim_print.render_claims(s, office.biller, [built.claim_id], pdf)
    pdf.close()
    buf.seek(0)
    with pdfplumber.open(buf) as doc:
        assert len(doc.pages) == 2 and claims_done == [built.claim_id]
        assert "ALVAREZ, MARIA, L" in doc.pages[0].extract_text()


def test_old_claims_past_the_window_show_negative_days_left(office) -> None:
    built = scenarios.primary_claim(office)
    with office.store.unit_of_work() as s:
        row = claims.list_claims(s, office.biller, today=fc.DOS + timedelta(days=200)).rows[0]
    assert row.id == built.claim_id and row.days_left == -20


def test_a_reversed_answer_goes_back_but_a_draft_cannot_jump_ahead(office) -> None:
    from app.services.claim_history import can_move

    S = ClaimStatus
    assert can_move(S.PAID, S.PRINTED) and can_move(S.DENIED, S.APPEALED)
    assert can_move(S.READY, S.PAID)  # sent outside the program, answered
    assert not can_move(S.DRAFT, S.PRINTED)
    assert not can_move(S.VOIDED, S.PAID)
    assert not can_move(S.CORRECTED, S.READY)
