"""The whole form on plain paper: drawn as vectors, with the data on the
same grid as the red-form printout."""

from __future__ import annotations

import io

import pdfplumber

from app.models.claims import Claim
from app.reports.cms1500 import field_map
from app.reports.cms1500.full_form import FullFormPdf
from tests.unit.claims import scenarios
from tests.unit.claims.test_layout import Page, _assert_items


def test_full_form_is_vector_with_labels_and_the_data_in_place(office) -> None:
    built = scenarios.primary_claim(office, "nine")
    with office.store.unit_of_work() as s:
        forms = field_map(s.get(Claim, built.claim_id).snapshot)
    buf = io.BytesIO()
    pdf = FullFormPdf(buf)
    for f in forms:
        pdf.add_form(f)
    pdf.close()
    buf.seek(0)
    with pdfplumber.open(buf) as doc:
        assert len(doc.pages) == 2
        for page, form in zip(doc.pages, forms, strict=True):
            assert page.images == []  # drawn, not a scanned picture
            assert len(page.lines) + len(page.rects) > 150
            words = _only(page, "Helvetica").extract_text()
            for label in (
                "HEALTH INSURANCE CLAIM FORM",
                "1a. INSURED'S I.D. NUMBER",
                "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY",
                "28. TOTAL CHARGE",
                "33. BILLING PROVIDER INFO & PH #",
            ):
                assert label in words
            data = Page(_only(page, "Courier"))
            _assert_items(data, form)
    # The drawn form is one reusable object: two pages cost little more than one.
    assert len(buf.getvalue()) < 60_000


def _only(page, font: str):
    return page.filter(lambda obj: obj.get("object_type") != "char" or font in obj["fontname"])
