"""SQLAlchemy 2's inspector, MetaData.reflect and Alembic's autogenerate comparison see the actors
table on orbit-pg exactly as on PostgreSQL 15 (the same assertions run against both)."""

from __future__ import annotations

import pytest
from drivers import Server

sqlalchemy = pytest.importorskip("sqlalchemy", reason="SQLAlchemy is not installed (extras 'test')")
pytest.importorskip("alembic", reason="Alembic is not installed (extras 'test')")

from alembic.autogenerate import compare_metadata  # noqa: E402
from alembic.migration import MigrationContext  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402


def _engine(server: Server) -> sqlalchemy.Engine:
    return sqlalchemy.create_engine(
        f"postgresql+psycopg://{server.user}@{server.host}:{server.port}/{server.dbname}", poolclass=sqlalchemy.NullPool
    )


def _model() -> sqlalchemy.MetaData:
    metadata = sqlalchemy.MetaData()
    sqlalchemy.Table(
        "actors",
        metadata,
        sqlalchemy.Column("actor_id", sqlalchemy.Text, primary_key=True),
        sqlalchemy.Column("actor_type", sqlalchemy.Text, nullable=False),
        sqlalchemy.Column("state", postgresql.JSONB),
        sqlalchemy.Index("actors_actor_type_idx", "actor_type"),
    )
    return metadata


def test_inspector_sees_the_actors_table(server: Server) -> None:
    inspector = sqlalchemy.inspect(_engine(server))
    assert "public" in inspector.get_schema_names()
    assert inspector.get_table_names() == ["actors"]
    assert inspector.has_table("actors") and not inspector.has_table("nope")
    columns = [(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in inspector.get_columns("actors")]
    assert columns == [
        ("actor_id", "TEXT", False, None),
        ("actor_type", "TEXT", False, None),
        ("state", "JSONB", True, None),
    ]
    primary_key = inspector.get_pk_constraint("actors")
    assert (primary_key["name"], primary_key["constrained_columns"]) == ("actors_pkey", ["actor_id"])
    indexes = inspector.get_indexes("actors")
    assert [(i["name"], i["column_names"], i["unique"]) for i in indexes] == [
        ("actors_actor_type_idx", ["actor_type"], False)
    ]
    assert inspector.get_unique_constraints("actors") == []
    assert inspector.get_foreign_keys("actors") == []
    assert inspector.get_check_constraints("actors") == []
    assert inspector.get_table_comment("actors") == {"text": None}
    assert inspector.get_view_names() == [] and inspector.get_sequence_names() == []


def test_inspector_multi_variants(server: Server) -> None:
    """The get_multi_* calls (one query for many tables) that MetaData.reflect uses."""
    inspector = sqlalchemy.inspect(_engine(server))
    key = (None, "actors")
    columns = inspector.get_multi_columns()
    assert list(columns) == [key]
    assert [(c["name"], str(c["type"]), c["nullable"]) for c in columns[key]] == [
        ("actor_id", "TEXT", False),
        ("actor_type", "TEXT", False),
        ("state", "JSONB", True),
    ]
    assert inspector.get_multi_pk_constraint()[key]["constrained_columns"] == ["actor_id"]
    assert [i["name"] for i in inspector.get_multi_indexes()[key]] == ["actors_actor_type_idx"]
    assert inspector.get_multi_unique_constraints() == {key: []}
    assert inspector.get_multi_foreign_keys() == {key: []}
    assert inspector.get_multi_check_constraints() == {key: []}
    assert inspector.get_multi_table_comment() == {key: {"text": None}}


def test_reflect_and_alembic_find_no_difference(server: Server) -> None:
    engine = _engine(server)
    reflected = sqlalchemy.MetaData()
    reflected.reflect(engine)
    assert list(reflected.tables) == ["actors"]
    assert [c.name for c in reflected.tables["actors"].columns] == ["actor_id", "actor_type", "state"]
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), _model()) == []
