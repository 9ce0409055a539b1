"""Upgrading a store that already holds rows: table-rebuilding migrations must
not trip over foreign keys, and the rows must survive."""

from __future__ import annotations

from decimal import Decimal

from alembic import command
from sqlalchemy import text

from app.store.engine import alembic_config, create_store_engine, open_store
from app.store.keys import new_key


def test_baseline_store_with_visits_upgrades_to_every_head(tmp_path) -> None:
    key = new_key()
    path = tmp_path / "old.medbill"
    engine = create_store_engine(path, key)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001_baseline")
        conn.execute(
            text(
                "INSERT INTO practice (id, name, address1, address2, city, state, zip, phone, ein, "
                "billing_npi, taxonomy) VALUES (1, 'P', 'a', '', 'c', 'IL', '62701', '2175550100', "
                "'371234567', '1234567893', '207Q00000X')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO provider (id, last_name, first_name, middle_name, credentials, npi, "
                "taxonomy, active) VALUES (1, 'Okafor', 'A', '', 'MD', '1245319599', '', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO patient (id, account_no, last_name, first_name, middle_name, suffix, "
                "search_last, search_first, dob, sex, address1, address2, city, state, zip, "
                "phone_home, phone_mobile, phone_work, email, marital_status, employment_status, "
                "ssn, preferred_language, emergency_name, emergency_relationship, emergency_phone, "
                "guarantor_is_patient, guarantor_last_name, guarantor_first_name, "
                "guarantor_relationship, guarantor_address1, guarantor_address2, guarantor_city, "
                "guarantor_state, guarantor_zip, guarantor_phone, notes, active, created_at, "
                "updated_at) VALUES (1, '100001', 'Smith', 'John', '', '', 'SMITH', 'JOHN', "
                "'1970-01-01', 'M', '1 A St', '', 'Springfield', 'IL', '62704', '', '', '', '', "
                "'', '', '', '', '', '', '', 1, '', '', '', '', '', '', '', '', '', '', 1, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO encounter (id, patient_id, date_of_service, provider_id, referring_name, "
                "referring_npi, referring_qualifier, place_of_service, prior_auth, illness_qualifier, "
                "related_employment, related_auto, auto_state, related_other, status, notes, "
                "created_at) VALUES (1, 1, '2026-01-05', 1, '', '', '', '11', '', '431', 0, 0, '', "
                "0, 'coded', '', '2026-01-05 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO service_line (id, encounter_id, line_no, code, modifier1, modifier2, "
                "modifier3, modifier4, pointers, units, charge, from_date, to_date, ndc, ndc_unit, "
                "ndc_quantity, emergency, epsdt) VALUES (1, 1, 1, '99213', '', '', '', '', 'A', 1, "
                "11500, '2026-01-05', '2026-01-05', '', '', '', 0, '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO ledger_entry (id, entry_date, posted_at, kind, amount, patient_id, "
                "service_line_id, party, txn, memo, carc_group, carc_code, rarc) VALUES (1, "
                "'2026-01-05', '2026-01-05 00:00:00', 'charge', 11500, 1, 1, 'patient', 't', '', "
                "'', '', '')"
            )
        )
    engine.dispose()

    st = open_store(path, key, backup_dir=tmp_path / "backups")
    try:
        with st.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT charge FROM service_line").scalar() == 11500
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            names = {
                r[0]
                for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")
            }
        assert {"ledger_entry_no_update", "ledger_entry_no_delete"} <= names
        from app.services import ledger

        with st.session() as s:
            assert ledger.line_balance(s, 1) == Decimal("115.00")
        assert list((tmp_path / "backups").glob("before-upgrade-*.medbill"))
    finally:
        st.close()
