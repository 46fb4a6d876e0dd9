-- One statement a line, run in order on a fresh orbit-pg and a fresh PostgreSQL 15; answers must match.
SELECT * FROM actors WHERE
SELECT 'abc
SELECT "" FROM actors
INSERT INTO actors VALUES ('a', 'b'
SELECT 1 +
UPDATE actors SET WHERE actor_id = 'x'
SELECT * FROM actors WHERE actor_id = 'a' actor_type = 'b'
DELETE actors
SELECT 1 2
SELECT $1
SELECT 2*-3, 7/2, -7/2, 7%3, -7%3, 2+3*4, (2+3)*4, 1.5*2, 10/4.0
SELECT 'a' || 'b', 'a' || 1, 1 || 'a'
SELECT 1 = 1, 'a' < 'b', NULL = 1, NOT true, true AND NULL, false AND NULL, true OR NULL
SELECT NULL IS NULL, 1 IS NOT NULL, true IS TRUE, NULL IS NOT FALSE
SELECT E'a\nb', E'\x41\101', $$dollar 'q'$$, $t$x$t$, 'it''s'
SELECT 1::text, '5'::int + 1, 'true'::boolean, CAST('12' AS bigint), '{"b":1,"a":2}'::jsonb, 1.50::numeric
SELECT 'x'::int
SELECT 99999999999::int
SELECT 2147483647 + 1
SELECT 9223372036854775807 + 1
SELECT 9223372036854775808
SELECT 'abc'::jsonb
SELECT 1 AS a, 2 b, 3 "C"
SELECT * FROM actors a WHERE a.actor_id = 'x'
SELECT * FROM actors a WHERE actors.actor_id = 'x'
SELECT * FROM actors WHERE b.actor_id = 'x'
SELECT * FROM public.actors WHERE actor_id = 'x'
SELECT * FROM other.actors
SELECT actor_id FROM actors WHERE state
SELECT * FROM actors WHERE actor_id = 'x' AND 1
INSERT INTO actors (actor_id, nope) VALUES ('x', 'y')
INSERT INTO actors (actor_id, actor_id) VALUES ('x', 'y')
INSERT INTO actors VALUES ('a', 'b', '{}', 'd')
INSERT INTO actors (actor_id, actor_type, state) VALUES ('a', 'b')
INSERT INTO actors VALUES ('a', 'b', '{}'), ('c', 'd')
INSERT INTO actors VALUES ('a', 'b', 5)
INSERT INTO actors VALUES (5, 6, NULL)
UPDATE actors SET nope = 1
UPDATE actors SET state = 'text'::text
SELECT current_user, session_user, current_catalog, user
SELECT -(1), +2, - -3
SELECT 1 LIMIT 0
SELECT 1 LIMIT -1
SELECT 1 OFFSET -1
SET search_path = public, "$user"
SHOW search_path
SET statement_timeout = 1000
SHOW statement_timeout
SET statement_timeout = '1500ms'
SHOW statement_timeout
SET work_mem = '64MB'
SHOW work_mem
SET standard_conforming_strings = nope
SET server_version = '1'
SET extra_float_digits = 3
SHOW extra_float_digits
SET myapp.foo = 'bar'
SHOW myapp.foo
SHOW myapp.nope
SHOW nope
SET TIME ZONE 'UTC'
SHOW TIME ZONE
SHOW TRANSACTION ISOLATION LEVEL
SELECT 1 WHERE false
SELECT 1 WHERE 1 = 1
SELECT x
SELECT foo()
SELECT version(1)
SELECT 1::nosuchtype
SELECT 'a' = 1
SELECT true + 1
SELECT -'a'
SELECT * 
SELECT 1 FROM actors WHERE actor_id IS NULL
INSERT INTO actors VALUES ('user:1', 'user', '{"n": 1}')
PREPARE q1 (text) AS SELECT actor_id, state FROM actors WHERE actor_id = $1
EXECUTE q1('user:1')
EXECUTE q1
EXECUTE nope
PREPARE q1 AS SELECT 1
DEALLOCATE q1
DEALLOCATE q1
PREPARE q2 AS SELECT $1 || 'x', $2::int + 1, $3
EXECUTE q2('a', '5', 7)
PREPARE q3 (int) AS SELECT actor_id FROM actors LIMIT $1
EXECUTE q3(0)
EXECUTE q3(5)
PREPARE q4 (nosuchtype) AS SELECT 1
PREPARE q5 AS UPDATE actors SET state = $1 WHERE actor_id = $2
EXECUTE q5('{"n": 2}', 'user:1')
EXECUTE q5('nope', 'user:1')
SELECT state FROM actors WHERE actor_id = 'user:1'
DEALLOCATE ALL
DISCARD ALL
DISCARD PLANS
EXECUTE q2('a', '5', 7)
SELECT 1::float8, 1.5::float8, 2::oid, 0.1::float4, 1e300::float8 * 1e10
SELECT 2.5::int, 3.5::int, (-2.5)::int, 2.5::float8::int, 3.5::float8::int
SELECT 1::float8 / 0
SELECT 1.5::float8 + 1, 1::float4 + 1::float4, 1 + 2.5, 10 / 4.0, 0.1::float8 + 0.2::float8
SELECT (-1)::oid, 4294967295::oid
SELECT '1.5'::float8 * 2, 'nan'::float8::text, 'infinity'::float8, '-0'::float8
SELECT '2024-01-02'::date, '2024-01-02 03:04:05.5+02'::timestamptz, '1 day 2 hours'::interval
SELECT 'abc'::bytea, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'x'::varchar, '{"a":1}'::json
INSERT INTO actors VALUES ('m:1', 'm', NULL), ('m:2', 'm', NULL)
UPDATE actors SET actor_id = 'moved:' || actor_id WHERE actor_type = 'm'
SELECT actor_id FROM actors WHERE actor_type = 'm' ORDER BY 1
UPDATE actors SET actor_id = 'same' WHERE actor_type = 'm'
INSERT INTO actors VALUES ('d:1', 'd', NULL), ('d:1', 'd', NULL)
UPDATE actors SET actor_type = NULL WHERE actor_id = 'moved:m:1'
