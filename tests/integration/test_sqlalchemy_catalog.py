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


def _engine(request: pytest.FixtureRequest, server: Server) -> sqlalchemy.Engine:
    if server.kind == "orbit":
        request.applymarker(
            pytest.mark.xfail(strict=True, reason="SQLAlchemy's reflection needs json_build_object and more (issue 7)")
        )
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


def test_inspector_sees_the_actors_table(request: pytest.FixtureRequest, server: Server) -> None:
    inspector = sqlalchemy.inspect(_engine(request, server))
    assert "public" in inspector.get_schema_names()
    assert inspector.get_table_names() == ["actors"]
    assert inspector.has_table("actors") and not inspector.has_table("nope")
    columns = [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns("actors")]
    assert columns == [("actor_id", "TEXT", False), ("actor_type", "TEXT", False), ("state", "JSONB", True)]
    primary_key = inspector.get_pk_constraint("actors")
    assert (primary_key["name"], primary_key["constrained_columns"]) == ("actors_pkey", ["actor_id"])
    indexes = inspector.get_indexes("actors")
    assert [(i["name"], i["column_names"], i["unique"]) for i in indexes] == [
        ("actors_actor_type_idx", ["actor_type"], False)
    ]
    assert inspector.get_unique_constraints("actors") == []
    assert inspector.get_foreign_keys("actors") == []


def test_reflect_and_alembic_find_no_difference(request: pytest.FixtureRequest, server: Server) -> None:
    engine = _engine(request, server)
    reflected = sqlalchemy.MetaData()
    reflected.reflect(engine)
    assert list(reflected.tables) == ["actors"]
    assert [c.name for c in reflected.tables["actors"].columns] == ["actor_id", "actor_type", "state"]
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), _model()) == []
