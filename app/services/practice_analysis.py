"""Practice analysis for any range of days: per procedure code and per
diagnosis (the top 25) counts and amounts; the payer mix (each payer's share
of charges and of collections); the collection rate; and days in A/R.

- Collections are payments received less refunds, in the range.
- Collection rate = collections / (charges - contractual adjustments).
- Days in A/R = A/R at the end of the range / average charges per day in it.
- A diagnosis counts the visits in the range that list it (any position); a
  line's charge and payments count for the diagnosis its first pointer names,
  so the diagnoses' amounts add up to the lines' amounts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.models.coding import Encounter, EncounterDiagnosis, ServiceLine
from app.models.ledger import AdjustmentType, EntryKind, LedgerEntry
from app.money import ZERO, sum_money
from app.services.auth import Actor, Permission, require
from app.services.month_totals import (
    PATIENTS,
    PAYMENT_KINDS,
    PayerRow,
    ProcedureRow,
    by_procedure,
    by_provider_and_payer,
    check_day_range,
)

TOP_DIAGNOSES = 25
PATIENTS_LABEL = PATIENTS
POINTER_LETTERS = "ABCDEFGHIJKL"
MAX_YEARS = 12


@dataclass(frozen=True)
class DiagnosisRow:
    code: str
    description: str
    visits: int
    charges: Decimal
    payments: Decimal


@dataclass(frozen=True)
class PayerMixRow:
    payer: str
    charges: Decimal
    charge_share: Decimal  # percent, one decimal
    collections: Decimal
    collection_share: Decimal


@dataclass(frozen=True)
class PracticeAnalysis:
    start: date
    end: date  # inclusive
    procedures: tuple[ProcedureRow, ...]
    diagnoses: tuple[DiagnosisRow, ...]  # the top 25 by visits
    other_diagnoses: int  # how many more codes were used
    payer_mix: tuple[PayerMixRow, ...]
    charges: Decimal
    contractual: Decimal
    collections: Decimal
    collection_rate: Decimal | None  # percent, one decimal
    ar_end: Decimal
    days: int
    days_in_ar: Decimal | None  # one decimal

    @property
    def average_daily_charges(self) -> Decimal:
        return (self.charges / self.days).quantize(Decimal("0.01"), ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole == ZERO:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def icd_descriptions(codes: Iterable[str]) -> dict[str, str]:
    """ICD-10-CM descriptions from the code-set search index (built on first use)."""
    from app.codes.icd10 import index_for

    wanted = list(codes)
    found = index_for().descriptions(wanted)
    return {c: found.get(c, found.get(c.replace(".", ""), "")) for c in wanted}


def _first_pointer_position() -> object:
    first = func.substr(ServiceLine.pointers, 1, 1)
    return case(
        *((first == letter, i) for i, letter in enumerate(POINTER_LETTERS, start=1)),
        else_=1,
    )


def by_diagnosis(
    s: Session,
    start: date,
    stop: date,
    describe: Callable[[Iterable[str]], dict[str, str]] | None = icd_descriptions,
) -> tuple[list[DiagnosisRow], int]:
    """The top diagnoses in [start, stop) by visits, and how many others."""
    visits: dict[str, int] = dict(
        s.execute(
            select(EncounterDiagnosis.code, func.count(func.distinct(Encounter.id)))
            .join(Encounter, Encounter.id == EncounterDiagnosis.encounter_id)
            .where(Encounter.date_of_service >= start, Encounter.date_of_service < stop)
            .group_by(EncounterDiagnosis.code)
        ).all()
    )
    le, sl, ed = LedgerEntry, ServiceLine, EncounterDiagnosis
    charges: dict[str, Decimal] = defaultdict(lambda: ZERO)
    payments: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, kind, amount in s.execute(
        select(ed.code, le.kind, func.sum(le.amount))
        .join(sl, sl.id == le.service_line_id)
        .join(
            ed,
            and_(ed.encounter_id == sl.encounter_id, ed.position == _first_pointer_position()),
        )
        .where(
            le.entry_date >= start,
            le.entry_date < stop,
            le.kind.in_((EntryKind.CHARGE, *PAYMENT_KINDS)),
        )
        .group_by(ed.code, le.kind)
    ):
        if kind is EntryKind.CHARGE:
            charges[code] += sum_money(amount)
        else:
            payments[code] -= sum_money(amount)
    codes = set(visits) | set(charges)
    ranked = sorted(codes, key=lambda c: (-visits.get(c, 0), -charges[c], c))
    top = ranked[:TOP_DIAGNOSES]
    names = describe(top) if describe else {}
    rows = [
        DiagnosisRow(c, names.get(c, ""), visits.get(c, 0), charges[c], payments[c]) for c in top
    ]
    return rows, len(ranked) - len(top)


def payer_mix(rows: Iterable[PayerRow]) -> list[PayerMixRow]:
    rows = list(rows)
    charges = sum((r.charges for r in rows), ZERO)
    collections = sum((r.net_collections for r in rows), ZERO)
    out = [
        PayerMixRow(
            r.payer,
            r.charges,
            percent(r.charges, charges) or ZERO,
            r.net_collections,
            percent(r.net_collections, collections) or ZERO,
        )
        for r in rows
    ]
    out.sort(key=lambda r: (-r.charges, r.payer))
    return out


def practice_analysis(
    s: Session,
    actor: Actor,
    start: date | None,
    end: date | None,
    *,
    describe: Callable[[Iterable[str]], dict[str, str]] | None = icd_descriptions,
) -> PracticeAnalysis:
    """The practice analysis of [start, end] (both days included)."""
    require(actor, Permission.REPORTS)
    start, end = check_day_range(
        start,
        end,
        max_days=MAX_YEARS * 366,
        too_long=f"To: the analysis covers at most {MAX_YEARS} years after From",
    )
    stop = end + timedelta(days=1)
    le = LedgerEntry
    by_kind = {
        (kind, adj): sum_money(amount)
        for kind, adj, amount in s.execute(
            select(le.kind, le.adjustment_type, func.sum(le.amount))
            .where(le.entry_date >= start, le.entry_date < stop)
            .group_by(le.kind, le.adjustment_type)
        )
    }
    charges = sum((v for (k, _), v in by_kind.items() if k is EntryKind.CHARGE), ZERO)
    contractual = -sum(
        (
            v
            for (k, a), v in by_kind.items()
            if k is EntryKind.ADJUSTMENT and a is AdjustmentType.CONTRACTUAL
        ),
        ZERO,
    )
    payments = -sum((v for (k, _), v in by_kind.items() if k in PAYMENT_KINDS), ZERO)
    refunds = sum((v for (k, _), v in by_kind.items() if k is EntryKind.REFUND), ZERO)
    collections = payments - refunds
    ar_end = sum_money(s.execute(select(func.sum(le.amount)).where(le.entry_date < stop)).scalar())
    days = (end - start).days + 1
    days_in_ar = None
    if charges > ZERO:
        days_in_ar = (ar_end * days / charges).quantize(Decimal("0.1"), ROUND_HALF_UP)
    _, payers = by_provider_and_payer(s, start, stop)
    diagnoses, others = by_diagnosis(s, start, stop, describe)
    return PracticeAnalysis(
        start=start,
        end=end,
        procedures=tuple(by_procedure(s, start, stop)),
        diagnoses=tuple(diagnoses),
        other_diagnoses=others,
        payer_mix=tuple(payer_mix(payers)),
        charges=charges,
        contractual=contractual,
        collections=collections,
        collection_rate=percent(collections, charges - contractual),
        ar_end=ar_end,
        days=days,
        days_in_ar=days_in_ar,
    )
