"""LMDB's type index holds exactly one entry per row, under the row's type, through any sequence
of inserts, new states, type changes (to and from '') and deletes, in one commit or several."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbit_pg.storage.base import Row
from orbit_pg.storage.lmdb_store import ActorStore

IDS = ["", "a", "a1", "b", "c", "\u4e2d"]
TYPES = ["", "t", "u", "\u00e9"]


def index_entries(store: ActorStore) -> list[tuple[str, str]]:
    """Every (type, actor_id) entry of the type index, as stored."""
    with store._env.begin() as txn:
        return [
            ("" if kind == b"\x00" else kind.decode(), "" if key == b"\x00" else key.decode())
            for kind, key in txn.cursor(db=store._by_type).iternext()
        ]


write_sets = st.lists(
    st.dictionaries(
        st.sampled_from(IDS),
        st.one_of(st.none(), st.tuples(st.sampled_from(TYPES), st.one_of(st.none(), st.binary(max_size=4)))),
        min_size=1,
        max_size=4,
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commits=st.lists(write_sets, min_size=1, max_size=6))
def test_type_index_follows_the_rows(tmp_path_factory: object, commits: list[list[dict[str, object]]]) -> None:
    path = Path(tmp_path_factory.mktemp("index"))  # type: ignore[attr-defined]
    store = ActorStore(str(path), map_size=1 << 24, sync=False)
    table: dict[str, Row] = {}
    try:
        for commit in commits:
            write_sets_: list[dict[str, Row | None]] = []
            for writes in commit:
                rows: dict[str, Row | None] = {
                    key: None if value is None else (key, *value)  # type: ignore[misc]
                    for key, value in writes.items()
                }
                write_sets_.append(rows)
                for key, row in rows.items():
                    if row is None:
                        table.pop(key, None)
                    else:
                        table[key] = row
            store.commit_many(write_sets_)
            assert index_entries(store) == sorted((row[1], key) for key, row in table.items())
            snapshot = store.snapshot()
            try:
                assert sorted(snapshot.scan()) == sorted(table.values())
                for actor_type in TYPES:
                    expected = sorted((row for row in table.values() if row[1] == actor_type), key=lambda r: r[0])
                    assert list(snapshot.scan_type(actor_type)) == expected
                    assert snapshot.first_of_type(actor_type, 100) == expected
            finally:
                snapshot.close()
    finally:
        store.close()
