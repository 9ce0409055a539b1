"""Print a sample claim data-only and lay it over the blank red form, to see
with one's own eyes that every item sits inside its box.

    .venv/bin/python scripts/cms1500_overlay.py [blank.pdf] [out.png]

Needs ``pdftoppm`` (poppler-utils). Writes ``docs/cms1500-overlay.png`` (the
data in black over the form in red) and, with ``--full``, also renders the
full-form drawing over the blank form as ``docs/cms1500-full-overlay.png``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from PIL import Image, ImageChops

from app.reports.cms1500.data_only import ClaimPdf
from app.reports.cms1500.fieldmap import field_map
from app.services.claim_snapshot import assemble_snapshot

ROOT = Path(__file__).resolve().parents[1]
BLANK = Path("/work/shared/reference/cms1500-02-12-blank.pdf")
DPI = 100


def sample_snapshot() -> dict[str, object]:
    """A claim that fills nearly every item: a child on a parent's plan, a
    second plan, a referring provider, six lines with modifiers and an NDC."""
    lines = []
    codes = [
        ("99214", "165.00", "AB", ["25"]),
        ("J1885", "18.50", "C", []),
        ("36415", "15.00", "A", []),
        ("85025", "28.00", "A", []),
        ("93000", "60.00", "D", ["59", "76"]),
        ("90471", "25.00", "E", []),
    ]
    for n, (code, charge, ptr, mods) in enumerate(codes, start=1):
        lines.append(
            {
                "service_line_id": n,
                "line_no": n,
                "from": "2025-03-14",
                "to": "2025-03-14",
                "place_of_service": "11",
                "emergency": n == 1,
                "code": code,
                "modifiers": mods,
                "pointers": ptr,
                "charge": charge,
                "units": 2 if code == "J1885" else 1,
                "epsdt": "",
                "ndc": "00409378201" if code == "J1885" else "",
                "ndc_unit": "ML" if code == "J1885" else "",
                "ndc_quantity": "1" if code == "J1885" else "",
                "provider_id": 1,
                "provider_npi": "1245319599",
                "provider_taxonomy": "207Q00000X",
                "prior_paid": "0.00",
            }
        )
    return assemble_snapshot(
        claim_no="250004711",
        created=date(2025, 3, 17),
        rank=1,
        frequency="7",
        original_ref="PHP25073000412",
        patient={
            "id": 1,
            "account_no": "100231",
            "last": "Brooks",
            "first": "Tyler",
            "middle": "James",
            "suffix": "",
            "dob": "2014-09-03",
            "sex": "M",
            "address1": "88 Cedar Ct",
            "address2": "",
            "city": "Chatham",
            "state": "IL",
            "zip": "62629",
            "phone": "2175550177",
            "signature_on_file": True,
            "insured_signature_on_file": True,
        },
        insured={
            "policy_id": 1,
            "member_id": "XJP448120931",
            "group_number": "ACME-4410",
            "plan_name": "Acme Employees PPO",
            "relationship": "child",
            "last": "Brooks",
            "first": "Naomi",
            "middle": "J",
            "dob": "1983-06-21",
            "sex": "F",
            "address1": "88 Cedar Ct",
            "city": "Chatham",
            "state": "IL",
            "zip": "62629",
            "phone": "2175550177",
        },
        other_insured={
            "policy_id": 2,
            "payer_id": 2,
            "payer_name": "Lincoln Mutual",
            "member_id": "LM55001234",
            "group_number": "SUP-7",
            "plan_name": "Lincoln Family Plan",
            "last": "Brooks",
            "first": "Marcus",
            "middle": "",
            "dob": "1981-01-02",
            "sex": "M",
        },
        payer={
            "id": 1,
            "name": "Prairie Health Plan",
            "address1": "Claims Department",
            "address2": "PO Box 4000",
            "city": "Chicago",
            "state": "IL",
            "zip": "60601",
            "program": "group",
            "needs_referring_provider": True,
            "timely_filing_days": 180,
        },
        provider={
            "id": 1,
            "last": "Okafor",
            "first": "Adaeze",
            "middle": "",
            "credentials": "MD",
            "npi": "1245319599",
            "taxonomy": "207Q00000X",
        },
        practice={
            "name": "Maple Street Family Med",
            "address1": "120 Maple Street",
            "address2": "",
            "city": "Springfield",
            "state": "IL",
            "zip": "62701",
            "phone": "2175550100",
            "ein": "371234567",
            "billing_npi": "1234567893",
            "taxonomy": "207Q00000X",
        },
        encounter={
            "id": 1,
            "date_of_service": "2025-03-14",
            "place_of_service": "11",
            "referring_qualifier": "DN",
            "referring_name": "Chen, Robert",
            "referring_npi": "1679576722",
            "prior_auth": "PA7781234",
            "illness_date": "2025-03-01",
            "illness_qualifier": "431",
            "related_employment": False,
            "related_auto": True,
            "auto_state": "IL",
            "related_other": False,
        },
        diagnoses=[
            "S93.401A",
            "E11.9",
            "I10",
            "E78.5",
            "Z23",
            "R05.9",
            "J02.9",
            "N39.0",
            "K21.9",
            "F41.1",
            "M54.50",
            "R51.9",
        ],
        lines=lines,
    )


def render_png(pdf: Path, out_stem: Path) -> Image.Image:
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), "-singlefile", str(pdf), str(out_stem)], check=True
    )
    return Image.open(out_stem.with_suffix(".png")).convert("RGB")


def overlay(blank: Path, data_pdf: Path, tmp: Path) -> Image.Image:
    form = render_png(blank, tmp / "blank")
    data = render_png(data_pdf, tmp / "data")
    # Multiply: white stays the form, black data shows on top of the red.
    return ImageChops.multiply(form, data)


def main(argv: list[str]) -> int:
    full = "--full" in argv
    args = [a for a in argv if not a.startswith("--")]
    blank = Path(args[0]) if args else BLANK
    out = Path(args[1]) if len(args) > 1 else ROOT / "docs" / "cms1500-overlay.png"
    snap = sample_snapshot()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        pdf_path = tmp / "sample.pdf"
        pdf = ClaimPdf(pdf_path)
        pdf.add_claim(field_map(snap))
        pdf.close()
        overlay(blank, pdf_path, tmp).save(out)
        print(f"saved {out}")
        if full:
            from app.reports.cms1500.full_form import FullFormPdf

            full_pdf = tmp / "full.pdf"
            ff = FullFormPdf(full_pdf)
            ff.add_claim(field_map(snap))
            ff.close()
            out2 = out.with_name("cms1500-full-overlay.png")
            overlay(blank, full_pdf, tmp).save(out2)
            render_png(full_pdf, out.with_name("cms1500-full-form"))
            print(f"saved {out2}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
