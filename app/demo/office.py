"""Practice, providers, staff, payers, patients, policies and verifications."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.demo import DEMO_PASSWORD, OfficeSize
from app.models.insurance import (
    Payer,
    Policy,
    Program,
    Relationship,
    Verification,
    VerifyMethod,
    VerifyResult,
)
from app.models.patient import Patient, Sex
from app.models.practice import Practice, Provider
from app.models.staff import Role, User
from app.services.auth import hash_password
from app.services.patients_search import search_key

FIRST_F = [
    "Mary",
    "Patricia",
    "Jennifer",
    "Linda",
    "Elizabeth",
    "Barbara",
    "Susan",
    "Jessica",
    "Sarah",
    "Karen",
    "Lisa",
    "Nancy",
    "Betty",
    "Margaret",
    "Sandra",
    "Ashley",
    "Emily",
    "Donna",
    "Michelle",
    "Carol",
    "Amanda",
    "Melissa",
    "Deborah",
    "Stephanie",
    "Rebecca",
    "Laura",
    "Sharon",
    "Cynthia",
    "Kathleen",
    "Amy",
    "Angela",
    "Anna",
    "Brenda",
    "Emma",
    "Olivia",
    "Sophia",
    "Ava",
    "Mia",
    "Grace",
    "Chloe",
]
FIRST_M = [
    "James",
    "Robert",
    "John",
    "Michael",
    "David",
    "William",
    "Richard",
    "Joseph",
    "Thomas",
    "Charles",
    "Christopher",
    "Daniel",
    "Matthew",
    "Anthony",
    "Mark",
    "Donald",
    "Steven",
    "Paul",
    "Andrew",
    "Joshua",
    "Kenneth",
    "Kevin",
    "Brian",
    "George",
    "Timothy",
    "Ronald",
    "Edward",
    "Jason",
    "Jeffrey",
    "Ryan",
    "Jacob",
    "Gary",
    "Nicholas",
    "Eric",
    "Jonathan",
    "Liam",
    "Noah",
    "Ethan",
    "Lucas",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
]
STREETS = [
    "Maple",
    "Oak",
    "Cedar",
    "Elm",
    "Pine",
    "Walnut",
    "Willow",
    "Birch",
    "Chestnut",
    "Spruce",
    "Hickory",
    "Poplar",
    "Aspen",
    "Linden",
    "Sycamore",
    "Magnolia",
    "Juniper",
    "Laurel",
    "Hawthorn",
    "Dogwood",
]
KINDS = ("Street", "Avenue", "Lane", "Road", "Court", "Drive", "Way")
CITIES = (
    ("Springfield", "IL", "627"),
    ("Chatham", "IL", "626"),
    ("Rochester", "IL", "626"),
    ("Sherman", "IL", "626"),
    ("Riverton", "IL", "626"),
    ("Petersburg", "IL", "626"),
)

_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # the letters a Medicare Beneficiary Identifier uses


def _member_id(drawn: str, *, medicare: bool) -> str:
    """The drawn member ID, or for Medicare an 11-character MBI made from it.

    Derived from the drawn ID (no further draws), so the rest of the office
    stays the same for a given seed.
    """
    if not medicare:
        return drawn
    r = random.Random(drawn)
    alpha = _MBI_LETTERS
    alnum = _MBI_LETTERS + "0123456789"
    digit = "0123456789"
    shape = ("123456789", alpha, alnum, digit, alpha, alnum, digit, alpha, alpha, digit, digit)
    return "".join(r.choice(chars) for chars in shape)


PAYERS = (
    ("Prairie Health Plan", "PHP01", Program.GROUP, 180, "PO Box 4000", "Chicago", "IL", "60601"),
    ("Heartland Mutual", "HMI22", Program.GROUP, 365, "PO Box 812", "Peoria", "IL", "61602"),
    ("Lakeside Benefit Co", "LBC07", Program.GROUP, 90, "PO Box 1550", "Milwaukee", "WI", "53202"),
    (
        "Medicare Part B (J6)",
        "00952",
        Program.MEDICARE,
        365,
        "PO Box 6475",
        "Indianapolis",
        "IN",
        "46206",
    ),
    (
        "Illinois Medicaid",
        "IL-MCD",
        Program.MEDICAID,
        180,
        "PO Box 19105",
        "Springfield",
        "IL",
        "62794",
    ),
    ("TRICARE North", "TRN01", Program.TRICARE, 365, "PO Box 7890", "Madison", "WI", "53707"),
    ("Union Workers Trust", "UWT44", Program.OTHER, 365, "PO Box 300", "St. Louis", "MO", "63101"),
)

PROVIDERS = (
    ("Okafor", "Adaeze", "MD", "1245319599", "207Q00000X"),
    ("Lindqvist", "Erik", "NP", "1679576722", "363LF0000X"),
)


def _luhn_npi(base9: str) -> str:
    total = 0
    for i, ch in enumerate(reversed("80840" + base9)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return base9 + str((10 - total % 10) % 10)


def populate(s: Session, rng: random.Random, size: OfficeSize) -> None:
    today = date.today()
    s.add(
        Practice(
            id=1,
            name="Maple Street Family Medicine",
            address1="120 Maple Street",
            address2="Suite 2",
            city="Springfield",
            state="IL",
            zip="62701",
            phone="2175550100",
            ein="371234567",
            billing_npi="1234567893",
            taxonomy="207Q00000X",
        )
    )
    for last, first, cred, npi, tax in PROVIDERS:
        s.add(Provider(last_name=last, first_name=first, credentials=cred, npi=npi, taxonomy=tax))
    pw = hash_password(DEMO_PASSWORD)
    for username, name, role in (
        ("manager", "Dana Whitfield", Role.MANAGER),
        ("biller", "Marcus Bell", Role.BILLER),
        ("reception", "Priya Raman", Role.RECEPTIONIST),
    ):
        s.add(User(username=username, full_name=name, role=role, password_hash=pw))
    for name, code, program, tfl, a1, city, st, z in PAYERS:
        s.add(
            Payer(
                name=name,
                payer_code=code,
                program=program,
                timely_filing_days=tfl,
                address1=a1,
                city=city,
                state=st,
                zip=z,
                phone=f"800555{rng.randrange(10000):04d}",
                needs_referring_provider=program in (Program.MEDICAID, Program.TRICARE),
            )
        )
    s.flush()
    payer_ids = list(s.execute(select(Payer.id).order_by(Payer.id)).scalars())
    medicare_ids = set(
        s.execute(select(Payer.id).where(Payer.program == Program.MEDICARE)).scalars()
    )
    manager_id = s.execute(select(User.id).where(User.username == "manager")).scalar_one()

    patients: list[dict[str, object]] = []
    for i in range(size.patients):
        sex = Sex.FEMALE if rng.random() < 0.54 else Sex.MALE
        first = rng.choice(FIRST_F if sex is Sex.FEMALE else FIRST_M)
        last = rng.choice(LAST)
        age_days = rng.randrange(1, 92 * 365)
        dob = today - timedelta(days=age_days)
        city, st, z3 = rng.choice(CITIES)
        phone = f"217{rng.randrange(200, 999)}{rng.randrange(10000):04d}"
        patients.append(
            dict(
                id=i + 1,
                account_no=f"{100001 + i}",
                last_name=last,
                first_name=first,
                middle_name=rng.choice(FIRST_F + FIRST_M) if rng.random() < 0.4 else "",
                search_last=search_key(last),
                search_first=search_key(first),
                dob=dob,
                sex=sex,
                address1=f"{rng.randrange(1, 9999)} {rng.choice(STREETS)} {rng.choice(KINDS)}",
                address2="",
                city=city,
                state=st,
                zip=f"{z3}{rng.randrange(100):02d}",
                phone_home=phone if rng.random() < 0.5 else "",
                phone_mobile=phone
                if rng.random() >= 0.5
                else f"217{rng.randrange(200, 999)}{rng.randrange(10000):04d}",
                phone_work="",
                email=f"{first.lower()}.{last.lower()}{i}@example.com"
                if rng.random() < 0.6
                else "",
                marital_status="",
                employment_status="",
                ssn="",
                preferred_language="English",
                emergency_name="",
                emergency_relationship="",
                emergency_phone="",
                guarantor_is_patient=age_days >= 18 * 365,
                guarantor_patient_id=None,
                guarantor_last_name="" if age_days >= 18 * 365 else last,
                guarantor_first_name="" if age_days >= 18 * 365 else rng.choice(FIRST_F + FIRST_M),
                guarantor_relationship="" if age_days >= 18 * 365 else "parent",
                guarantor_address1="",
                guarantor_address2="",
                guarantor_city="",
                guarantor_state="",
                guarantor_zip="",
                guarantor_phone="",
                signature_on_file=today - timedelta(days=rng.randrange(0, 900)),
                insured_signature_on_file=today - timedelta(days=rng.randrange(0, 900)),
                privacy_notice_ack=today - timedelta(days=rng.randrange(0, 900)),
                date_of_death=None,
                notes="",
                active=True,
                merged_into_id=None,
                created_at=datetime.now(UTC)
                - timedelta(days=rng.randrange(0, 365 * size.years + 1)),
                updated_at=datetime.now(UTC),
            )
        )
        kid = patients[-1]
        if not kid["guarantor_is_patient"]:  # a minor: the parent lives at the same address
            kid.update(
                guarantor_address1=kid["address1"],
                guarantor_city=kid["city"],
                guarantor_state=kid["state"],
                guarantor_zip=kid["zip"],
                guarantor_phone=kid["phone_home"] or kid["phone_mobile"],
            )
    _bulk(s, Patient, patients)

    policies: list[dict[str, object]] = []
    verifications: list[dict[str, object]] = []
    pid = 0
    for p in patients:
        if rng.random() < 0.08:
            continue  # self-pay patient
        ranks = 2 if rng.random() < 0.18 else 1
        chosen = rng.sample(payer_ids, ranks)
        for rank, payer_id in enumerate(chosen, start=1):
            pid += 1
            self_ins = p["guarantor_is_patient"] and rng.random() < 0.8
            rel = (
                Relationship.SELF
                if self_ins
                else (Relationship.CHILD if not p["guarantor_is_patient"] else Relationship.SPOUSE)
            )
            sub_first = p["first_name"] if self_ins else rng.choice(FIRST_F + FIRST_M)
            sub_dob = (
                p["dob"]
                if self_ins
                else date(1960 + rng.randrange(30), rng.randrange(1, 13), rng.randrange(1, 28))
            )
            policies.append(
                dict(
                    id=pid,
                    patient_id=p["id"],
                    payer_id=payer_id,
                    rank=rank,
                    member_id=_member_id(
                        f"{rng.choice('ABCDEFGHJKMNPRTW')}{rng.randrange(10**8, 10**9)}",
                        medicare=payer_id in medicare_ids,
                    ),
                    group_number=f"G{rng.randrange(1000, 99999)}",
                    plan_name=rng.choice(("PPO", "HMO", "EPO", "Standard")),
                    relationship=rel,
                    subscriber_last_name=p["last_name"],
                    subscriber_first_name=sub_first,
                    subscriber_middle_name="",
                    subscriber_dob=sub_dob,
                    subscriber_sex=p["sex"]
                    if self_ins
                    else (Sex.MALE if rng.random() < 0.5 else Sex.FEMALE),
                    subscriber_address1=p["address1"],
                    subscriber_city=p["city"],
                    subscriber_state=p["state"],
                    subscriber_zip=p["zip"],
                    subscriber_phone="",
                    effective_date=today - timedelta(days=rng.randrange(200, 3000)),
                    end_date=None,
                    copay=Decimal(rng.choice((0, 10, 20, 25, 30, 40))).quantize(Decimal("0.01")),
                    deductible=Decimal(rng.choice((0, 500, 1000, 1500, 2500))).quantize(
                        Decimal("0.01")
                    ),
                    coinsurance_pct=rng.choice((0, 10, 20, 30)),
                    active=True,
                    created_at=datetime.now(UTC),
                )
            )
            if rng.random() < 0.7:
                verifications.append(
                    dict(
                        policy_id=pid,
                        verified_at=datetime.now(UTC)
                        - timedelta(days=rng.randrange(0, 60), hours=rng.randrange(8)),
                        verified_by=manager_id,
                        method=rng.choice(list(VerifyMethod)),
                        representative=rng.choice(FIRST_F),
                        reference_no=f"REF{rng.randrange(10**6, 10**7)}",
                        result=VerifyResult.ACTIVE,
                        coverage_start=None,
                        coverage_end=None,
                        copay=None,
                        deductible=None,
                        deductible_met=None,
                        out_of_pocket_remaining=None,
                        coinsurance_pct=None,
                        notes="",
                    )
                )
    _bulk(s, Policy, policies)
    _bulk(s, Verification, verifications)


def _bulk(s: Session, model: type, rows: list[dict[str, object]], chunk: int = 5000) -> None:
    for i in range(0, len(rows), chunk):
        s.execute(insert(model), rows[i : i + chunk])
