"""The claim check (scrubber): every problem that would get a claim rejected
or denied, each saying what to fix and which record to open to fix it.

Checks what the claim will print (its snapshot) plus what only the store
knows: the coverage verification for the date of service, other claims for
the same service, and the payer's filing limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.claims import Claim, ClaimLine, ClaimStatus
from app.models.coding import Encounter, EncounterStatus
from app.models.insurance import Payer, Policy
from app.reports.cms1500.fieldmap import LINES_PER_FORM, ident
from app.reports.cms1500.grid import TEXT as GRID_TEXT
from app.services import settings
from app.services.coverage import CoverageState, coverage_on, later_confirmation
from app.validation import (
    US_STATES,
    ein_problem,
    npi_problem,
    phone_problem,
    taxonomy_problem,
    zip_problem,
)

ERROR = "error"
WARNING = "warning"
FILING_WARN_DAYS = 30
MAX_MONEY = Decimal("99999.99")  # eight print positions: 99999 99

# CMS place-of-service codes (item 24B).
PLACES_OF_SERVICE = frozenset(
    [
        "01",
        "02",
        "03",
        "04",
        "05",
        "06",
        "07",
        "08",
        "09",
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "20",
        "21",
        "22",
        "23",
        "24",
        "25",
        "26",
        "27",
        "31",
        "32",
        "33",
        "34",
        "41",
        "42",
        "49",
        "50",
        "51",
        "52",
        "53",
        "54",
        "55",
        "56",
        "57",
        "58",
        "60",
        "61",
        "62",
        "65",
        "66",
        "71",
        "72",
        "81",
        "99",
    ]
)
_PROCEDURE = re.compile(r"^(\d{4}[0-9FTU]|[A-V]\d{4})$")  # CPT I/II/III/PLA or HCPCS II
_ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
_MBI_ALPHA = "AC-HJKMNP-RT-Y"
_MBI = re.compile(
    rf"^[1-9][{_MBI_ALPHA}][{_MBI_ALPHA}0-9][0-9][{_MBI_ALPHA}][{_MBI_ALPHA}0-9][0-9]"
    rf"[{_MBI_ALPHA}]{{2}}[0-9]{{2}}$"
)
_ID = re.compile(r"^[A-Za-z0-9]+$")
_MODIFIER = re.compile(r"^[A-Za-z0-9]{2}$")


@dataclass(frozen=True)
class ClaimProblem:
    """One thing to fix. ``fix_kind``/``fix_id`` name the record to open
    (``ctx.open_record(kind, id)``): patient, policy, payer, practice,
    provider, encounter or claim."""

    severity: str  # "error" blocks the claim; "warning" is worth a look
    item: str  # the CMS-1500 item, e.g. "1a" or "24D line 2"
    message: str
    fix_kind: str
    fix_id: Any
    fix_label: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "item": self.item,
            "message": self.message,
            "fix": [self.fix_kind, self.fix_id],
        }


@dataclass(frozen=True)
class CheckResult:
    problems: list[ClaimProblem]
    days_left: int | None  # to file with the payer; negative = past the limit

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)


FIX_LABELS = {
    "patient": "Open the patient",
    "policy": "Open the policy",
    "payer": "Open the payer",
    "practice": "Open the practice",
    "provider": "Open the provider",
    "encounter": "Open the visit",
    "claim": "Open the claim",
}


class _Problems:
    def __init__(self) -> None:
        self.items: list[ClaimProblem] = []

    def add(
        self, severity: str, item: str, message: str, kind: str, rec_id: Any, label: str = ""
    ) -> None:
        self.items.append(
            ClaimProblem(severity, item, message, kind, rec_id, label or FIX_LABELS[kind])
        )

    def error(self, item: str, message: str, kind: str, rec_id: Any) -> None:
        self.add(ERROR, item, message, kind, rec_id)

    def warning(self, item: str, message: str, kind: str, rec_id: Any) -> None:
        self.add(WARNING, item, message, kind, rec_id)


def _dx_problem(code: str, dos: date | None) -> str | None:
    """Why a diagnosis cannot go on the claim (format, not in the code set,
    not billable, before ICD-10), from the shared ICD-10-CM index."""
    if not _ICD10.match(code):
        return f"{code} is not an ICD-10-CM code"
    from app.codes.icd10 import index_for

    return index_for().diagnosis_problem(code, dos)


def _require(p: _Problems, item: str, value: object, label: str, kind: str, rec_id: Any) -> bool:
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        p.error(item, f"{label} is missing.", kind, rec_id)
        return False
    return True


def _check_address(
    p: _Problems, item: str, part: dict[str, Any], whose: str, kind: str, rec_id: Any
) -> None:
    """Street, city, state and ZIP of an address item (5, 7, 33)."""
    _require(p, item, part.get("address1"), f"{whose} street address", kind, rec_id)
    _require(p, item, part.get("city"), f"{whose} city", kind, rec_id)
    if (part.get("state") or "").upper() not in US_STATES:
        p.error(item, f"{whose} state is missing or not a US state code.", kind, rec_id)
    z = zip_problem(part.get("zip"))
    if z:
        p.error(item, f"{whose} ZIP {z}.", kind, rec_id)


def _check_patient(p: _Problems, pat: dict[str, Any]) -> None:
    pid = pat["id"]
    _require(p, "2", pat.get("last"), "Patient's last name", "patient", pid)
    _require(p, "2", pat.get("first"), "Patient's first name", "patient", pid)
    _require(p, "3", pat.get("dob"), "Patient's date of birth", "patient", pid)
    if pat.get("sex") not in ("M", "F"):
        p.error("3", "Patient's sex is not recorded as male or female.", "patient", pid)
    _check_address(p, "5", pat, "Patient's", "patient", pid)
    if pat.get("phone") and phone_problem(pat.get("phone", "")):
        p.warning("5", "Patient's phone is not a 10-digit number.", "patient", pid)
    if not pat.get("signature_on_file"):
        p.warning(
            "12",
            "No patient signature on file (release of information): get it signed.",
            "patient",
            pid,
        )


def _check_insured(
    p: _Problems, ins: dict[str, Any], program: str, claim_date: date, patient_id: int
) -> None:
    pol = ins["policy_id"]
    member = (ins.get("member_id") or "").strip()
    if not member:
        p.error("1a", "Insured's ID (member ID) is missing.", "policy", pol)
    elif not _ID.match(member):
        p.error(
            "1a",
            f"Insured's ID '{member}' has spaces or punctuation; enter it as on the card, "
            "letters and digits only.",
            "policy",
            pol,
        )
    elif program == "medicare" and not _MBI.match(member.upper()):
        p.error(
            "1a",
            f"Insured's ID '{member}' is not a Medicare Beneficiary Identifier "
            "(11 characters, e.g. 1EG4TE5MK73).",
            "policy",
            pol,
        )
    elif len(member) > 17:
        p.warning("1a", "Insured's ID is longer than item 1a prints (17).", "policy", pol)
    _require(p, "4", ins.get("last"), "Insured's (subscriber's) last name", "policy", pol)
    _require(p, "4", ins.get("first"), "Insured's (subscriber's) first name", "policy", pol)
    if _require(p, "11a", ins.get("dob"), "Insured's date of birth", "policy", pol) and (
        date.fromisoformat(ins.get("dob", "")) > claim_date
    ):
        p.error("11a", "Insured's date of birth is in the future.", "policy", pol)
    if ins.get("sex") not in ("M", "F"):
        p.error("11a", "Insured's sex is missing.", "policy", pol)
    if ins.get("relationship") not in ("self", "spouse", "child", "other"):
        p.error("6", "Patient's relationship to the insured is missing.", "policy", pol)
    _check_address(p, "7", ins, "Insured's", "policy", pol)


def _check_billing(p: _Problems, prac: dict[str, Any]) -> None:
    _require(p, "33", prac.get("name"), "Billing provider (practice) name", "practice", 1)
    _check_address(p, "33", prac, "Practice", "practice", 1)
    ph = phone_problem(prac.get("phone"), required=True)
    if ph:
        p.error("33", f"Practice phone {ph}.", "practice", 1)
    npi = npi_problem(prac.get("billing_npi"))
    if npi:
        p.error("33a", f"Billing NPI {npi}.", "practice", 1)
    ein = ein_problem(prac.get("ein"))
    if ein:
        p.error("25", f"Federal tax ID (EIN) {ein}.", "practice", 1)
    tax = taxonomy_problem(prac.get("taxonomy"))
    if tax:
        p.error("33b", f"Billing taxonomy code {tax}.", "practice", 1)


def _check_provider(p: _Problems, prov: dict[str, Any], item: str = "24J") -> None:
    pid = prov["id"]
    who = " ".join(x for x in (prov.get("first"), prov.get("last")) if x) or "the provider"
    npi = npi_problem(prov.get("npi"))
    if npi:
        p.error(item, f"Rendering NPI of {who} {npi}.", "provider", pid)
    tax = taxonomy_problem(prov.get("taxonomy"))
    if tax:
        p.error(item, f"Taxonomy code of {who} {tax}.", "provider", pid)


def _check_encounter(p: _Problems, snap: dict[str, Any]) -> None:
    enc = snap["encounter"]
    eid = enc["id"]
    payer = snap["payer"]
    pos = enc.get("place_of_service") or ""
    if pos not in PLACES_OF_SERVICE:
        p.error(
            "24B",
            f"Place of service '{pos}' is not a CMS place-of-service code (office is 11).",
            "encounter",
            eid,
        )
    name = (enc.get("referring_name") or "").strip()
    npi = (enc.get("referring_npi") or "").strip()
    if payer.get("needs_referring_provider") and not (name and npi):
        p.error(
            "17",
            f"{payer['name']} needs the referring provider's name and NPI on the claim.",
            "encounter",
            eid,
        )
    if npi and npi_problem(npi):
        p.error("17b", f"Referring provider NPI {npi_problem(npi)}.", "encounter", eid)
    if (name or npi) and (enc.get("referring_qualifier") or "DN") not in ("DN", "DK", "DQ"):
        p.error(
            "17",
            "Referring provider qualifier must be DN (referring), DK (ordering) or DQ "
            "(supervising).",
            "encounter",
            eid,
        )
    if enc.get("related_auto") and (enc.get("auto_state") or "").upper() not in US_STATES:
        p.error("10b", "Auto accident: the state where it happened is missing.", "encounter", eid)


def _check_codes(p: _Problems, snap: dict[str, Any]) -> None:
    eid = snap["encounter"]["id"]
    dx = snap.get("diagnoses", [])
    if not dx:
        p.error("21", "No diagnosis: code at least one ICD-10-CM diagnosis.", "encounter", eid)
    if len(dx) > 12:
        p.error(
            "21",
            f"{len(dx)} diagnoses: a CMS-1500 holds at most 12 (A-L). Keep the 12 the lines need.",
            "encounter",
            eid,
        )
    dos_text = snap["encounter"].get("date_of_service")
    dos = date.fromisoformat(dos_text) if dos_text else None
    for i, code in enumerate(dx[:12]):
        why = _dx_problem(code.strip().upper(), dos)
        if why:
            p.error(f"21{'ABCDEFGHIJKL'[i]}", f"Diagnosis {why}.", "encounter", eid)
    lines = snap.get("lines", [])
    if not lines:
        p.error("24", "The claim has no service lines.", "encounter", eid)
    letters = "ABCDEFGHIJKL"[: min(len(dx), 12)]
    for n, ln in enumerate(lines, start=1):
        where = f"line {n}"
        code = (ln.get("code") or "").strip().upper()
        if not code:
            p.error("24D", f"Service {where} has no CPT/HCPCS code.", "encounter", eid)
        elif not _PROCEDURE.match(code):
            p.error(
                "24D", f"Service {where}: '{code}' is not a CPT or HCPCS code.", "encounter", eid
            )
        for m in ln.get("modifiers", []):
            if not _MODIFIER.match(m):
                p.error(
                    "24D", f"Service {where}: modifier '{m}' is not 2 characters.", "encounter", eid
                )
        ptr = (ln.get("pointers") or "").strip().upper()
        if not ptr:
            p.error(
                "24E",
                f"Service {where} ({code or 'no code'}) has no diagnosis pointer: point it at "
                "the diagnosis it treats.",
                "encounter",
                eid,
            )
        else:
            bad = [ch for ch in ptr if ch not in letters]
            if bad or len(ptr) > 4 or len(set(ptr)) != len(ptr):
                p.error(
                    "24E",
                    f"Service {where}: pointer '{ptr}' must be 1-4 different letters of the "
                    f"diagnoses listed ({letters[:1] or 'A'}-{letters[-1:] or 'A'}).",
                    "encounter",
                    eid,
                )
        charge = Decimal(ln.get("charge", "0"))
        if charge <= 0:
            p.error("24F", f"Service {where} has no charge.", "encounter", eid)
        elif charge > MAX_MONEY:
            p.error("24F", f"Service {where}: the charge does not fit the form.", "encounter", eid)
        if int(ln.get("units") or 0) < 1:
            p.error("24G", f"Service {where}: units must be at least 1.", "encounter", eid)
        if ln.get("to") and ln.get("from") and ln.get("to", "") < ln.get("from", ""):
            p.error("24A", f"Service {where}: the 'to' date is before 'from'.", "encounter", eid)
    for start in range(0, len(lines), LINES_PER_FORM):
        total = sum(
            (Decimal(ln["charge"]) for ln in lines[start : start + LINES_PER_FORM]), Decimal(0)
        )
        if total > MAX_MONEY:
            p.error("28", "A form's total charge is more than 99,999.99.", "encounter", eid)


def check_snapshot(snap: dict[str, Any], *, today: date) -> list[ClaimProblem]:
    """The problems visible in the claim itself (no store needed)."""
    p = _Problems()
    _check_patient(p, snap["patient"])
    _check_insured(p, snap["insured"], str(snap["payer"]["program"]), today, snap["patient"]["id"])
    payer = snap["payer"]
    if not (payer.get("address1") and payer.get("city") and payer.get("zip")):
        p.error(
            "carrier", f"{payer['name']}'s claims mailing address is missing.", "payer", payer["id"]
        )
    _check_billing(p, snap["practice"])
    _check_provider(p, snap["provider"])
    seen = {snap["provider"]["id"]}
    for ln in snap.get("lines", []):
        if ln.get("provider_id") and ln["provider_id"] not in seen:
            seen.add(ln["provider_id"])
            _check_provider(
                p,
                {
                    "id": ln["provider_id"],
                    "npi": ln.get("provider_npi"),
                    "taxonomy": ln.get("provider_taxonomy"),
                },
            )
    _check_encounter(p, snap)
    _check_codes(p, snap)
    other = snap.get("other_insured")
    if snap.get("rank", 1) > 1:
        if not other:
            p.error(
                "9",
                "A claim to a secondary payer needs the primary insurance (items 9, 9a, 9d).",
                "policy",
                snap["insured"]["policy_id"],
            )
        else:
            if not (other.get("last") and other.get("first")):
                p.error("9", "Other insured's name is missing.", "policy", other["policy_id"])
            if not (other.get("member_id") or other.get("group_number")):
                p.error(
                    "9a",
                    "Other insured's policy or group number is missing.",
                    "policy",
                    other["policy_id"],
                )
    return p.items


ORIGINAL_REF_WIDTH = GRID_TEXT["22_ref"][2]


def original_ref_problem(ref: str) -> str | None:
    """Why ``ref`` cannot be printed whole in item 22 (None when it can)."""
    printed = ident(ref)
    if len(printed) <= ORIGINAL_REF_WIDTH:
        return None
    return (
        f"Original reference '{ref.strip()}' has {len(printed)} characters; item 22 prints "
        f"{ORIGINAL_REF_WIDTH}, and a shortened number matches no claim at the payer. Enter the "
        "payer's claim number (ICN) exactly as on the EOB, without spaces."
    )


def check(s: Session, claim: Claim, *, today: date | None = None) -> CheckResult:
    """Every problem with ``claim``; see ``ClaimProblem``."""
    today = today or date.today()
    snap = claim.snapshot if isinstance(claim.snapshot, dict) else {}
    if snap.get("version") != 1:
        return CheckResult(
            [
                ClaimProblem(
                    ERROR,
                    "-",
                    "This claim has no frozen copy of what it bills; make it again.",
                    "claim",
                    claim.id,
                    FIX_LABELS["claim"],
                )
            ],
            None,
        )
    p = _Problems()
    enc = s.get(Encounter, claim.encounter_id)
    if (
        enc is not None
        and enc.status is not EncounterStatus.CODED
        and claim.frequency != "8"
        and claim.status in (ClaimStatus.DRAFT, ClaimStatus.READY)
    ):
        p.error(
            "-",
            "The visit was reopened in Coding and is not coded yet: mark it coded there, "
            "then check this claim again (it takes the new coding).",
            "encounter",
            enc.id,
        )
    elif (
        enc is not None
        and claim.status in (ClaimStatus.DRAFT, ClaimStatus.READY)
        and claim.frequency == "1"
        and claim.primary_claim_id is None
        and enc.policy_id != claim.policy_id
    ):
        # The visit was recoded to bill another policy (or the patient).
        now = s.get(Policy, enc.policy_id) if enc.policy_id else None
        now_payer = s.get(Payer, now.payer_id) if now is not None else None
        to = s.get(Payer, claim.payer_id)
        p.error(
            "1a",
            f"The visit now bills {now_payer.name if now_payer else 'the patient (self-pay)'}, "
            f"not {to.name if to else 'this payer'}. Discard this draft (it never went out); "
            "New claims from coded visits then makes the claim to the visit's policy.",
            "claim",
            claim.id,
        )
    p.items.extend(check_snapshot(snap, today=today))
    _check_store(s, p, claim, snap, today)
    payer = s.get(Payer, claim.payer_id)
    days_left = None
    if payer is not None:
        days_left = payer.timely_filing_days - (today - claim.date_of_service).days
        if claim.status in (ClaimStatus.DRAFT, ClaimStatus.READY):
            if days_left < 0:
                p.error(
                    "-",
                    f"Past {payer.name}'s filing limit ({payer.timely_filing_days} days from the "
                    f"date of service) by {-days_left} days. Send it only with proof of timely "
                    "filing, or write the balance off.",
                    "payer",
                    payer.id,
                )
            elif days_left <= FILING_WARN_DAYS:
                p.warning(
                    "-",
                    f"Only {days_left} days left to file with {payer.name}.",
                    "payer",
                    payer.id,
                )
    order = {ERROR: 0, WARNING: 1}
    problems = sorted(p.items, key=lambda x: order.get(x.severity, 2))
    return CheckResult(problems, days_left)


def _check_store(s: Session, p: _Problems, claim: Claim, snap: dict[str, Any], today: date) -> None:
    policy = s.get(Policy, claim.policy_id)
    dos = claim.date_of_service
    if policy is not None:
        window = int(settings.get(s, "verification_window_days"))
        cov = coverage_on(s, policy, dos, window)
        if cov.state is CoverageState.INACTIVE:
            p.error(
                "1a",
                f"The policy is not active on the date of service: {cov.reason} "
                "Bill the right policy, or the patient.",
                "policy",
                policy.id,
            )
        elif cov.state in (CoverageState.NEVER, CoverageState.STALE):
            later = later_confirmation(s, policy.id, dos)
            if later is not None:
                p.warning(
                    "1a",
                    f"Coverage was not verified before the visit; the payer confirmed it on "
                    f"{later.verified_at.astimezone():%m/%d/%Y} for dates that include "
                    f"{dos:%m/%d/%Y}.",
                    "policy",
                    policy.id,
                )
            else:
                p.error(
                    "1a",
                    f"Coverage is not verified for the date of service {dos:%m/%d/%Y}: "
                    f"{cov.reason} Verify it with the payer (a check made now counts when the "
                    "payer gives coverage dates that include the visit) and record the call.",
                    "policy",
                    policy.id,
                )
    if claim.frequency in ("7", "8"):
        ref = (snap.get("original_ref") or "").strip()
        too_long = original_ref_problem(ref)
        if not ref or too_long:
            p.error(
                "22",
                too_long
                or "A replacement or void must quote the original claim's reference number.",
                "claim",
                claim.original_claim_id or claim.id,
            )
        return  # a correction repeats the service on purpose
    codes = {ln.get("code", "") for ln in snap.get("lines", []) if ln.get("code")}
    if not codes:
        return
    rows = s.execute(
        select(Claim.id, Claim.claim_no, ClaimLine.code)
        .join(ClaimLine, ClaimLine.claim_id == Claim.id)
        .where(
            Claim.patient_id == claim.patient_id,
            Claim.date_of_service == dos,
            Claim.id != claim.id,
            Claim.rank == claim.rank,
            Claim.frequency != "8",
            Claim.status.not_in((ClaimStatus.VOIDED, ClaimStatus.CORRECTED, ClaimStatus.CLOSED)),
            ClaimLine.code.in_(codes),
        )
        .order_by(Claim.id)
    ).all()
    shown: set[int] = set()
    for other_id, other_no, code in rows:
        if other_id == claim.original_claim_id or other_id in shown:
            continue
        shown.add(other_id)
        p.warning(
            "24D",
            f"Possible duplicate: claim {other_no} bills {code} for this patient on the same "
            "date. Void one, or add the modifier that tells them apart (e.g. 76, 59).",
            "claim",
            other_id,
        )
