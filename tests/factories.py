"""Small builders for test data, written straight through the ORM (no
permissions, no audit) so a test sets up exactly the office it needs."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app.models.insurance import Payer, Policy, Program, Relationship
from app.models.patient import Patient, Sex
from app.models.practice import Practice, Provider
from app.models.staff import Role, User
from app.services.auth import Actor, actor_for, hash_password

PASSWORD = "correct horse battery"
_seq = itertools.count(1)

# Valid NPIs (Luhn with prefix 80840).
NPI_PRACTICE = "1234567893"
NPI_PROVIDER = "1245319599"
NPI_OTHER = "1679576722"


def practice(s: Session) -> Practice:
    p = Practice(
        id=1,
        name="Maple Street Family Medicine",
        address1="120 Maple Street",
        city="Springfield",
        state="IL",
        zip="62701",
        phone="2175550100",
        ein="371234567",
        billing_npi=NPI_PRACTICE,
        taxonomy="207Q00000X",
    )
    s.add(p)
    s.flush()
    return p


def provider(s: Session, npi: str = NPI_PROVIDER, last: str = "Okafor") -> Provider:
    p = Provider(
        last_name=last, first_name="Adaeze", credentials="MD", npi=npi, taxonomy="207Q00000X"
    )
    s.add(p)
    s.flush()
    return p


def user(s: Session, role: Role, username: str | None = None) -> Actor:
    u = User(
        username=username or f"{role.value}{next(_seq)}",
        full_name=f"Test {role.label}",
        role=role,
        password_hash=hash_password(PASSWORD),
    )
    s.add(u)
    s.flush()
    return actor_for(u)


def patient(s: Session, last: str = "Smith", first: str = "John", **kw: object) -> Patient:
    n = next(_seq)
    fields: dict[str, object] = dict(
        account_no=f"{100000 + n}",
        last_name=last,
        first_name=first,
        search_last=last.upper(),
        search_first=first.upper(),
        dob=date(1970, 5, 17),
        sex=Sex.MALE,
        address1="12 Oak Lane",
        city="Springfield",
        state="IL",
        zip="62704",
        phone_home=f"217555{n % 10000:04d}",
    )
    fields.update(kw)
    p = Patient(**fields)
    s.add(p)
    s.flush()
    return p


def payer(
    s: Session, name: str = "Prairie Health Plan", program: Program = Program.GROUP, **kw: object
) -> Payer:
    fields: dict[str, object] = dict(
        name=name,
        payer_code="PHP01",
        address1="PO Box 4000",
        city="Chicago",
        state="IL",
        zip="60601",
        phone="8005550199",
        program=program,
        timely_filing_days=180,
    )
    fields.update(kw)
    p = Payer(**fields)
    s.add(p)
    s.flush()
    return p


def policy(s: Session, pat: Patient, pay: Payer, rank: int = 1, **kw: object) -> Policy:
    fields: dict[str, object] = dict(
        patient_id=pat.id,
        payer_id=pay.id,
        rank=rank,
        member_id=f"XJ{next(_seq):07d}",
        group_number="G-100",
        plan_name="PPO Gold",
        relationship=Relationship.SELF,
        subscriber_last_name=pat.last_name,
        subscriber_first_name=pat.first_name,
        subscriber_dob=pat.dob,
        subscriber_sex=pat.sex,
        subscriber_address1=pat.address1,
        subscriber_city=pat.city,
        subscriber_state=pat.state,
        subscriber_zip=pat.zip,
        effective_date=date(2020, 1, 1),
        copay=Decimal("25.00"),
    )
    fields.update(kw)
    p = Policy(**fields)
    s.add(p)
    s.flush()
    return p
