"""The advisory lock table: modes, scopes, reentrancy, queue order, deadlocks."""

from __future__ import annotations

import pytest

from orbit_pg import errors
from orbit_pg.advisory import EXCLUSIVE, SHARE, AdvisoryLocks
from orbit_pg.session import Session


def sessions(count: int) -> list[Session]:
    made = []
    for pid in range(1, count + 1):
        session = Session("orbit", "actors", {})
        session.process_id = pid
        made.append(session)
    return made


def test_waiters_are_granted_in_queue_order() -> None:
    table = AdvisoryLocks()
    holder, reader, writer, late_reader = sessions(4)
    assert table.lock(holder, (1,), EXCLUSIVE, False, wait=True)
    for session, mode in ((reader, SHARE), (writer, EXCLUSIVE), (late_reader, SHARE)):
        table.lock(session, (1,), mode, False, wait=True)
        assert len(session.advisory_waits) == 1
    woken: list[int] = []
    for session in (reader, writer, late_reader):
        table.granted(session).addCallback(lambda _, pid=session.process_id: woken.append(pid))
    assert table.unlock(holder, (1,), EXCLUSIVE)
    # The reader gets its share; the late reader stays behind the writer queued before it.
    assert woken == [2]
    assert table.unlock(reader, (1,), SHARE)
    assert woken == [2, 3]
    table.unlock(writer, (1,), EXCLUSIVE)
    assert woken == [2, 3, 4]
    assert not table.lock(holder, (1,), EXCLUSIVE, False, wait=False)


def test_a_withdrawn_request_lets_those_behind_it_go() -> None:
    table = AdvisoryLocks()
    holder, writer, reader = sessions(3)
    table.lock(holder, (1, 2), SHARE, False, wait=True)
    table.lock(writer, (1, 2), EXCLUSIVE, False, wait=True)
    table.lock(reader, (1, 2), SHARE, False, wait=True)
    assert reader.advisory_waits  # behind the queued writer
    table.cancel_waits(writer)
    assert not reader.advisory_waits
    assert (1, 2) not in {w.key for w in writer.advisory_waits}


def test_scopes_count_separately_and_end_separately() -> None:
    table = AdvisoryLocks()
    mine, other = sessions(2)
    for _ in range(2):
        table.lock(mine, (5,), EXCLUSIVE, False, wait=False)
    table.lock(mine, (5,), EXCLUSIVE, True, wait=False)
    table.release(mine, xact=True)
    assert table.unlock(mine, (5,), EXCLUSIVE)
    assert not table.lock(other, (5,), EXCLUSIVE, False, wait=False)
    assert table.unlock(mine, (5,), EXCLUSIVE)
    assert not table.unlock(mine, (5,), EXCLUSIVE)
    assert [(n.severity, n.sqlstate, n.message) for n in mine.notices] == [
        ("WARNING", "01000", "you don't own a lock of type ExclusiveLock")
    ]
    assert table.lock(other, (5,), EXCLUSIVE, False, wait=False)
    assert table.locks.keys() == {(5,)}
    table.release(other, xact=None)
    assert table.locks == {}


def test_a_wait_that_closes_a_cycle_is_a_deadlock() -> None:
    table = AdvisoryLocks()
    a, b = sessions(2)
    table.lock(a, (1,), EXCLUSIVE, False, wait=False)
    table.lock(b, (-1,), EXCLUSIVE, False, wait=False)
    table.lock(a, (-1,), EXCLUSIVE, False, wait=True)
    with pytest.raises(errors.PgError) as info:
        table.lock(b, (1,), SHARE, False, wait=True)
    assert info.value.sqlstate == "40P01"
    assert info.value.detail == (
        "Process 2 waits for ShareLock on advisory lock [16384,0,1,1]; blocked by process 1.\n"
        "Process 1 waits for ExclusiveLock on advisory lock [16384,4294967295,4294967295,1]; blocked by process 2."
    )
