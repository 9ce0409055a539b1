"""A printer for screen tests: the print dialog is skipped and pages go to
PDF files in tmp_path through the real printing path (PDFium render,
QPainter on a QPrinter). Records the text of each document sent, read from
the source PDF before the program removes it."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pypdf
import pytest
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrinter

from app.ui import printing


def file_printer(out: Path, dpi: int = 100, paper: QPageSize.PageSizeId | None = None) -> QPrinter:
    p = QPrinter(QPrinter.PrinterMode.HighResolution)
    p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    p.setOutputFileName(str(out))
    p.setResolution(dpi)
    if paper is not None:
        p.setPageSize(QPageSize(paper))
    return p


class Paper:
    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.titles: list[str] = []
        self.texts: list[str] = []  # each document's text (all pages)
        self.sources: list[Path] = []
        self.outputs: list[Path] = []
        self.cancel = False
        real_sizes = printing.page_sizes

        def sizes(path: Path) -> list[printing.PageSize]:
            with pdfplumber.open(path) as pdf:
                self.texts.append("\n".join(p.extract_text() or "" for p in pdf.pages))
            self.sources.append(path)
            return real_sizes(path)

        def ask(_parent: object, title: str, found: list[printing.PageSize]) -> QPrinter | None:
            self.titles.append(title)
            if self.cancel:
                return None
            out = self.folder / f"printed-{len(self.outputs) + 1}.pdf"
            self.outputs.append(out)
            printer = file_printer(out, paper=QPageSize.PageSizeId.Letter)
            printing.set_paper(printer, found[0])
            return printer

        monkeypatch.setattr(printing, "page_sizes", sizes)
        monkeypatch.setattr(printing, "ask_printer", ask)

    def wait(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        """Until every print job has finished."""
        qtbot.waitUntil(lambda: not printing.running_jobs(), timeout=20000)

    def pages(self, n: int = -1) -> int:
        """Pages the printer got in print job ``n``."""
        return len(pypdf.PdfReader(self.outputs[n]).pages)


@pytest.fixture
def paper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paper:
    return Paper(tmp_path / "printer", monkeypatch)
