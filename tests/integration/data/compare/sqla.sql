-- What SQLAlchemy 2's and Alembic's reflection, and pgcli's completion, ask the catalogs (issue 7). One statement a line.
-- json_build_object / json_build_array: the json type's own text (keys in call order, duplicates kept, " : ")
SELECT json_build_object('a', 1, 'b', true, 'a', 'x"y', 'n', NULL, 'arr', ARRAY[1, 2], 'j', '{"z": 1, "a": [1, 2]}'::jsonb)::text
SELECT json_build_object()::text, json_build_array()::text, pg_typeof(json_build_object('a', 1))
SELECT json_build_array(1, 'two', 2.50, NULL, ARRAY[ARRAY[1, 2], ARRAY[3, 4]], 'NaN'::numeric, 1e100::float8, 5::oid)::text
SELECT json_build_object(1, 2, true, false, 1.5, 'x', 'j', '{"b":  1}'::json, 'e', E'\u00e9\n\t')::text
SELECT json_build_object('a')
SELECT json_build_object(NULL, 1)
SELECT json_build_object(ARRAY[1], 1)
SELECT json_build_object('k', '{}'::jsonb, 'v', 'x')::text IS NOT NULL
-- set-returning functions in the select list (ProjectSet): run in step, the shorter padded with NULL
SELECT unnest(ARRAY[1, 2, 3]) AS x, generate_series(1, 2) AS y
SELECT generate_subscripts(ARRAY[5, 6, 7], 1), unnest(ARRAY['a', 'b', 'c'])
SELECT generate_subscripts('{{1,2},{3,4},{5,6}}'::int[], 2, true), generate_subscripts('{{1,2},{3,4},{5,6}}'::int[], 1)
SELECT generate_subscripts(ARRAY[1], 3), generate_subscripts(ARRAY[1], 0)
SELECT unnest(ARRAY[]::int[]), 1
SELECT unnest(NULL::int[]), generate_series(1, 2)
SELECT unnest(ARRAY[1, 2]) + 1 AS z ORDER BY z DESC
SELECT count(*), unnest(ARRAY[1, 2]) FROM pg_am
SELECT amname, unnest(ARRAY[1, 2]) AS n FROM pg_am ORDER BY amname, n DESC LIMIT 3
SELECT * FROM generate_subscripts(ARRAY[4, 5], 1)
SELECT * FROM generate_subscripts(ARRAY[4, 5], 1, true) AS s(i)
SELECT 1 WHERE unnest(ARRAY[1]) = 1
SELECT generate_subscripts('{1}'::text, 1)
SELECT generate_subscripts(ARRAY[1], 1::int8)
-- int2vector and oidvector count from 0
SELECT unnest(indkey), generate_subscripts(indkey, 1), unnest(indclass), pg_typeof(unnest(indkey)) FROM pg_index WHERE indrelid = 'actors'::regclass ORDER BY 1
SELECT indexrelid::regclass, ord, attnum FROM (SELECT indexrelid, unnest(indkey) AS attnum, generate_subscripts(indkey, 1) AS ord FROM pg_index WHERE indrelid = 'actors'::regclass) AS idx ORDER BY 1, 2
-- catalog functions and settings
SELECT pg_collation_is_visible(100), pg_collation_is_visible(950), pg_collation_is_visible(1)
SELECT current_setting('default_table_access_method')
SELECT c.relname, pg_get_indexdef(c.oid, 1, true), pg_get_indexdef(c.oid, 0, true) FROM pg_class AS c WHERE c.relname LIKE 'actors%' ORDER BY 1
-- SQLAlchemy's get_columns, with its parameters written in
SELECT pg_catalog.pg_attribute.attname AS name, pg_catalog.format_type(pg_catalog.pg_attribute.atttypid, pg_catalog.pg_attribute.atttypmod) AS format_type, CASE WHEN pg_catalog.pg_attribute.atthasdef THEN (SELECT pg_catalog.pg_get_expr(pg_catalog.pg_attrdef.adbin, pg_catalog.pg_attrdef.adrelid) AS pg_get_expr_1 FROM pg_catalog.pg_attrdef WHERE pg_catalog.pg_attribute.atthasdef AND pg_catalog.pg_attrdef.adrelid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attrdef.adnum = pg_catalog.pg_attribute.attnum) ELSE NULL END AS "default", pg_catalog.pg_attribute.attnotnull AS not_null, pg_catalog.pg_class.relname AS table_name, pg_catalog.pg_description.description AS comment, pg_catalog.pg_attribute.attgenerated AS generated, CASE WHEN (pg_catalog.pg_attribute.attidentity != ''::VARCHAR) THEN (SELECT json_build_object('always'::VARCHAR, pg_catalog.pg_attribute.attidentity = 'a'::VARCHAR, 'start'::VARCHAR, pg_catalog.pg_sequence.seqstart, 'increment'::VARCHAR, pg_catalog.pg_sequence.seqincrement, 'minvalue'::VARCHAR, pg_catalog.pg_sequence.seqmin, 'maxvalue'::VARCHAR, pg_catalog.pg_sequence.seqmax, 'cache'::VARCHAR, pg_catalog.pg_sequence.seqcache, 'cycle'::VARCHAR, pg_catalog.pg_sequence.seqcycle) AS json_build_object_1 FROM pg_catalog.pg_sequence WHERE pg_catalog.pg_attribute.attidentity != ''::VARCHAR AND pg_catalog.pg_sequence.seqrelid = CAST(CAST(pg_catalog.pg_get_serial_sequence(CAST(CAST(pg_catalog.pg_attribute.attrelid AS REGCLASS) AS TEXT), pg_catalog.pg_attribute.attname) AS REGCLASS) AS OID)) ELSE NULL END AS identity_options, CASE WHEN (pg_catalog.pg_attribute.attcollation != 0::INTEGER AND (SELECT pg_catalog.pg_type.typcollation FROM pg_catalog.pg_type WHERE pg_catalog.pg_type.oid = pg_catalog.pg_attribute.atttypid) != pg_catalog.pg_attribute.attcollation) THEN (SELECT json_build_object('name'::VARCHAR, pg_catalog.pg_collation.collname, 'schema'::VARCHAR, CASE WHEN pg_catalog.pg_collation_is_visible(pg_catalog.pg_collation.oid) THEN NULL ELSE pg_catalog.pg_namespace.nspname END) AS json_build_object_9 FROM pg_catalog.pg_collation JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_collation.collnamespace WHERE pg_catalog.pg_collation.oid = pg_catalog.pg_attribute.attcollation) ELSE NULL END AS collation FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_attribute ON pg_catalog.pg_class.oid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attribute.attnum > 0::SMALLINT AND NOT pg_catalog.pg_attribute.attisdropped LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_description.objsubid = pg_catalog.pg_attribute.attnum JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace WHERE pg_catalog.pg_class.relkind = ANY (ARRAY['r'::VARCHAR, 'p'::VARCHAR, 'f'::VARCHAR, 'v'::VARCHAR, 'm'::VARCHAR]) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND pg_catalog.pg_namespace.nspname != 'pg_catalog'::VARCHAR AND pg_catalog.pg_class.relname IN ('actors'::VARCHAR) ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_attribute.attnum
-- a select-list alias after AS may be a reserved word (pgcli's "AS default")
SELECT 1 AS default, 2 AS select, 3 AS "from", 4 AS user ORDER BY 1
-- array to array casts element by element (pgcli: proargtypes::regtype[]::text[])
select '{25,23}'::oid[]::regtype[]::text[], ARRAY[16,1043]::regtype[]::text[], '{1,2}'::int[]::text[], '{a,b}'::text[]::int[]
select proargtypes::regtype[]::text[], COALESCE(proallargtypes::regtype[], proargtypes::regtype[])::text[] from pg_proc where proname = 'format_type'
select '{1.5,null}'::numeric[]::int[], '{{1},{2}}'::int[]::text[]
