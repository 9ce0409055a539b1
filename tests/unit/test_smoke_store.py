from datetime import date
from decimal import Decimal

import pytest

from app.errors import StoreError
from app.models.ledger import PaymentMethod
from app.models.patient import Patient
from app.services import audit, ledger
from app.store.engine import open_store
from tests import factories


def test_store_round_trips_money_and_dates(office) -> None:
    with office.store.unit_of_work() as s:
        p = factories.patient(s)
        pay = ledger.record_patient_payment(
            s,
            office.receptionist,
            patient_id=p.id,
            amount=Decimal("25.10"),
            method=PaymentMethod.CASH,
            received=date(2026, 11, 2),
        )
        pid = p.id
    with office.store.session() as s:
        assert s.get(Patient, pid).dob == date(1970, 5, 17)
        assert ledger.patient_balance(s, pid) == Decimal("-25.10")
        assert s.get(type(pay), pay.id).amount == Decimal("25.10")
        assert audit.verify(s).ok


def test_wrong_key_is_a_clear_message(tmp_path, store, store_key) -> None:
    store.close()
    with pytest.raises(StoreError, match="recovery key"):
        open_store(store.path, bytes(32))
