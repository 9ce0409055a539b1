"""Printing batches through the claims page: to a Qt printer (here one that
writes a PDF), plain paper, and a batch cancelled part way."""

from __future__ import annotations

import pdfplumber
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from app.config import Paths
from app.models.claims import Claim, ClaimStatus
from app.services import claim_print, claims
from app.ui.claims.page import ClaimsPage
from app.ui.claims.printing import FULL_FORM
from app.ui.context import UiContext
from tests.unit.claims import scenarios


@pytest.fixture
def ready_claims(office) -> list[int]:
    ids = [scenarios.primary_claim(office, kind).claim_id for kind in ("one", "nine", "six")]
    with office.store.unit_of_work() as s:
        for cid in ids:
            claims.check_claim(s, office.biller, cid, today=scenarios.MADE_ON)
        assert claim_print.ready_claim_ids(s, office.biller) == ids
    return ids


def _page(qtbot, office, tmp_path) -> ClaimsPage:
    page = ClaimsPage(UiContext(office.store, Paths(tmp_path), office.biller))
    qtbot.addWidget(page)
    return page


def _pdf_printer(path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def _statuses(office, ids):
    with office.store.unit_of_work() as s:
        return [s.get(Claim, cid).status for cid in ids]


def test_print_ready_claims_on_a_printer_with_its_offsets(
    qtbot, office, tmp_path, ready_claims, monkeypatch
) -> None:
    out = tmp_path / "printer.pdf"
    printer = _pdf_printer(out)
    name = printer.printerName() or "printer"  # a PDF-writing QPrinter has no name
    with office.store.unit_of_work() as s:
        claim_print.save_printer_offsets(s, office.biller, name, 3.6, -2.0)
    page = _page(qtbot, office, tmp_path)
    monkeypatch.setattr(page, "ask_printer", lambda: printer)
    page.act_print_ready.trigger()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=20000)
    assert page.last_result.error == ""
    assert page.message.text() == "Printed 3 claims (4 pages)."
    assert _statuses(office, ready_claims) == [ClaimStatus.PRINTED] * 3
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 4
        first = pdf.pages[0]
        assert (round(first.width), round(first.height)) == (612, 792)
        # Item 2 starts at line 10, column 1 (x 24 pt, baseline 140 pt from the top).
        words = first.extract_words()
        patient, insured = sorted(
            (w for w in words if w["text"] == "ALVAREZ,"), key=lambda w: w["x0"]
        )
        assert patient["x0"] == pytest.approx(24.0 + 3.6, abs=1.0)
        assert patient["bottom"] == pytest.approx(140.0 - 2.0, abs=4.0)
        # Item 4 at column 50 of the same line: the monospaced font keeps the pitch.
        assert insured["x0"] == pytest.approx(24.0 + 3.6 + 7.2 * 49, abs=1.5)


def test_plain_paper_batch_saved_as_pdf(qtbot, office, tmp_path, ready_claims, monkeypatch) -> None:
    out = tmp_path / "plain.pdf"
    page = _page(qtbot, office, tmp_path)
    page.paper.setCurrentIndex(page.paper.findData(FULL_FORM))
    monkeypatch.setattr(page, "ask_save_path", lambda: out)
    page.act_save_ready.trigger()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=20000)
    assert page.message.text() == "Saved 3 claims (4 pages)."
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 4
        assert "HEALTH INSURANCE CLAIM FORM" in pdf.pages[3].extract_text()
    assert not (tmp_path / "plain.pdf.part").exists()


def test_plain_paper_on_a_printer(qtbot, office, tmp_path, ready_claims, monkeypatch) -> None:
    out = tmp_path / "plain-printer.pdf"
    page = _page(qtbot, office, tmp_path)
    page.paper.setCurrentIndex(page.paper.findData(FULL_FORM))
    monkeypatch.setattr(page, "ask_printer", lambda: _pdf_printer(out))
    page.act_print_ready.trigger()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=20000)
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 4
        text = pdf.pages[0].extract_text()
        assert "HEALTH INSURANCE CLAIM FORM" in text and "ALVAREZ, MARIA, L" in text
        assert len(pdf.pages[0].lines) + len(pdf.pages[0].rects) > 100


def test_cancel_keeps_the_pages_made_and_marks_only_those(
    qtbot, office, tmp_path, ready_claims, monkeypatch
) -> None:
    out = tmp_path / "cancelled.pdf"
    page = _page(qtbot, office, tmp_path)
    monkeypatch.setattr(page, "ask_save_path", lambda: out)
    page.act_save_ready.trigger()
    runner = page.runner
    assert runner is not None and runner.dialog.isVisible()
    # The person presses Cancel while the first claim is being drawn.
    runner.worker.progress.connect(
        lambda *_: runner.worker.cancel(), Qt.ConnectionType.DirectConnection
    )
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=20000)
    result = page.last_result
    assert result.cancelled and result.printed == ready_claims[:1]
    assert "Stopped after 1 of 3" in page.message.text()
    assert _statuses(office, ready_claims) == [
        ClaimStatus.PRINTED,
        ClaimStatus.READY,
        ClaimStatus.READY,
    ]
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 1
    assert not runner.dialog.isVisible()


def test_a_batch_that_fails_marks_nothing(
    qtbot, office, tmp_path, ready_claims, monkeypatch
) -> None:
    page = _page(qtbot, office, tmp_path)
    monkeypatch.setattr(page, "ask_save_path", lambda: tmp_path / "no-such-dir" / "x.pdf")
    warnings = []
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    page.act_save_ready.trigger()
    qtbot.waitUntil(lambda: page.last_result is not None, timeout=20000)
    assert page.last_result.error and warnings
    assert _statuses(office, ready_claims) == [ClaimStatus.READY] * 3
