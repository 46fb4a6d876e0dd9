"""Relations that exist in every PostgreSQL database but hold nothing for this one (no comments,
triggers, extensions, publications, ...): present, so that a tool reading them gets no rows
instead of an error."""

from __future__ import annotations

from orbit_pg.catalog.definitions import RELATIONS
from orbit_pg.catalog.relation import relation

EMPTY = (
    "pg_aggregate pg_amop pg_amproc pg_cast pg_conversion pg_default_acl pg_depend pg_description pg_enum"
    " pg_event_trigger pg_extension pg_foreign_data_wrapper pg_foreign_server pg_foreign_table pg_inherits"
    " pg_init_privs pg_matviews pg_opclass pg_operator pg_opfamily pg_partitioned_table pg_policy"
    " pg_prepared_xacts pg_publication pg_publication_namespace pg_publication_rel pg_range pg_rewrite"
    " pg_seclabel pg_sequence pg_sequences pg_shdescription pg_shseclabel pg_statistic_ext pg_subscription"
    " pg_transform pg_trigger pg_ts_config pg_user_mapping pg_views pg_available_extensions pg_timezone_names"
    " pg_timezone_abbrevs pg_stat_database pg_stat_user_tables pg_statio_user_tables pg_stat_user_indexes"
    " pg_statio_user_indexes"
).split()

for _name in EMPTY:
    relation("pg_catalog", _name)

# information_schema views with nothing to show here
for _schema, _name, *_ in RELATIONS:
    if _schema == "information_schema" and _name in (
        "views",
        "referential_constraints",
        "check_constraints",
        "sequences",
        "triggers",
        "domains",
        "attributes",
        "user_defined_types",
        "character_sets",
        "column_privileges",
        "table_privileges",
        "element_types",
        "parameters",
    ):
        relation(_schema, _name)
