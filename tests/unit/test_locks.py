"""The row lock table: PostgreSQL's conflict table, queue order, savepoints, deadlocks."""

from __future__ import annotations

import pytest

from orbit_pg import errors
from orbit_pg.locks import LockMode, LockTable, LockWait, Owner


def test_conflict_table() -> None:
    table = LockTable()
    holder, other = Owner(1), Owner(2)
    assert table.acquire(holder, "a", LockMode.SHARE)
    assert table.acquire(other, "a", LockMode.KEY_SHARE)
    assert table.acquire(other, "a", LockMode.SHARE)
    assert not table.acquire(other, "a", LockMode.NO_KEY_UPDATE, "skip locked")
    with pytest.raises(errors.PgError) as info:
        table.acquire(other, "a", LockMode.UPDATE, "nowait")
    assert info.value.sqlstate == "55P03"
    assert table.acquire(holder, "b", LockMode.NO_KEY_UPDATE)
    assert table.acquire(other, "b", LockMode.KEY_SHARE)  # a non-key update lets foreign keys be checked


def test_waiters_are_granted_in_order_when_the_holder_ends() -> None:
    table = LockTable()
    holder, first, second = Owner(1), Owner(2), Owner(3)
    table.acquire(holder, "a", LockMode.UPDATE)
    waits = []
    for owner in (first, second):
        with pytest.raises(LockWait) as info:
            table.acquire(owner, "a", LockMode.NO_KEY_UPDATE)
        waits.append(info.value.waiter)
    woken: list[int] = []
    for waiter in waits:
        waiter.wakeup.addCallback(lambda _, pid=waiter.owner.process_id: woken.append(pid))
    table.release_after(holder)
    assert woken == [2]
    assert table.holders("a") == {first: LockMode.NO_KEY_UPDATE}
    table.release_after(first)
    assert woken == [2, 3]


def test_rollback_to_savepoint_releases_later_locks_only() -> None:
    table = LockTable()
    owner, other = Owner(1), Owner(2)
    table.acquire(owner, "a", LockMode.SHARE)
    mark = len(owner.held)
    table.acquire(owner, "a", LockMode.UPDATE)
    table.acquire(owner, "b", LockMode.UPDATE)
    table.release_after(owner, mark)
    assert table.holders("a") == {owner: LockMode.SHARE}
    assert table.holders("b") == {}
    assert table.acquire(other, "b", LockMode.UPDATE)


def test_a_wait_that_closes_a_cycle_is_a_deadlock() -> None:
    table = LockTable()
    first, second = Owner(1), Owner(2)
    table.acquire(first, "a", LockMode.UPDATE)
    table.acquire(second, "b", LockMode.UPDATE)
    with pytest.raises(LockWait):
        table.acquire(first, "b", LockMode.UPDATE)
    with pytest.raises(errors.PgError) as info:
        table.acquire(second, "a", LockMode.UPDATE)
    assert info.value.sqlstate == "40P01"
    assert "Process 2 waits for FOR UPDATE lock" in (info.value.detail or "")
