"""Screenshots of the Reports area (``make screenshots``): the month's totals
reviewed, the day sheet, the practice analysis, and the first page of the
printed monthly totals (docs/reports-month-pdf.png, rendered with pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QDate
from shots import OUT, app, demo_store, main_window, save, settle

DOCS = Path(__file__).resolve().parents[1] / "docs"


def main() -> None:
    app()
    store, paths = demo_store(300)
    w = main_window(store, paths, "manager")
    page = w.open_area("reports")
    page.month.review_selected()
    save(w, "reports-month")

    page.tabs.setCurrentWidget(page.day_sheet)
    yesterday = date.today() - timedelta(days=1)
    while yesterday.weekday() >= 5:
        yesterday -= timedelta(days=1)
    d = QDate(yesterday.year, yesterday.month, yesterday.day)
    page.day_sheet.start.setDate(d)
    page.day_sheet.end.setDate(d)
    page.day_sheet.run()
    save(w, "reports-day-sheet")

    page.tabs.setCurrentWidget(page.analysis)
    done: list[bool] = []
    page.analysis.shown.connect(lambda: done.append(True))
    page.analysis.run()
    for _ in range(200):
        if done:
            break
        settle(100)
    page.analysis.tabs.setCurrentIndex(1)
    save(w, "reports-analysis")

    # The printed report's first page, as the office would see it.
    if shutil.which("pdftoppm"):
        from app.reports.month_report import render_month_pdf
        from app.services import month_close

        with store.read_session() as s, s.begin():
            review = month_close.review_month(s, w.ctx.actor, page.month.month)
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "month.pdf"
            render_month_pdf(review.report, pdf, status=review.state.summary)
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "80",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(DOCS / "reports-month-pdf"),
                ],
                check=True,
            )
        print(f"saved {DOCS / 'reports-month-pdf.png'}")
    print(f"screenshots in {OUT}")
    w.close()
    store.close()


if __name__ == "__main__":
    main()
