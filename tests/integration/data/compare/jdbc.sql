-- WITH RECURSIVE (iteration, UNION vs UNION ALL, column lists, type rules, PostgreSQL's 42P19 family) and the catalog queries asyncpg and pgjdbc send.
INSERT INTO actors VALUES ('user:1', 'user', '{"manager": null}'), ('user:2', 'user', '{"manager": "user:1"}'), ('user:3', 'user', '{"manager": "user:2"}'), ('user:4', 'user', '{"manager": "user:2"}'), ('bot:1', 'bot', NULL)
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 100) SELECT count(*), sum(n), max(n) FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT n % 3 + 1 FROM t) SELECT * FROM t ORDER BY n
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n % 3 + 1 FROM t) SELECT * FROM t LIMIT 7
WITH RECURSIVE t AS (SELECT 1 AS a, 'x'::text AS b UNION ALL SELECT a + 1, b || 'y' FROM t WHERE a < 3) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 'a' UNION ALL SELECT n || 'b' FROM t WHERE length(n) < 3) SELECT * FROM t
WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1) SELECT * FROM t
WITH RECURSIVE a AS (SELECT 1 AS x), b(y) AS (SELECT x FROM a UNION ALL SELECT y + 1 FROM b WHERE y < 3) SELECT * FROM b
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t t1 JOIN t t2 ON t1.n = t2.n ORDER BY 1
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + 1 FROM t LEFT JOIN actors ON false WHERE t.n < 3) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT DISTINCT n + 1 FROM t WHERE t.n < 3) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 GROUP BY n) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT NULL FROM t WHERE n IS NOT NULL) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 INTERSECT SELECT 2)) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 EXCEPT SELECT 2)) SELECT * FROM t
WITH RECURSIVE chain(id, depth) AS (SELECT actor_id, 0 FROM actors WHERE actor_id = 'user:1' UNION ALL SELECT a.actor_id, c.depth + 1 FROM actors a JOIN chain c ON a.state->>'manager' = c.id) SELECT * FROM chain ORDER BY depth, id
WITH RECURSIVE up(id) AS (SELECT 'user:4'::text UNION SELECT a.state->>'manager' FROM up JOIN actors a ON a.actor_id = up.id WHERE a.state->>'manager' IS NOT NULL) SELECT * FROM up
SELECT (WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 4) SELECT sum(n) FROM t)
SELECT actor_id FROM actors WHERE actor_id IN (WITH RECURSIVE t(id) AS (SELECT 'user:2'::text UNION SELECT 'user:' || (substr(id, 6)::int + 1) FROM t WHERE id < 'user:3') SELECT id FROM t) ORDER BY 1
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1::bigint FROM t WHERE n < 3) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT NULL UNION ALL SELECT 1 FROM t) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 INTERSECT SELECT n + 1 FROM t) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT n FROM t) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT n FROM t UNION ALL SELECT 1) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 UNION ALL SELECT 7) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT (SELECT n FROM t)) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE EXISTS (SELECT 1 FROM t)) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT x.n + 1 FROM (SELECT n FROM t) x WHERE x.n < 3) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n FROM t, t t2) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT 2 FROM t LEFT JOIN t t2 ON true) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT 1 FROM actors LEFT JOIN t ON true) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT 1 FROM t FULL JOIN actors ON true) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 UNION SELECT 5 FROM t WHERE n = 1)) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT 2 EXCEPT SELECT n FROM t)) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n FROM t INTERSECT ALL SELECT 2)) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 ORDER BY 1) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 LIMIT 2) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 OFFSET 1) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT count(*) FROM t) SELECT * FROM t
WITH RECURSIVE t(n, m) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT 1, 2 FROM t) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT 'x' FROM t) SELECT * FROM t
WITH t(n, m) AS (SELECT 1) SELECT * FROM t
SELECT actor_id, row_number() OVER (PARTITION BY actor_type ORDER BY actor_id DESC) AS n, rank() OVER (ORDER BY actor_type), dense_rank() OVER (ORDER BY actor_type) FROM actors ORDER BY actor_id
SELECT attname, row_number() OVER (PARTITION BY attrelid ORDER BY attnum) FROM pg_catalog.pg_attribute WHERE attrelid = 'actors'::regclass AND attnum > 0 ORDER BY 2
SELECT actor_id FROM actors WHERE row_number() OVER () > 1
SELECT information_schema._pg_expandarray(ARRAY[10, 20])
SELECT (information_schema._pg_expandarray(ARRAY['a', 'b'])).n, (information_schema._pg_expandarray(ARRAY['a', 'b'])).x
SELECT k, (k).x, (k).n FROM (SELECT information_schema._pg_expandarray(indkey) AS k FROM pg_catalog.pg_index WHERE indrelid = 'actors'::regclass) s ORDER BY 2
SELECT (information_schema._pg_expandarray(ARRAY[1])).nope
SELECT unnest(ARRAY[1, 2, 3]) AS u, unnest(ARRAY['a', 'b'])
SELECT 12 & 10, 12 | 10, 12 # 10, 6::smallint & 3::smallint, 6::int8 | 1
SELECT a.attname, a.attnum, row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum, a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) AS attnotnull, pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS adsrc FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_class c ON (c.relnamespace = n.oid) JOIN pg_catalog.pg_attribute a ON (a.attrelid = c.oid) JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid) LEFT JOIN pg_catalog.pg_attrdef def ON (a.attrelid = def.adrelid AND a.attnum = def.adnum) WHERE c.relkind IN ('r', 'p', 'v', 'f', 'm') AND a.attnum > 0 AND NOT a.attisdropped AND n.nspname LIKE 'public' AND c.relname LIKE 'actors' ORDER BY 2
SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid   FROM pg_catalog.pg_type   LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r           from pg_namespace as ns           join ( select s.r, (current_schemas(false))[s.r] as nspname                    from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r          using ( nspname )        ) as sp     ON sp.nspoid = typnamespace  WHERE pg_type.oid = 3802  ORDER BY sp.r, pg_type.oid DESC
SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.oid = 3802
SET statement_timeout = 300
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t WHERE n = 0
WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT 1 FROM t) SELECT * FROM t
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t JOIN actors ON t.n::text = actors.actor_id
RESET statement_timeout
