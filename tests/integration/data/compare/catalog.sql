-- System catalog types and functions (issue 7): answers must equal PostgreSQL 15's. One statement a line.
-- OID alias types: names in, names out (OIDs of user objects differ between servers, so compared as names)
SELECT 'actors'::regclass, 'actors'::regclass::text, 'public.actors'::regclass, 'actors_pkey'::regclass
SELECT 'pg_class'::regclass, 'pg_catalog.pg_type'::regclass::oid, 1259::regclass, 'information_schema.tables'::regclass::text
SELECT 'nope'::regclass
SELECT 'nope.actors'::regclass
SELECT 'int4'::regtype, 'integer'::regtype, 'text[]'::regtype, 'character varying'::regtype, 'jsonb'::regtype::oid
SELECT 25::regtype, 3807::regtype, 1043::regtype, 0::regtype, 'bool'::regtype::text
SELECT 'nope'::regtype
SELECT 'int4in'::regproc, 'int4in'::regproc::oid, 42::regproc
SELECT 'length'::regproc
SELECT 'public'::regnamespace, 'pg_catalog'::regnamespace::oid, 11::regnamespace
SELECT to_regtype('hstore'), to_regtype('integer'), to_regclass('actors'), to_regclass('nope'), to_regclass('pg_catalog.pg_class')
-- format_type
SELECT format_type(25, NULL), format_type(3802, -1), format_type(1043, 20), format_type(1043, -1), format_type(1009, NULL)
SELECT format_type(1042, NULL), format_type(1042, -1), format_type(18, -1), format_type(1184, NULL), format_type(1700, 655366), format_type(99999, -1), format_type(NULL, 1)
-- object definitions
SELECT pg_get_indexdef('actors_pkey'::regclass), pg_get_indexdef('actors_actor_type_idx'::regclass)
SELECT pg_get_indexdef('actors_pkey'::regclass, 1, true), pg_get_indexdef('actors'::regclass)
SELECT pg_get_userbyid(99999), obj_description('actors'::regclass, 'pg_class'), col_description('actors'::regclass, 1)
SELECT pg_get_serial_sequence('actors', 'actor_id')
SELECT pg_get_serial_sequence('actors', 'nope')
-- visibility and privileges
SELECT pg_table_is_visible('actors'::regclass), pg_table_is_visible('pg_class'::regclass), pg_type_is_visible(25)
SELECT has_table_privilege('actors', 'select'), has_table_privilege('actors', 'SELECT, INSERT'), has_table_privilege('actors'::regclass, 'update')
SELECT has_table_privilege('nope', 'select')
SELECT has_table_privilege('actors', 'frob')
SELECT has_schema_privilege('public', 'usage'), has_schema_privilege('public', 'create'), has_schema_privilege('pg_catalog', 'USAGE')
SELECT has_schema_privilege('nope', 'usage')
-- sizes (an empty table; index and TOAST sizes are LMDB's, not PostgreSQL's pages, so not compared)
SELECT pg_relation_size('actors'), pg_relation_size('actors', 'main'), pg_relation_size('nope')
SELECT pg_size_pretty(0::bigint), pg_size_pretty(10239::bigint), pg_size_pretty(10240::bigint), pg_size_pretty(123456789::bigint)
SELECT pg_size_pretty(-123456789::bigint), pg_size_pretty(20971519::bigint), pg_size_pretty(1649267441664000::bigint), pg_size_pretty(1::numeric)
-- session
SELECT current_schemas(true), current_schemas(false), current_setting('DateStyle'), current_setting('nope', true)
SELECT current_setting('nope')
SELECT set_config('application_name', 'catalog corpus', false), current_setting('application_name')
SELECT pg_encoding_to_char(6), pg_encoding_to_char(0), pg_encoding_to_char(999), quote_ident('Actors'), quote_ident('actors'), quote_ident('a b')
SELECT pg_typeof(1), pg_typeof('a'::text), pg_typeof(1.5), pg_typeof('{}'::jsonb)
SELECT pg_is_in_recovery(), pg_my_temp_schema(), pg_is_other_temp_schema(2200), pg_tablespace_location(1663)
SELECT txid_current() > 0, pg_postmaster_start_time() <= now(), pg_backend_pid() > 0
-- information_schema.columns for actors, row for row (domain-typed columns read as text: orbit-pg types them by their base types)
SELECT table_schema::text, table_name::text, column_name::text, ordinal_position::int, column_default::text, is_nullable::text, data_type::text, character_maximum_length::int, character_octet_length::int, numeric_precision::int, numeric_scale::int, datetime_precision::int, interval_type::text, collation_name::text, domain_name::text, udt_catalog IS NOT NULL, udt_schema::text, udt_name::text, maximum_cardinality::int, dtd_identifier::text, is_self_referencing::text, is_identity::text, identity_generation::text, is_generated::text, generation_expression::text, is_updatable::text FROM information_schema.columns WHERE table_name = 'actors' ORDER BY ordinal_position
SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'
