"""The system catalogs' rows, the OID alias types and the catalog functions, checked against what
PostgreSQL 15 answers for a database holding the actors table (values taken from one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orbit_pg import catalog, types
from orbit_pg.catalog.relation import NOT_NULL
from orbit_pg.errors import PgError
from orbit_pg.session import Session
from orbit_pg.sql import set_functions
from orbit_pg.sql.aggregates import AGGREGATES
from orbit_pg.sql.executor import Executor
from orbit_pg.sql.expressions import Context
from orbit_pg.sql.functions import BUILTINS, NO_ARGUMENT_FUNCTIONS
from orbit_pg.sql.grammar import parse
from orbit_pg.storage.lmdb_store import ActorStore


class _Server:
    """What the protocol's factory shows a session: its connections and the store's sizes."""

    def __init__(self, store: ActorStore, sessions: list[Session]) -> None:
        self.store = store
        self.started = sessions[0].activity.backend_start
        self._sessions = sessions
        self.roles: list[tuple[str, bool, bool]] = []

    def stored_roles(self) -> list[tuple[str, bool, bool]]:
        return self.roles

    def sessions(self) -> list[Session]:
        return self._sessions

    def relation_sizes(self) -> dict[str, int]:
        return self.store.relation_sizes()


@pytest.fixture
def executor(tmp_path: Path) -> Iterator[Executor]:
    store = ActorStore(str(tmp_path))
    session = Session("orbit", "actors", {"application_name": "tests"})
    session.server = _Server(store, [session])
    yield Executor(store, session)
    store.close()


def value(executor: Executor, expression: str) -> Any:
    (stmt,) = parse(f"SELECT {expression}")
    (row,) = list(executor.execute(stmt).rows)
    return row[0]


def text(executor: Executor, expression: str) -> str | None:
    """The value as PostgreSQL prints it (its type's output function)."""
    (stmt,) = parse(f"SELECT {expression}")
    result = executor.execute(stmt)
    (row,) = list(result.rows)
    return None if row[0] is None else result.fields[0].type.text_out(row[0]).decode()


def rows(name: str, session: Session | None = None, schema: str = "pg_catalog") -> list[dict[str, Any]]:
    table = catalog.TABLES[(schema, name)]
    columns = [column for column, _ in table.columns]
    ctx = Context(session or Session("orbit", "actors", {}))
    return [dict(zip(columns, row, strict=True)) for row in table.rows(ctx)]


def test_every_relation_of_the_issue_exists_with_postgresql_columns() -> None:
    wanted = (
        "pg_namespace pg_class pg_attribute pg_attrdef pg_type pg_index pg_constraint pg_am pg_database pg_roles"
        " pg_user pg_authid pg_settings pg_description pg_proc pg_collation pg_tablespace pg_inherits pg_extension"
        " pg_range pg_enum pg_trigger pg_policy pg_statistic_ext pg_publication pg_publication_rel"
        " pg_publication_namespace pg_foreign_table pg_stat_activity pg_shdescription pg_auth_members pg_depend"
        " pg_rewrite pg_foreign_server pg_foreign_data_wrapper pg_conversion pg_aggregate pg_language pg_cast"
    ).split()
    for name in wanted:
        assert ("pg_catalog", name) in catalog.TABLES, name
    for name in "tables columns schemata table_constraints key_column_usage views routines".split():
        assert ("information_schema", name) in catalog.TABLES, name
    pg_class = catalog.TABLES[("pg_catalog", "pg_class")]
    assert pg_class.oid == 1259
    assert [c for c, _ in pg_class.columns][:4] == ["oid", "relname", "relnamespace", "reltype"]
    assert len(pg_class.columns) == 33
    assert dict(catalog.TABLES[("pg_catalog", "pg_index")].columns)["indkey"] is types.INT2VECTOR


def test_columns_postgresql_declares_not_null_are_never_null() -> None:
    session = Session("orbit", "actors", {})
    for key in catalog.TABLES:
        for row in rows(key[1], session, key[0]):
            missing = [column for column in NOT_NULL[key] if row[column] is None]
            assert not missing, (key, missing)


def test_the_actors_table_as_postgresql_describes_it() -> None:
    classes = {row["relname"]: row for row in rows("pg_class")}
    actors, pkey, by_type = classes["actors"], classes["actors_pkey"], classes["actors_actor_type_idx"]
    assert (actors["oid"], actors["relnamespace"], actors["relkind"], actors["relam"]) == (16384, 2200, "r", 2)
    assert (actors["relnatts"], actors["relhasindex"], actors["reltype"]) == (3, True, 16386)
    assert (pkey["relkind"], pkey["relam"], by_type["relam"]) == ("i", 403, 403)
    attributes = [
        (row["attname"], row["atttypid"], row["attnum"], row["attnotnull"], row["attcollation"], row["attstorage"])
        for row in rows("pg_attribute")
        if row["attrelid"] == 16384
    ]
    assert attributes == [
        ("actor_id", 25, 1, True, 100, "x"),
        ("actor_type", 25, 2, True, 100, "x"),
        ("state", 3802, 3, False, 0, "x"),
    ]
    indexes = {row["indexrelid"]: row for row in rows("pg_index")}
    assert indexes[pkey["oid"]]["indisprimary"] and indexes[pkey["oid"]]["indkey"] == [1]
    assert not indexes[by_type["oid"]]["indisunique"] and indexes[by_type["oid"]]["indkey"] == [2]
    assert types.INT2VECTOR.text_out(indexes[pkey["oid"]]["indclass"]) == b"3126"
    (constraint,) = rows("pg_constraint")
    assert (constraint["conname"], constraint["contype"], constraint["conkey"]) == ("actors_pkey", "p", [1])
    assert constraint["conindid"] == pkey["oid"]


def test_namespaces_types_and_roles() -> None:
    assert {row["oid"]: row["nspname"] for row in rows("pg_namespace")} == {
        11: "pg_catalog",
        99: "pg_toast",
        2200: "public",
        13207: "information_schema",
    }
    by_name = {row["typname"]: row for row in rows("pg_type")}
    assert by_name["int4"]["oid"] == 23 and by_name["int4"]["typarray"] == 1007
    assert by_name["_jsonb"]["typelem"] == 3802 and by_name["_jsonb"]["typcategory"] == "A"
    assert by_name["regclass"]["oid"] == 2205 and by_name["int2vector"]["oid"] == 22
    assert types.REGPROC.text_out(by_name["text"]["typinput"]) == b"textin"
    assert by_name["text"]["typdelim"] == "," and by_name["text"]["typcollation"] == 100
    # every type the server can send has its pg_type row
    for oid in types.BY_OID:
        assert oid in {row["oid"] for row in rows("pg_type")}, oid
    roles = {row["rolname"]: row for row in rows("pg_roles")}
    assert roles["orbit"]["oid"] == 10 and roles["orbit"]["rolsuper"] and roles["orbit"]["rolcanlogin"]
    assert not roles["pg_monitor"]["rolcanlogin"]
    assert [row["usename"] for row in rows("pg_user")] == ["orbit"]


def test_stored_roles_are_listed_with_oids_that_stay(executor: Executor) -> None:
    session = executor.session
    session.server.roles = [("orbit", False, True), ("app", False, False)]
    found = {row["rolname"]: row for row in rows("pg_roles", session)}
    assert (found["orbit"]["oid"], found["orbit"]["rolsuper"]) == (10, False)
    assert not found["app"]["rolcanlogin"] and found["app"]["oid"] >= 100_000
    assert found["app"]["oid"] == {row["rolname"]: row for row in rows("pg_roles", session)}["app"]["oid"]
    assert [row["usename"] for row in rows("pg_user", session)] == ["orbit"]


def test_pg_proc_lists_the_functions_the_sql_layer_has() -> None:
    names = {row["proname"] for row in rows("pg_proc")}
    assert {"lower", "jsonb_set", "format_type", "pg_get_indexdef", "version", "count", "unnest"} <= names
    assert names <= set(BUILTINS) | set(NO_ARGUMENT_FUNCTIONS) | set(AGGREGATES) | set_functions.NAMES
    lengths = [row for row in rows("pg_proc") if row["proname"] == "length"]
    assert len(lengths) == len(BUILTINS["length"])


def test_information_schema_columns_of_actors_equal_postgresql() -> None:
    columns = [row for row in rows("columns", schema="information_schema") if row["table_name"] == "actors"]
    shown = [
        (r["column_name"], r["ordinal_position"], r["is_nullable"], r["data_type"], r["character_octet_length"])
        for r in columns
    ]
    assert shown == [
        ("actor_id", 1, "NO", "text", 1073741824),
        ("actor_type", 2, "NO", "text", 1073741824),
        ("state", 3, "YES", "jsonb", None),
    ]
    assert {(r["udt_schema"], r["udt_name"], r["dtd_identifier"]) for r in columns} == {
        ("pg_catalog", "text", "1"),
        ("pg_catalog", "text", "2"),
        ("pg_catalog", "jsonb", "3"),
    }
    constraints = rows("table_constraints", schema="information_schema")
    assert [(r["constraint_name"], r["constraint_type"]) for r in constraints] == [
        ("actors_pkey", "PRIMARY KEY"),
        ("2200_16384_1_not_null", "CHECK"),
        ("2200_16384_2_not_null", "CHECK"),
    ]


def test_pg_stat_activity_and_settings_come_from_the_session(executor: Executor) -> None:
    session = executor.session
    session.activity.start("SELECT 1")
    (row,) = rows("pg_stat_activity", session)
    assert (row["usename"], row["application_name"], row["state"], row["query"]) == (
        "orbit",
        "tests",
        "active",
        "SELECT 1",
    )
    session.activity.idle(b"I")
    assert rows("pg_stat_activity", session)[0]["state"] == "idle"
    settings = {row["name"]: row for row in rows("pg_settings", session)}
    assert settings["work_mem"]["setting"] == "4096" and settings["work_mem"]["unit"] == "kB"
    assert settings["application_name"]["setting"] == "tests"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("'actors'::regclass", "actors"),
        ("'actors'::regclass::oid", "16384"),
        ("'pg_class'::regclass::oid", "1259"),
        ("'pg_catalog.pg_class'::regclass", "pg_class"),
        ("1259::regclass", "pg_class"),
        ("'information_schema.tables'::regclass::text", "information_schema.tables"),
        ("0::regclass", "-"),
        ("'int4'::regtype", "integer"),
        ("'text[]'::regtype", "text[]"),
        ("'character varying'::regtype", "character varying"),
        ("25::regtype", "text"),
        ("'int4in'::regproc::oid", "42"),
        ("format_type(3802, -1)", "jsonb"),
        ("format_type(1043, 20)", "character varying(16)"),
        ("format_type(1009, NULL)", "text[]"),
        ("format_type(1042, NULL)", "character"),
        ("format_type(18, -1)", '"char"'),
        ("format_type(99999, -1)", "???"),
        (
            "pg_get_indexdef('actors_pkey'::regclass)",
            "CREATE UNIQUE INDEX actors_pkey ON public.actors USING btree (actor_id)",
        ),
        ("pg_get_indexdef(16391)", "CREATE INDEX actors_actor_type_idx ON public.actors USING btree (actor_type)"),
        ("pg_get_constraintdef(16390)", "PRIMARY KEY (actor_id)"),
        ("pg_size_pretty(10239::int8)", "10239 bytes"),
        ("pg_size_pretty(10240::int8)", "10 kB"),
        ("pg_size_pretty(123456789::int8)", "118 MB"),
        ("pg_size_pretty(-123456789::int8)", "-118 MB"),
        ("pg_size_pretty(1649267441664000::int8)", "1500 TB"),
        ("pg_size_pretty(20971519::int8)", "20 MB"),
        ("current_schemas(true)", "{pg_catalog,public}"),
        ("current_schemas(false)", "{public}"),
        ("current_setting('DateStyle')", "ISO, MDY"),
        ("pg_get_userbyid(10)", "orbit"),
        ("pg_get_userbyid(99999)", "unknown (OID=99999)"),
        ("to_regtype('hstore')", None),
        ("to_regclass('nope')", None),
        ("to_regtype('integer')", "integer"),
        ("pg_table_is_visible('actors'::regclass)", "t"),
        ("pg_table_is_visible(999999)", None),
        ("has_table_privilege('actors', 'select')", "t"),
        ("has_schema_privilege('public', 'usage')", "t"),
        ("pg_encoding_to_char(6)", "UTF8"),
        ("quote_ident('Actors')", '"Actors"'),
        ("quote_ident('actors')", "actors"),
        ("pg_typeof(1)", "integer"),
        ("obj_description(16384, 'pg_class')", None),
        ("pg_is_in_recovery()", "f"),
        ("pg_relation_size('actors')", "0"),
    ],
)
def test_catalog_functions_and_casts_as_postgresql(executor: Executor, expression: str, expected: str | None) -> None:
    assert text(executor, expression) == expected


@pytest.mark.parametrize(
    ("expression", "sqlstate", "message"),
    [
        ("has_table_privilege('nope', 'select')", "42P01", 'relation "nope" does not exist'),
        ("has_table_privilege('actors', 'frob')", "22023", 'unrecognized privilege type: "frob"'),
        ("'nope'::regclass", "42P01", 'relation "nope" does not exist'),
        ("'nope'::regtype", "42704", 'type "nope" does not exist'),
        ("'length'::regproc", "42725", 'more than one function named "length"'),
        ("current_setting('nope')", "42704", 'unrecognized configuration parameter "nope"'),
    ],
)
def test_catalog_errors_as_postgresql(executor: Executor, expression: str, sqlstate: str, message: str) -> None:
    with pytest.raises(PgError) as raised:
        value(executor, expression)
    assert (raised.value.sqlstate, raised.value.message) == (sqlstate, message)


def test_set_config_changes_the_session(executor: Executor) -> None:
    assert value(executor, "set_config('application_name', 'x', false)") == "x"
    assert value(executor, "current_setting('application_name')") == "x"


def test_sizes_are_lmdb_s(executor: Executor) -> None:
    (stmt,) = parse("INSERT INTO actors VALUES " + ", ".join(f"('a:{i}', 't', '{{}}')" for i in range(3000)))
    executor.execute(stmt)
    executor.end_of_query()
    executor.commit_now()
    table = value(executor, "pg_relation_size('actors')")
    assert table > 0 and table % 4096 == 0
    total = value(executor, "pg_total_relation_size('actors')")
    assert total == table + value(executor, "pg_indexes_size('actors')") > table


def test_oid_vectors_count_from_zero_and_travel_as_arrays() -> None:
    vector = types.INT2VECTOR.text_in("1 2")
    assert vector == [1, 2] and isinstance(vector, types.Vector) and vector.lower == 0
    assert types.INT2VECTOR.binary_in(types.INT2VECTOR.binary_out(vector)) == [1, 2]
    assert types.OIDVECTOR.text_out(types.Vector([25, 3802])) == b"25 3802"
    assert types.CHAR.text_out("p") == b"p" and types.ARRAY_OF[types.CHAR].text_out(["a", "b"]) == b"{a,b}"
