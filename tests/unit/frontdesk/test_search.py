"""The one search box: names, birth dates, account numbers, phones, member IDs."""

from __future__ import annotations

from datetime import date

import pytest

from app.services import patients, patients_search
from app.services.coverage import CoverageState
from app.services.patients_search import parse_query, parse_typed_date, search_patients
from tests import factories
from tests import factories_frontdesk as fd


@pytest.fixture
def people(office):
    with office.store.unit_of_work() as s:
        payer = factories.payer(s, name="Prairie Health Plan").id
        ids = {
            "john": fd.register(s, office.receptionist),
            "joan": fd.register(
                s,
                office.receptionist,
                first_name="Joan",
                middle_name="",
                dob="1/2/1980",
                phone_home="",
            ),
            "smithers": fd.register(
                s,
                office.receptionist,
                last_name="Smithers",
                first_name="Wayland",
                middle_name="",
                dob="3/3/1955",
                phone_home="",
                phone_mobile="217.555.0177",
            ),
            "jones": fd.register(
                s,
                office.receptionist,
                last_name="Jones",
                first_name="Smita",
                middle_name="",
                dob="7/4/1990",
                phone_home="",
            ),
            "obrien": fd.register(
                s,
                office.receptionist,
                last_name="O'Brien",
                first_name="Zoë",
                middle_name="",
                dob="9/9/1999",
                phone_home="",
            ),
        }
        pol = fd.add_policy(s, office.receptionist, ids["john"], payer, member_id="ZX99887766")
        fd.verify(s, office.receptionist, pol)
    return ids


def _names(office, text):
    with office.store.read_session() as s, s.begin():
        return [h.name for h in search_patients(s, office.receptionist, text).hits]


def test_last_and_first_name_prefixes_in_either_order(office, people) -> None:
    # Either order: "smi jo" is also last "JO", first "SMI" (Jones, Smita).
    both = ["Jones, Smita", "Smith, Joan", "Smith, John E."]
    assert _names(office, "smi jo") == both
    assert _names(office, "jo smi") == both
    assert _names(office, "smith, jo") == ["Smith, Joan", "Smith, John E."]
    assert _names(office, "SMITH JOH") == ["Smith, John E."]
    assert _names(office, "smi") == ["Smith, Joan", "Smith, John E.", "Smithers, Wayland"]
    assert _names(office, "smithe") == ["Smithers, Wayland"]
    assert _names(office, "smx") == []


def test_punctuation_and_accents_do_not_matter(office, people) -> None:
    assert _names(office, "obrien") == ["O'Brien, Zoë"]
    assert _names(office, "o'bri zoe") == ["O'Brien, Zoë"]


@pytest.mark.parametrize(
    "typed", ["05/17/1970", "5/17/1970", "5-17-1970", "1970-05-17", "05171970"]
)
def test_date_of_birth_in_several_forms(office, people, typed) -> None:
    assert _names(office, typed) == ["Smith, John E."]


def test_account_number_phone_and_member_id(office, people) -> None:
    assert _names(office, "100003") == ["Smithers, Wayland"]
    for typed in ("(217) 555-0177", "217-555-0177", "2175550177", "1 217 555 0177", "217555017"):
        assert _names(office, typed) == ["Smithers, Wayland"], typed
    assert _names(office, "zx9988") == ["Smith, John E."]
    assert _names(office, "ZX99887766") == ["Smith, John E."]


def test_results_carry_account_payer_and_coverage_badge(office, people) -> None:
    with office.store.read_session() as s, s.begin():
        hits = {h.name: h for h in search_patients(s, office.receptionist, "smi").hits}
    john = hits["Smith, John E."]
    assert john.account_no == "100001"
    assert john.dob == date(1970, 5, 17)
    assert john.payer == "Prairie Health Plan"
    assert john.coverage is CoverageState.VERIFIED and john.badge == "Verified"
    assert john.phone == "(217) 555-0142"
    assert hits["Smith, Joan"].coverage is None and hits["Smith, Joan"].badge == "Self-pay"


def test_the_badge_follows_the_window(office, people) -> None:
    with office.store.unit_of_work() as s:
        pol = patients.open_patient(s, office.receptionist, people["john"]).policies[0]
        fd.verify(s, office.receptionist, pol.id, days_ago=0)
    with office.store.read_session() as s, s.begin():
        hit = search_patients(s, office.receptionist, "smith john").hits[0]
    assert hit.coverage is CoverageState.VERIFIED
    with office.store.read_session() as s, s.begin():
        later = date.today().replace(year=date.today().year + 1)
        hit = search_patients(s, office.receptionist, "smith john", today=later).hits[0]
    assert hit.coverage is CoverageState.STALE


def test_merged_records_are_not_found(office, people) -> None:
    with office.store.unit_of_work() as s:
        patients.merge(s, office.manager, people["john"], people["joan"], reason="duplicate")
    assert _names(office, "smi jo") == ["Jones, Smita", "Smith, John E."]


def test_more_matches_than_shown_says_so(office) -> None:
    with office.store.unit_of_work() as s:
        for i in range(7):
            fd.register(
                s,
                office.receptionist,
                first_name=f"Kid{chr(65 + i)}",
                middle_name="",
                phone_home="",
            )
    with office.store.read_session() as s, s.begin():
        r = search_patients(s, office.receptionist, "smith", limit=5)
    assert len(r.hits) == 5 and r.more
    assert [h.name for h in r.hits][:2] == ["Smith, KidA", "Smith, KidB"]


def test_query_reading() -> None:
    q = parse_query("smi jo")
    assert q.names == [("SMI", "JO"), ("JO", "SMI")]
    assert parse_query("  ").empty
    q = parse_query("(217) 555-0177")
    assert q.phone == "2175550177" and q.account == "" and q.names == []
    q = parse_query("100003")
    assert q.account == "100003" and q.member == "100003" and q.phone == ""
    assert parse_query("de la cruz maria").names[0] == ("DE", "LACRUZMARIA")
    assert ("DELACRUZ", "MARIA") in parse_query("de la cruz maria").names


def test_typed_dates() -> None:
    today = date(2026, 3, 1)
    assert parse_typed_date("3/1/26", today=today) == date(2026, 3, 1)
    assert parse_typed_date("3/1/27", today=today) == date(1927, 3, 1)
    assert parse_typed_date("", today=today) is None
    # Dates that may lie ahead (visits, policy ends): a two-digit year is
    # up to 20 years ahead, not a century back.
    assert parse_typed_date("3/1/27", today=today, past=False) == date(2027, 3, 1)
    assert parse_typed_date("12/31/46", today=today, past=False) == date(2046, 12, 31)
    assert parse_typed_date("1/1/75", today=today, past=False) == date(1975, 1, 1)
    assert parse_typed_date("030127", today=today, past=False) == date(2027, 3, 1)
    for bad in ("13/01/2000", "2/30/2000", "abc", "1/1/1700", "123"):
        with pytest.raises(ValueError):
            parse_typed_date(bad, today=today)


def test_search_statement_is_portable_sql() -> None:
    # Range conditions on the indexed columns; no LIKE, no SQLite functions.
    stmt, params = patients_search.search_statement(parse_query("smi jo"))
    sql = str(stmt).upper()
    assert " LIKE " not in sql and "SUBSTR" not in sql and "GLOB" not in sql
    assert params["last0_lo"] == "SMI" and params["last0_hi"] == "SMJ"


def test_search_walks_the_name_index_not_the_table(office, people) -> None:
    # Guard: "not merged" must not lure the planner onto ix_patient_merged_into
    # (a full walk of the table at 100,000 patients).
    q = parse_query("smi jo")
    with office.store.read_session() as s, s.begin():
        conn = s.connection()
        c = patients_search.compiled_search(conn.dialect, patients_search._shape(q), 50)
        plan = " ".join(
            str(r[-1])
            for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + c.sql, c.bind(patients_search._params(q))
            )
        )
    assert "ix_patient_search_name" in plan
    assert "merged_into" not in plan and "SCAN patient" not in plan
