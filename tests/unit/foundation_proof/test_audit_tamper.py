"""The audit log is append-only and hash-chained: the store's triggers refuse
UPDATE and DELETE, and someone with the key who drops the triggers and edits
or deletes rows in SQL is caught by ``audit.verify`` at the first broken link."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from app.models.staff import Role
from app.services import audit, auth, settings, users
from app.services.office import NewUserInput
from tests import factories


def _write_rows(office) -> int:
    """About a dozen rows, each through a service; returns the newest id."""
    st = office.store
    for i in range(3):
        with st.session() as s, s.begin():
            auth.login(s, "biller", factories.PASSWORD if i % 2 else "wrong wrong wrong")
    with st.session() as s, s.begin():
        settings.put(s, office.manager, "idle_lock_minutes", 12)
        users.add_user(
            s,
            office.manager,
            NewUserInput(
                "frontdesk2",
                "Front Desk Two",
                Role.RECEPTIONIST,
                "a long password",
                "a long password",
            ),
        )
        users.reset_password(s, office.manager, office.biller.user_id, "another long one")
    for n in range(6):
        with st.session() as s, s.begin():
            p = factories.patient(s)
            audit.record(
                s,
                office.receptionist,
                "patient_viewed",
                entity="patient",
                entity_id=p.id,
                patient_id=p.id,
                details={"n": n},
            )
    with st.read_session() as s:
        report = audit.verify(s, office.manager)
        assert report.ok, report.message
        return report.checked


def _sql(store, *statements: str) -> None:
    with store.engine.begin() as c:
        for sql in statements:
            c.exec_driver_sql(sql)


def _drop_triggers(store) -> None:
    # What an attacker with the key does first.
    _sql(store, "DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete")


def _verify(store) -> audit.ChainReport:
    with store.read_session() as s:
        return audit.verify(s)


def test_the_triggers_refuse_update_and_delete(office) -> None:
    newest = _write_rows(office)
    for sql in (
        "UPDATE audit_event SET username = 'someone' WHERE id = 3",
        "UPDATE audit_event SET details = NULL",
        "DELETE FROM audit_event WHERE id = 3",
        f"DELETE FROM audit_event WHERE id = {newest}",
    ):
        with pytest.raises(IntegrityError, match="the audit log is append-only"):
            _sql(office.store, sql)
    assert _verify(office.store).ok
    assert _verify(office.store).checked == newest


def test_an_edited_row_is_the_first_broken_link(office) -> None:
    newest = _write_rows(office)
    assert newest >= 12
    _drop_triggers(office.store)
    _sql(office.store, "UPDATE audit_event SET username = 'intruder' WHERE id = 5")
    r = _verify(office.store)
    assert not r.ok
    assert r.first_bad_id == 5
    assert r.message == "Row 5 was changed after it was written."


def test_an_edited_detail_is_caught(office) -> None:
    _write_rows(office)
    _drop_triggers(office.store)
    _sql(
        office.store,
        """UPDATE audit_event SET details = '{"n":99}' WHERE action = 'patient_viewed' AND id = (SELECT min(id) FROM audit_event WHERE action = 'patient_viewed')""",
    )
    with office.store.read_session() as s:
        first_view = min(r.id for r in audit.search(s, office.manager, action="patient_viewed"))
    r = _verify(office.store)
    assert (r.ok, r.first_bad_id) == (False, first_view)


def test_a_rewritten_hash_breaks_the_next_link(office) -> None:
    _write_rows(office)
    _drop_triggers(office.store)
    # Edit row 4 and give it a matching hash; row 5 still names the old one.
    _sql(
        office.store,
        "UPDATE audit_event SET username = 'x', hash = 'f' || substr(hash, 2) WHERE id = 4",
    )
    r = _verify(office.store)
    assert (r.ok, r.first_bad_id) == (False, 4)
    with office.store.session() as s, s.begin():
        row = s.get(audit.AuditEvent, 4)
        row_hash = audit._hash(row.prev_hash, row)
    _sql(office.store, f"UPDATE audit_event SET hash = '{row_hash}' WHERE id = 4")
    r = _verify(office.store)
    assert (r.ok, r.first_bad_id) == (False, 5)
    assert r.message == "Row 5 does not follow the row before it."


def test_a_deleted_middle_row_is_reported(office) -> None:
    newest = _write_rows(office)
    _drop_triggers(office.store)
    _sql(office.store, "DELETE FROM audit_event WHERE id = 7")
    r = _verify(office.store)
    assert (r.ok, r.first_bad_id) == (False, 7)
    assert r.message == "Row 7 is missing (the next row is 8): rows were deleted."
    assert r.checked < newest


def test_deleted_newest_rows_are_reported(office) -> None:
    newest = _write_rows(office)
    _drop_triggers(office.store)
    _sql(office.store, f"DELETE FROM audit_event WHERE id > {newest - 3}")
    r = _verify(office.store)
    assert not r.ok
    assert r.first_bad_id == newest - 2
    assert r.message == (
        f"The log ends at row {newest - 3} but row {newest} was written: "
        "the newest rows were deleted."
    )


def test_deleting_the_chain_head_is_reported(office) -> None:
    _write_rows(office)
    _sql(office.store, f"DELETE FROM setting WHERE key = '{audit.HEAD_KEY}'")
    r = _verify(office.store)
    assert (r.ok, r.message) == (False, "The chain head record is missing.")


def test_verify_needs_the_audit_permission(office) -> None:
    from app.errors import PermissionDenied

    _write_rows(office)
    with office.store.read_session() as s, pytest.raises(PermissionDenied):
        audit.verify(s, office.biller)
