"""Finding a patient from one search box, as fast as the person types.

One box takes a name prefix ("smi jo" finds John Smith, last and first name
in either order; "smith, jo" says which is which), a date of birth in the
usual typed forms, an account number, a phone number in any format, or an
insurance member ID. Every kind of match is an indexed prefix range
(``col >= 'SMI' AND col < 'SMJ'``), limited on its own, and the union is
joined once to the primary policy, its payer and its latest verification so a
result row carries its coverage badge. Plain portable SQL: no LIKE (SQLite's
case-insensitive LIKE cannot use the indexes), no SQLite-only functions.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select, union
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, aliased

from app.models.insurance import Payer, Policy, Verification, VerifyResult
from app.models.patient import Patient
from app.services import settings
from app.services.auth import Actor, Permission, require
from app.services.coverage import CheckFacts, CoverageState, PolicyFacts, coverage_state
from app.validation import format_phone

RESULT_LIMIT = 50


def search_key(name: str) -> str:
    """Upper case, accents removed, only letters and digits: ``O'Brien`` -> ``OBRIEN``."""
    folded = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch)).upper()


# ------------------------------------------------------------------ typed dates

_DATE_SEP = re.compile(r"^(\d{1,4})[/\-.](\d{1,2})[/\-.](\d{1,4})$")


def parse_typed_date(text: str, *, today: date | None = None, past: bool = True) -> date | None:
    """A date as people type it: ``05/17/1970``, ``5/17/70``, ``5-17-1970``,
    ``1970-05-17``, ``05171970``. Empty text is None; anything else that is
    not a real date raises ``ValueError``. A two-digit year is the latest year
    ending in those digits that is not after this year (``past``: right for
    birth dates), or else one up to 20 years ahead (a visit or a policy end next
    year: ``1/5/27`` typed in 2026 is 2027, not 1927; ``1/1/75`` is 1975)."""
    t = text.strip()
    if not t:
        return None
    today = today or date.today()
    m = _DATE_SEP.match(t)
    if m:
        a, b, c = m.groups()
        if len(a) == 4:  # ISO: year-month-day
            y, mo, d = int(a), int(b), int(c)
        elif len(c) in (2, 4) and len(a) <= 2:
            mo, d, y = int(a), int(b), int(c)
            if len(c) == 2:
                y = _century(y, today, past)
        else:
            raise ValueError(t)
    elif t.isdigit() and len(t) == 8:
        mo, d, y = int(t[:2]), int(t[2:4]), int(t[4:])
    elif t.isdigit() and len(t) == 6:
        mo, d, y = int(t[:2]), int(t[2:4]), _century(int(t[4:]), today, past)
    else:
        raise ValueError(t)
    if y < 1800:
        raise ValueError(t)
    return date(y, mo, d)  # ValueError for 02/30 and the like


def _century(yy: int, today: date, past: bool) -> int:
    if past:
        y = 2000 + yy
        return y if y <= today.year else y - 100
    y = today.year - today.year % 100 + yy
    if y > today.year + 20:
        return y - 100
    return y + 100 if y <= today.year - 80 else y


def date_or_none(text: str, *, past: bool = True) -> date | None:
    try:
        return parse_typed_date(text, past=past)
    except ValueError:
        return None


# ------------------------------------------------------------------ the query


@dataclass
class SearchQuery:
    """What one typed search means: each list is one kind of prefix match."""

    names: list[tuple[str, str]] = field(default_factory=list)  # (last prefix, first prefix)
    dob: date | None = None
    account: str = ""
    phone: str = ""
    member: str = ""

    @property
    def empty(self) -> bool:
        return not (self.names or self.dob or self.account or self.phone or self.member)


def parse_query(text: str) -> SearchQuery:
    """Read the search box. Letters are names; digits are an account number,
    phone, member ID or date of birth (all tried, the results merged)."""
    q = SearchQuery()
    t = text.strip()
    if not t:
        return q
    if "," in t:
        last, _, first = t.partition(",")
        lk, fk = search_key(last), search_key(first)
        if lk and not any(ch.isdigit() for ch in lk):
            q.names.append((lk, fk))
            return q
    q.dob = date_or_none(t)
    words = [search_key(w) for w in t.split()]
    words = [w for w in words if w]
    if words and all(w.isalpha() for w in words):
        if len(words) == 1:
            q.names.append((words[0], ""))
        for i in range(1, len(words)):
            head, tail = "".join(words[:i]), "".join(words[i:])
            q.names.append((head, tail))
            q.names.append((tail, head))
        return q
    compact = re.sub(r"[\s()\-.+/]", "", t)
    if compact.isdigit():
        if compact == t.strip():
            q.account = compact
        d = normalize_digits_phone(compact)
        if len(d) >= 7:
            q.phone = d
    member = re.sub(r"[\s\-]", "", t).upper()
    if member.isalnum() and any(ch.isdigit() for ch in member):
        q.member = member
    return q


def normalize_digits_phone(d: str) -> str:
    return d[1:] if len(d) == 11 and d.startswith("1") else d


def _next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _range(col: Any, name: str) -> ColumnElement[bool]:
    return and_(col >= bindparam(f"{name}_lo"), col < bindparam(f"{name}_hi"))


# The shape of a query: for each name pair whether it has a first-name part,
# then whether it looks up a birth date, account, phone, member ID.
Shape = tuple[tuple[bool, ...], bool, bool, bool, bool]


def _shape(q: SearchQuery) -> Shape:
    return (
        tuple(bool(first) for _, first in q.names),
        q.dob is not None,
        bool(q.account),
        bool(q.phone),
        bool(q.member),
    )


def _params(q: SearchQuery) -> dict[str, object]:
    p: dict[str, object] = {}

    def rng(name: str, prefix: str) -> None:
        p[f"{name}_lo"], p[f"{name}_hi"] = prefix, _next_prefix(prefix)

    for i, (last, first) in enumerate(q.names):
        rng(f"last{i}", last)
        if first:
            rng(f"first{i}", first)
    if q.dob:
        p["dob"] = q.dob
    if q.account:
        rng("account", q.account)
    if q.phone:
        rng("phone", q.phone)
    if q.member:
        rng("member", q.member)
    return p


def not_merged() -> ColumnElement[bool]:
    """Records not merged into another. Written so that no index serves it:
    "merged_into_id IS NULL" is true of nearly every row, but without table
    statistics the planner would take ix_patient_merged_into for it and walk
    the whole table instead of the name index."""
    return func.coalesce(Patient.merged_into_id, 0) == 0


def _candidate_ids(shape: Shape, limit: int) -> Select:
    """The union of every kind of match, each kind limited on its own (so the
    work is bounded however short the prefix)."""
    names, dob, account, phone, member = shape
    live = not_merged()
    parts: list[Select] = []
    for i, has_first in enumerate(names):
        cond = [_range(Patient.search_last, f"last{i}"), live]
        if has_first:
            cond.append(_range(Patient.search_first, f"first{i}"))
        parts.append(
            select(Patient.id)
            .where(*cond)
            .order_by(Patient.search_last, Patient.search_first)
            .limit(limit)
        )
    if dob:
        parts.append(select(Patient.id).where(Patient.dob == bindparam("dob"), live).limit(limit))
    if account:
        parts.append(
            select(Patient.id)
            .where(_range(Patient.account_no, "account"))
            .order_by(Patient.account_no)
            .limit(limit)
        )
    if phone:
        for col in (Patient.phone_home, Patient.phone_mobile):
            parts.append(
                select(Patient.id).where(_range(col, "phone"), live).order_by(col).limit(limit)
            )
    if member:
        parts.append(
            select(Policy.patient_id)
            .where(_range(Policy.member_id, "member"))
            .order_by(Policy.member_id)
            .limit(limit)
        )
    # SQLite refuses LIMIT inside a compound SELECT unless each part is a subquery.
    wrapped = [select(p.subquery().c[0]) for p in parts]
    if len(wrapped) == 1:
        return wrapped[0]
    return select(union(*wrapped).subquery().c[0])


@functools.lru_cache(maxsize=64)
def _statement(shape: Shape, limit: int) -> Select:
    # Built once per shape: building a statement costs far more than running it.
    pol = aliased(Policy)
    ver = aliased(Verification)
    latest = (
        select(Verification.id)
        .where(Verification.policy_id == pol.id)
        .order_by(Verification.verified_at.desc(), Verification.id.desc())
        .limit(1)
        .correlate(pol)
        .scalar_subquery()
    )
    stmt: Select = (
        select(
            Patient.id,
            Patient.account_no,
            Patient.last_name,
            Patient.first_name,
            Patient.middle_name,
            Patient.suffix,
            Patient.dob,
            Patient.phone_home,
            Patient.phone_mobile,
            Patient.active,
            pol.id,
            pol.active,
            pol.effective_date,
            pol.end_date,
            pol.member_id,
            Payer.name,
            ver.verified_at,
            ver.result,
            ver.coverage_start,
            ver.coverage_end,
        )
        .select_from(Patient)
        .outerjoin(pol, and_(pol.patient_id == Patient.id, pol.rank == 1))
        .outerjoin(Payer, Payer.id == pol.payer_id)
        .outerjoin(ver, ver.id == latest)
        .where(Patient.id.in_(_candidate_ids(shape, limit + 1)))
        .order_by(Patient.search_last, Patient.search_first, Patient.id)
        .limit(limit + 1)
    )
    return stmt


def search_statement(
    q: SearchQuery, limit: int = RESULT_LIMIT
) -> tuple[Select, dict[str, object]] | None:
    """The one statement a search runs (matches joined to the primary policy,
    its payer and its latest verification, in name order) and its parameters."""
    if q.empty:
        return None
    return _statement(_shape(q), limit), _params(q)


@dataclass(frozen=True)
class CompiledSearch:
    """A search statement compiled once for the store's SQL dialect."""

    sql: str
    names: tuple[str, ...] | None  # positional parameter order, None for named
    defaults: dict[str, object]

    def bind(self, params: dict[str, object]) -> tuple[object, ...] | dict[str, object]:
        values = self.defaults | {
            k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()
        }
        return tuple(values[n] for n in self.names) if self.names is not None else values


@functools.lru_cache(maxsize=128)
def compiled_search(dialect: Dialect, shape: Shape, limit: int) -> CompiledSearch:
    c = _statement(shape, limit).compile(dialect=dialect)
    order = tuple(c.positiontup) if c.positional and c.positiontup else None
    return CompiledSearch(c.string, order, dict(c.params))


@dataclass(slots=True)
class PatientHit:
    """One search result: what the person needs to pick the right patient."""

    id: int
    account_no: str
    name: str
    dob: date
    phone: str
    payer: str  # primary payer, "" for self-pay
    member_id: str
    coverage: CoverageState | None  # None: no primary policy (self-pay)
    last_verified: datetime | None

    @property
    def badge(self) -> str:
        return self.coverage.label if self.coverage else "Self-pay"


@dataclass(frozen=True)
class SearchResult:
    hits: list[PatientHit]
    more: bool  # there are more matches than shown: type more


def display_name(last: str, first: str, middle: str = "", suffix: str = "") -> str:
    mid = f" {middle[0]}." if middle else ""
    suf = f" {suffix}" if suffix else ""
    return f"{last}{suf}, {first}{mid}"


def search_patients(
    s: Session,
    actor: Actor,
    text: str,
    *,
    limit: int = RESULT_LIMIT,
    today: date | None = None,
    window_days: int | None = None,
) -> SearchResult:
    """Patients matching the search box, in name order, with their primary
    payer and coverage badge for ``today``. Merged-away records are left out.

    ``window_days`` is the verification window (read from the settings when
    not given; a search box reads it once, not per keystroke)."""
    require(actor, Permission.PATIENT_VIEW)
    q = parse_query(text)
    if q.empty:
        return SearchResult([], False)
    today = today or date.today()
    window = (
        int(settings.get(s, "verification_window_days")) if window_days is None else window_days
    )
    # Per keystroke, building and compiling a statement costs several times
    # more than running it: it is compiled once per shape for this dialect
    # and run on the session's own driver connection (same transaction); the
    # few typed values are converted in ``_hit``.
    conn = s.connection()
    search = compiled_search(conn.dialect, _shape(q), limit)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        rows = cursor.execute(search.sql, search.bind(_params(q))).fetchall()
    finally:
        cursor.close()
    hits = [_hit(r, today, window) for r in rows[:limit]]
    return SearchResult(hits, len(rows) > limit)


def _day(v: object) -> date | None:
    if v is None or isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def _moment(v: object) -> datetime | None:
    # Timestamps are stored naive UTC (``UTCDateTime``).
    if v is None:
        return None
    at = v if isinstance(v, datetime) else datetime.fromisoformat(str(v))
    return at.replace(tzinfo=UTC)


def _hit(r: Any, today: date, window: int) -> PatientHit:
    (pid, acct, last, first, middle, suffix, dob, ph, pm, _active) = r[:10]
    (pol_id, pol_active, eff, end, member, payer) = r[10:16]
    (v_at, v_result, v_start, v_end) = r[16:20]
    state: CoverageState | None = None
    at = _moment(v_at)
    if pol_id is not None:
        facts = PolicyFacts(bool(pol_active), _day(eff), _day(end))
        check = (
            CheckFacts(at, VerifyResult(v_result), _day(v_start), _day(v_end))
            if at is not None
            else None
        )
        state = coverage_state(facts, check, today, window)
    return PatientHit(
        int(pid),
        str(acct),
        display_name(last, first, middle, suffix),
        _day(dob) or date.min,
        format_phone(ph or pm or ""),
        payer or "",
        member or "",
        state,
        at,
    )
