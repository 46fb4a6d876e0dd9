"""The write-ahead log with a real server: SIGKILL between checkpoints loses no acknowledged commit,
a torn last record is dropped at restart with the records before it kept, and a REPEATABLE READ
snapshot keeps its view while checkpoints move rows into LMDB."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import psycopg

from orbit_pg.storage.wal import read_records
from orbit_pg.testing import OrbitServer

NO_CHECKPOINTS = ["--checkpoint-interval", "3600"]


def _rows(server: OrbitServer) -> dict[str, tuple[str, object]]:
    with psycopg.connect(server.dsn, autocommit=True, connect_timeout=5) as conn:
        return {a: (t, s) for a, t, s in conn.execute("SELECT actor_id, actor_type, state FROM actors")}


def _kill(server: OrbitServer) -> None:
    assert server.pid is not None
    os.kill(server.pid, signal.SIGKILL)
    server.stop()  # reaps it


def _segments(server: OrbitServer) -> list[Path]:
    return sorted(path for path in (server.data_dir / "wal").iterdir() if path.name != "spare")


def test_acknowledged_commits_survive_sigkill_between_checkpoints(tmp_path: Path) -> None:
    with OrbitServer(data_dir=tmp_path / "data", extra_args=NO_CHECKPOINTS) as server:
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            for n in range(50):
                conn.execute("INSERT INTO actors VALUES (%s, 'user', %s)", (f"u{n}", f'{{"n": {n}}}'))
            conn.execute("UPDATE actors SET state = '{\"n\": -1}', actor_type = 'admin' WHERE actor_id = 'u0'")
            conn.execute("DELETE FROM actors WHERE actor_id = 'u1'")
            with conn.transaction():
                conn.execute("INSERT INTO actors VALUES ('t1', 'room', NULL)")
                conn.execute("DELETE FROM actors WHERE actor_id = 'u2'")
        assert sum(len(read_records(path.read_bytes())[0]) for path in _segments(server)) == 53
        _kill(server)
        server.start()
        rows = _rows(server)
        assert "replayed 53 write-ahead log records" in server.log_text()
        assert len(rows) == 49
        assert rows["u0"] == ("admin", {"n": -1})
        assert rows["t1"] == ("room", None)
        assert "u1" not in rows and "u2" not in rows
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            assert [r[0] for r in conn.execute("SELECT actor_id FROM actors WHERE actor_type = 'admin'")] == ["u0"]


def test_torn_last_record_is_dropped_and_earlier_kept(tmp_path: Path) -> None:
    with OrbitServer(data_dir=tmp_path / "data", extra_args=NO_CHECKPOINTS) as server:
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            for n in range(10):
                conn.execute("INSERT INTO actors VALUES (%s, 'user', '{}')", (f"u{n}",))
        _kill(server)
        (segment,) = [path for path in _segments(server) if read_records(path.read_bytes())[0]]
        records, end = read_records(segment.read_bytes())
        assert [seq for seq, _ in records] == list(range(1, 11))
        with segment.open("r+b") as file:
            file.truncate(end - 3)  # the last append's final bytes never reached the disk
        server.start()
        assert sorted(_rows(server)) == [f"u{n}" for n in range(9)]
        assert "torn or corrupt record" in server.log_text()
        # The log goes on after the cut: the next commits survive the next crash.
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            conn.execute("INSERT INTO actors VALUES ('after', 'user', '{}')")
        _kill(server)
        server.start()
        assert sorted(_rows(server)) == ["after", *[f"u{n}" for n in range(9)]]


def test_repeated_kill_and_restart(tmp_path: Path) -> None:
    expected: dict[str, int] = {}
    with OrbitServer(data_dir=tmp_path / "data", extra_args=NO_CHECKPOINTS) as server:
        for run in range(6):
            with psycopg.connect(server.dsn, autocommit=True) as conn:
                for n in range(20):
                    key = f"k{(run * 7 + n) % 30}"
                    conn.execute(
                        "INSERT INTO actors VALUES (%s, 'k', %s)"
                        " ON CONFLICT (actor_id) DO UPDATE SET state = excluded.state",
                        (key, f'{{"run": {run}}}'),
                    )
                    expected[key] = run
                conn.execute("DELETE FROM actors WHERE actor_id = %s", (f"k{run}",))
                expected.pop(f"k{run}", None)
            _kill(server)
            server.start()
            assert {key: state["run"] for key, (_, state) in _rows(server).items()} == expected


def test_synchronous_commit_off_loses_nothing_on_a_server_crash(tmp_path: Path) -> None:
    args = [*NO_CHECKPOINTS, "--synchronous-commit", "off"]
    with OrbitServer(data_dir=tmp_path / "data", extra_args=args) as server:
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            for n in range(20):
                conn.execute("INSERT INTO actors VALUES (%s, 'user', '{}')", (f"u{n}",))
        _kill(server)
        server.start()
        assert len(_rows(server)) == 20


def test_repeatable_read_view_is_stable_across_checkpoints(tmp_path: Path) -> None:
    with OrbitServer(data_dir=tmp_path / "data", extra_args=["--checkpoint-interval", "0.05"]) as server:
        with (
            psycopg.connect(server.dsn, autocommit=True) as writer,
            psycopg.connect(server.dsn, autocommit=True) as reader,
        ):
            for n in range(20):
                writer.execute("INSERT INTO actors VALUES (%s, 'user', %s)", (f"u{n:02d}", f'{{"n": {n}}}'))
            reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            before = reader.execute("SELECT actor_id, state FROM actors WHERE actor_type = 'user'").fetchall()
            for n in range(0, 20, 2):
                writer.execute(
                    "UPDATE actors SET actor_type = 'moved', state = '{}' WHERE actor_id = %s", (f"u{n:02d}",)
                )
            writer.execute("DELETE FROM actors WHERE actor_id = 'u01'")
            writer.execute("INSERT INTO actors VALUES ('u99', 'user', '{}')")
            time.sleep(0.5)  # several checkpoints move those commits into LMDB
            assert reader.execute("SELECT actor_id, state FROM actors WHERE actor_type = 'user'").fetchall() == before
            assert reader.execute("SELECT actor_id, state FROM actors ORDER BY actor_id").fetchall() == before
            reader.execute("COMMIT")
            now = reader.execute("SELECT actor_id FROM actors WHERE actor_type = 'user'").fetchall()
            assert [r[0] for r in now] == [f"u{n:02d}" for n in range(3, 20, 2)] + ["u99"]
