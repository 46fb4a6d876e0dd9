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
-- JSONB operators and scalar functions (actors of type 'jx', ids 'jx:*')
INSERT INTO actors VALUES ('jx:1', 'jx', '{"balance": 100, "name": "Ann", "tags": ["a", "b"], "address": {"city": "Oslo", "zip": null}, "ratio": 1.50, "active": true}'), ('jx:2', 'jx', '[1, "two", {"three": 3}, [4, 5], null]'), ('jx:3', 'jx', '"scalar"'), ('jx:4', 'jx', NULL), ('jx:5', 'jx', '{}')
UPDATE actors SET state = jsonb_set(state, '{balance}', to_jsonb((state->>'balance')::int + 500)) WHERE actor_id = 'jx:1'
SELECT state::text FROM actors WHERE actor_id = 'jx:1'
SELECT actor_id, state->'balance', state->'name', state->'missing', state->'address'->'city', state->0 FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT actor_id, state->>'balance', state->>'name', state->>'missing', state->>'address', state->>'ratio', state->>'active', state->'address'->>'zip' FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT actor_id, (state->0)::text, state->>1, (state->-1)::text, state->>-2, state->5, state->-6, state->'0' FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT actor_id, (state #> '{address,city}')::text, state #>> '{address,city}', state #>> '{tags,1}', state #>> '{tags,-1}', state #> '{2,three}', state #>> '{3,0}', (state #> '{}')::text, state #>> '{}' FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT actor_id, state #> '{address,zip}', state #>> '{address,zip}', state #> '{tags,x}', state #> '{name,x}', state #> '{address,NULL}', state #>> '{missing,deeper}' FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT '[1]'::jsonb #> '{" 0"}', '[1]'::jsonb #> '{"0 "}', '[1]'::jsonb #> '{+0}', '{"a":1}'::jsonb #> '{{a}}', '[1]'::jsonb #> '{99999999999999999999}', ('"x"'::jsonb #> '{}')::text, 'null'::jsonb #>> '{}'
SELECT '"abc"'::jsonb -> 0, '"abc"'::jsonb -> -1, '"abc"'::jsonb -> 1, '"abc"'::jsonb ->> 0, '1'::jsonb -> 'a', '{"a":null}'::jsonb -> 'a', '{"a":null}'::jsonb ->> 'a'
SELECT state->'a' FROM actors WHERE actor_id = 'jx:4'
SELECT '{"a":{"b":{"c":"deep"}}}'::jsonb -> 'a' -> 'b' ->> 'c', '{"a":[{"b":1}]}'::jsonb -> 'a' -> 0 ->> 'b'
SELECT '{"a":1}'::jsonb -> NULL, '{"a":1}'::jsonb ->> NULL, NULL::jsonb -> 'a', '{"a":1}'::jsonb -> 1::smallint, '{"a":1}'::jsonb -> 'a'::varchar, '{"a":1}'::jsonb ->> 'a'::name
SELECT '{"a":1}' -> 'a'
SELECT NULL -> 'a'
SELECT '{"a":1}' ->> 'a'
SELECT '{"a":1}' #> '{a}'
SELECT '{"a":1}' #>> '{a}'
SELECT '{"a":1}'::jsonb -> 1::bigint
SELECT '{"a":1}'::jsonb -> 1.5
SELECT 'a'::text -> 'a'
SELECT actor_type -> 'a' FROM actors WHERE actor_id = 'jx:1'
SELECT 1 -> 'a'
SELECT '{"a":1}'::jsonb #> 'a'
SELECT '{"a":1}'::jsonb #> 'a'::text
SELECT '{"a":1}'::jsonb #>> '{a'
SELECT actor_id, state @> '{"name": "Ann"}', state @> '{"address": {"city": "Oslo"}}', state @> '{"tags": ["b"]}', state @> '[1]', state @> '[[4]]', state @> '"scalar"', state @> '{}' FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT actor_id FROM actors WHERE state @> '{"active": true}' ORDER BY 1
SELECT actor_id, '{"name": "Ann"}' <@ state, state <@ '{"a": 1}', state <@ state FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT '[1,2,3]'::jsonb @> '[3,1]', '[1,2,3]'::jsonb @> '1', '1'::jsonb @> '[1]', '1'::jsonb @> '1', '1.0'::jsonb @> '1', '[1,[2,3]]'::jsonb @> '[[2]]', '[[1,2]]'::jsonb @> '[1]', '{"a":[1,2]}'::jsonb @> '{"a":[1]}', '{"a":1}'::jsonb @> '[]', '[]'::jsonb @> '{}'
SELECT '[{"a":1,"b":2}]'::jsonb @> '[{"a":1}]', '{}'::jsonb @> '{}', '["a"]'::jsonb @> '"a"', '[true]'::jsonb @> '[1]', '{"a":null}'::jsonb @> '{"a":null}', '{"a":{"b":1}}'::jsonb @> '{"a":[]}', '[[]]'::jsonb @> '[{}]', '{"a":1}'::jsonb <@ '{"a":1,"b":2}', '1'::jsonb <@ '[1]', NULL::jsonb @> '{}'
SELECT '{"a":1}' @> '{}'
SELECT '{"a":1}' <@ '{}'
SELECT '{"a":1}'::jsonb @> 'x'
SELECT '{"a":1}'::jsonb @> '{"a":1}'::text
SELECT actor_type @> '{}' FROM actors WHERE actor_id = 'jx:1'
SELECT actor_id, state ? 'name', state ? 'two', state ? 'scalar', state ? 'three', state ? 'zip', state ?| '{x,tags}', state ?| '{x,y}', state ?& '{name,tags}', state ?& '{name,x}' FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT '{"a":1}'::jsonb ?| '{}', '{"a":1}'::jsonb ?& '{}', '{"a":1}'::jsonb ?| '{NULL,a}', '{"a":1}'::jsonb ?& '{NULL,a}', '{"a":1}'::jsonb ?& '{{a},{b}}', '{"a":1}'::jsonb ?| NULL, '{"a":1}'::jsonb ? NULL, '1'::jsonb ? '1', '[["a"]]'::jsonb ? 'a'
SELECT '{"a":1}' ? 'a', '{"a":1}' ?& '{a}', NULL ? NULL, '{"a":1}' #- '{a}'
SELECT '{"a":1}' ?| '{a}'
SELECT '{"a":1}'::jsonb ? 1
SELECT '{"a":1}'::jsonb ?| 'a'
SELECT actor_id, (state || '{"extra": 1}')::text, (state || '[9]')::text, (state || state)::text FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT ('{"a":1,"b":2}'::jsonb || '{"b":3,"c":4}')::text, ('[1,2]'::jsonb || '[3]')::text, ('{"a":1}'::jsonb || '1')::text, ('1'::jsonb || '{"a":1}')::text, ('1'::jsonb || '2')::text, ('[]'::jsonb || '{}')::text, ('{"a":{"b":1}}'::jsonb || '{"a":{"c":2}}')::text
SELECT '{"a":1}'::jsonb || NULL, NULL || '{"a":1}'::jsonb, '{"a":1}'::jsonb || 'x'::text, 'x' || '{"a":1}'::jsonb::text
SELECT '{"a":1}'::jsonb || 'x'
SELECT 'x' || '{"a":1}'::jsonb
SELECT '{"a":1}'::jsonb || 1
SELECT actor_id, (state - 'name')::text, (state - 'two')::text, (state - 0)::text FROM actors WHERE actor_type = 'jx' AND jsonb_typeof(state) = 'array' ORDER BY 1
SELECT (state - 'name')::text, (state - '{name,tags,nope}'::text[])::text FROM actors WHERE actor_id = 'jx:1'
SELECT ('[1,2,3]'::jsonb - 1)::text, ('[1,2,3]'::jsonb - -1)::text, ('[1,2,3]'::jsonb - 5)::text, ('[1,2,3]'::jsonb - -5)::text, ('["a","b","a"]'::jsonb - 'a')::text, ('[]'::jsonb - 'a')::text, ('[]'::jsonb - 0)::text, ('{}'::jsonb - 'a')::text
SELECT ('[1,"a"]'::jsonb - '{a}'::text[])::text, ('{"a":1}'::jsonb - '{}'::text[])::text, ('{"a":1}'::jsonb - '{NULL}'::text[])::text, '{"a":1}'::jsonb - NULL, ('{"a":1}'::jsonb - 'a'::varchar)::text, ('[1,2]'::jsonb - 1::smallint)::text
SELECT '{"a":1}'::jsonb - '{{a}}'::text[]
SELECT '{"a":1}'::jsonb - 0
SELECT '{}'::jsonb - 0
SELECT state - 'a' FROM actors WHERE actor_id = 'jx:3'
SELECT '1'::jsonb - 0
SELECT '"a"'::jsonb - '{}'::text[]
SELECT '{"a":1}' - 'a'
SELECT '{"a":1}'::jsonb - 1.5
SELECT 1 - '{"a":1}'::jsonb
SELECT '{"a":1}' - '{"a":1}'::jsonb
SELECT ('{"a":{"b":[1,2,3]}}'::jsonb #- '{a,b,1}')::text, ('{"a":{"b":[1,2,3]}}'::jsonb #- '{a,b,-1}')::text, ('{"a":1}'::jsonb #- '{}')::text, ('{"a":1}'::jsonb #- '{x,y}')::text, ('[1,2]'::jsonb #- '{5}')::text, ('{}'::jsonb #- '{a}')::text, ('{"a":{"b":1}}'::jsonb #- '{a,b}')::text
SELECT '[1,2]'::jsonb #- '{a}'
SELECT '1'::jsonb #- '{a}'
SELECT '{"a":[1]}'::jsonb #- '{a,NULL}'
SELECT '{"a":1}'::jsonb #- '{{a}}'
SELECT '{"a":1}'::jsonb #- '{a' 
SELECT '{"a":{"b":1}}'::jsonb -> 'a' ->> 'b' || 'x', '{"a":1}'::jsonb ->> 'a' = '1', '{"a":1}'::jsonb -> 'a' = '1', '{"a":1}'::jsonb @> '{"a":1}' = true, '{"a":1}'::jsonb ? 'a' AND true
SELECT 'x' || '{"a":1}'::jsonb ->> 'a'
SELECT 1 + '{"a":1}'::jsonb ->> 'a'
SELECT '{"a":1}'::jsonb ->> 'a' + 1
SELECT - '{"a":1}'::jsonb ->> 'a'
SELECT ('{"a":1}'::jsonb ->> 'a')::int + 1, '{"a":1}'::jsonb->>'a'='1', '[1,2]'::jsonb->-1, '[1,2]'::jsonb->>-1, 2*-3, 2 ^ 3, 2 ^ 3 ^ 2, -2 ^ 2, 2 * 3 ^ 2, '2' ^ '3', NULL ^ 2, 2.5::float8 ^ '2'
SELECT 0 ^ -1
SELECT (-8)::float8 ^ 0.5::float8
SELECT 10::float8 ^ 400
SELECT '1' + '2'
SELECT NULL % NULL
SELECT '{"a":1}'::jsonb @>-1
SELECT 1 @- 2
SELECT 'x' @- 'y'
SELECT 1 ~~ 2
SELECT 1 => 2
SELECT '{"a":1}'::jsonb = '{"a":1.0}'::jsonb, '1'::jsonb = '1.00', '[1,2]'::jsonb <> '[2,1]', '{"a":[1,{"b":2}]}'::jsonb = '{"a":[1,{"b":2.0}]}'
SELECT actor_id, jsonb_typeof(state), jsonb_typeof(state->'balance'), jsonb_typeof(state->'tags'), jsonb_typeof(state->'active'), jsonb_typeof(state->'address'->'zip') FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT jsonb_typeof('{}'), jsonb_typeof('[]'), jsonb_typeof('1'), jsonb_typeof('"a"'), jsonb_typeof('true'), jsonb_typeof('null'), jsonb_typeof(NULL)
SELECT jsonb_typeof('x')
SELECT jsonb_typeof(1)
SELECT jsonb_array_length(state->'tags'), jsonb_array_length(state->'missing') FROM actors WHERE actor_id = 'jx:1'
SELECT jsonb_array_length(state) FROM actors WHERE actor_id = 'jx:2'
SELECT jsonb_array_length('[1,2,[3]]'), jsonb_array_length('[]'), jsonb_array_length(NULL)
SELECT jsonb_array_length('{}')
SELECT jsonb_array_length('1')
SELECT jsonb_array_length(state) FROM actors WHERE actor_id = 'jx:1'
SELECT jsonb_strip_nulls(state)::text FROM actors WHERE actor_type = 'jx' ORDER BY actor_id
SELECT jsonb_strip_nulls('{"a":null,"b":[null,{"c":null}],"d":{"e":null,"f":1}}')::text, jsonb_strip_nulls('null')::text, jsonb_strip_nulls(NULL)
SELECT jsonb_set(state, '{name}', '"Bo"')::text, jsonb_set(state, '{address,city}', '"Rome"')::text, jsonb_set(state, '{new}', '1')::text, jsonb_set(state, '{new}', '1', false)::text, jsonb_set(state, '{tags,0}', '"z"')::text FROM actors WHERE actor_id = 'jx:1'
SELECT jsonb_set(state, '{tags,9}', '"end"')::text, jsonb_set(state, '{tags,-9}', '"start"')::text, jsonb_set(state, '{tags,-1}', '"last"')::text, jsonb_set(state, '{missing,deeper}', '1')::text, jsonb_set(state, '{name,deeper}', '1')::text FROM actors WHERE actor_id = 'jx:1'
SELECT jsonb_set(state, '{3,1}', '"x"')::text, jsonb_set(state, '{2,four}', '4')::text, jsonb_set(state, '{}', '1')::text FROM actors WHERE actor_id = 'jx:2'
SELECT jsonb_set('{}', '{a}', '1')::text, jsonb_set('{}', '{a}', '1', false)::text, jsonb_set('[]', '{0}', '1')::text, jsonb_set('[]', '{5}', '1', false)::text, jsonb_set('{"a":1}', '{a}', 'null')::text
SELECT jsonb_set('{"a":1}', '{a}', NULL), jsonb_set(NULL, '{a}', '1'), jsonb_set('{"a":1}', NULL, '1'), jsonb_set('{"a":1}', '{a}', '2', NULL)
SELECT jsonb_set(state, '{a}', '1') FROM actors WHERE actor_id = 'jx:3'
SELECT jsonb_set('{"a":{"x":1}}', '{a,NULL}', '1')
SELECT jsonb_set('{"a":1}', '{b,NULL}', '1')::text
SELECT jsonb_set('[1]', '{x}', '1')
SELECT jsonb_set('{"a":1}', '{{a}}', '1')
SELECT jsonb_set('{"a":1}', '{a}', 2)
SELECT jsonb_set('{"a":1}'::jsonb, '{a}', '2'::text)
SELECT jsonb_set('{"a":1}', '{a}')
SELECT jsonb_set('{"a":1}', '{a}', '2', 'x')
SELECT jsonb_set('{"a":1}', '{a}', '2', true, 1)
SELECT jsonb_set('{"a":1}', 'a', '2')
SELECT jsonb_set('{"a":1}', '{a}', 'x')
SELECT jsonb_insert(state, '{tags,0}', '"first"')::text, jsonb_insert(state, '{tags,0}', '"second"', true)::text, jsonb_insert(state, '{tags,-1}', '"x"')::text, jsonb_insert(state, '{tags,99}', '"x"')::text, jsonb_insert(state, '{newkey}', '1')::text FROM actors WHERE actor_id = 'jx:1'
SELECT jsonb_insert(state, '{name}', '"x"') FROM actors WHERE actor_id = 'jx:1'
SELECT jsonb_insert('"a"', '{0}', '1')
SELECT jsonb_insert('[]', '{0}', '1')::text, jsonb_insert('{"a":[1]}', '{a,-5}', '0')::text, jsonb_insert('{"a":1}', '{}', '2')::text
SELECT jsonb_build_object('a', 1, 'b', 'x', 'c', NULL, 'd', true, 'e', 2.50, 'f', '{"g":1}'::jsonb, 1, 2)::text, jsonb_build_object()::text, jsonb_build_object('a', 1, 'a', 2)::text
SELECT jsonb_build_object('id', actor_id, 'type', actor_type, 'state', state)::text FROM actors WHERE actor_type = 'jx' ORDER BY actor_id
SELECT jsonb_build_object('a')
SELECT jsonb_build_object(NULL, 1)
SELECT jsonb_build_object('a', 1, NULL, 2)
SELECT jsonb_build_object('{"a":1}'::jsonb, 1)
SELECT jsonb_build_object('{1}'::int[], 1)
SELECT jsonb_build_object(true, 1, 1.5, 2, 'k'::varchar, '{1,2}'::int[], 'e'::text, '{a,NULL}'::text[])::text
SELECT jsonb_build_array(1, 'a', NULL, true, '[1]'::jsonb, 1.50, '1e2'::float8, 'nan'::float8)::text, jsonb_build_array()::text
SELECT jsonb_extract_path(state, 'address', 'city'), jsonb_extract_path_text(state, 'tags', '1'), jsonb_extract_path(state, 'nope'), jsonb_extract_path_text(state, 'address', NULL) FROM actors WHERE actor_id = 'jx:1'
SELECT jsonb_extract_path('{"a":{"b":[1,2]}}', 'a', 'b', '1'), jsonb_extract_path_text('{"a":{"b":[1,"x"]}}', 'a', 'b', '1'), jsonb_extract_path(NULL, 'a')
SELECT jsonb_extract_path('{"a":1}')
SELECT jsonb_extract_path('{"a":1}', 1)
SELECT to_jsonb(1), to_jsonb(1.50)::text, to_jsonb('a'::text), to_jsonb(true), to_jsonb(NULL::int), to_jsonb('{"a":1}'::jsonb), to_jsonb('1e3'::float8)::text, to_jsonb('nan'::float8), to_jsonb('{a,b}'::text[]), to_jsonb('{{1,2},{3,NULL}}'::int[])::text
SELECT to_jsonb('2024-01-02'::date), to_jsonb('2024-01-02 03:04:05.5'::timestamp), to_jsonb('2024-01-02 03:04:05.5+02'::timestamptz), to_jsonb('1 day'::interval), to_jsonb('\x01'::bytea), to_jsonb('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid), to_jsonb('{"b":1, "a":2}'::json)::text
SELECT to_jsonb(E'a"b\\c\nd\x01'::text)::text, to_jsonb(state->'name'), to_jsonb(actor_id) FROM actors WHERE actor_id = 'jx:1'
SELECT to_jsonb('abc')
SELECT to_jsonb(NULL)
SELECT to_jsonb(1, 2)
SELECT lower('ABC'), upper('abc'), lower('ÄÖ Ab'), upper('straße'), lower(NULL), upper(actor_id), lower('X'::varchar) FROM actors WHERE actor_id = 'jx:1'
SELECT lower(1)
SELECT lower(state) FROM actors WHERE actor_id = 'jx:1'
SELECT length('abc'), length(''), length('héllo'), char_length('abc'), character_length('ab'), length(NULL), length('\x0102'::bytea), length('ab  '::bpchar), length(actor_id) FROM actors WHERE actor_id = 'jx:1'
SELECT length(1)
SELECT length('a', 'b', 'c')
SELECT substr('hello', 2), substr('hello', 2, 2), substr('hello', -1, 3), substr('hello', 0), substr('hello', 10), substr('hello', '2'), substr(NULL, 1), substr('hello', NULL), substr('héllo', 2, 2)
SELECT substr('hello', 2, -1)
SELECT substr('hello', 2.5)
SELECT substr('hello')
SELECT substring('hello' from 2 for 3), substring('hello' for 2), substring('hello' from 3), substring('hello', 2, 3), substring('hello', 2), substring(state->>'name' from 2) FROM actors WHERE actor_id = 'jx:1'
SELECT substring('hello' from -1 for 2), substring('hello' for -1)
SELECT trim('  a  '), trim(both 'x' from 'xxaxx'), trim(leading 'x' from 'xxaxx'), trim(trailing from '  a  '), trim('xax', 'x'), trim(from '  b  '), trim(NULL)
SELECT btrim('  a  '), ltrim('  a  '), rtrim('  a  '), btrim('xyaxy', 'xy'), ltrim('xxa', 'x'), rtrim('axx', 'x'), btrim('a', ''), btrim(NULL, 'x')
SELECT btrim(1)
SELECT concat('a', 1, NULL, true, 2.50, '{"b":1}'::jsonb), concat(NULL), concat_ws('-', 'a', NULL, 'b', 1), concat_ws(NULL, 'a'), concat_ws(',', NULL), concat(actor_id, '/', state->'balance') FROM actors WHERE actor_id = 'jx:1'
SELECT concat()
SELECT concat_ws('-')
SELECT replace('hello', 'l', 'L'), replace('hello', '', 'x'), replace('hello', 'x', 'y'), replace(NULL, 'a', 'b'), replace('aaa', 'aa', 'b')
SELECT replace('a', 'b')
SELECT md5('abc'), md5(''), md5(NULL), md5('a'::varchar), md5('\x00'::bytea), md5(actor_id) FROM actors WHERE actor_id = 'jx:1'
SELECT left('hello', 2), right('hello', 2), left('hello', -2), right('hello', -2), left('hello', 0), right('hello', 0), left('hi', 5), right('hi', 5), left(NULL, 1), right('x', NULL)
SELECT left('hello')
SELECT strpos('hello', 'l'), strpos('hello', ''), strpos('hello', 'z'), position('l' in 'hello'), position('' in 'x'), position('x' in 'hello'), position(NULL in 'x'), starts_with('hello', 'he'), starts_with('hello', 'x'), starts_with('', ''), starts_with(NULL, 'a')
SELECT strpos(1, 'a')
SELECT starts_with(actor_id, 'jx:') FROM actors WHERE actor_type = 'jx' ORDER BY actor_id
SELECT coalesce(NULL, 1), coalesce(NULL, NULL), coalesce(1, 2.5), coalesce('a', 'b'), coalesce(NULL::int, 1.5::float8), coalesce(NULL, 'x')
SELECT actor_id, coalesce(state->>'name', 'none'), coalesce(state->'name', '"none"'), coalesce(state, '{}')::text FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT coalesce(1, 'a')
SELECT coalesce('a'::text, 1)
SELECT coalesce(1, 'x'::text)
SELECT coalesce(state->>'balance', 0) FROM actors WHERE actor_id = 'jx:1'
SELECT coalesce(state, 'x') FROM actors WHERE actor_id = 'jx:1'
SELECT nullif(1, 1), nullif(1, 2), nullif('a', 'b'), nullif(NULL, 1), nullif(1, 1.0), nullif(NULL, NULL), nullif(state->>'name', 'Ann') FROM actors WHERE actor_id = 'jx:1'
SELECT nullif(1, 'a')
SELECT nullif(1, 'a'::text)
SELECT greatest(1, 2.5, NULL), least(1, 2, 3), greatest('a', 'b'), least(NULL, NULL), greatest(3, '7'), least(-1.5::float8, 2), greatest('nan'::float8, 1)::text, least(NULL, 2)
SELECT greatest(1, 'x'::text)
SELECT greatest(1, 'x')
SELECT abs(-5), abs(-5.5), abs(-2::smallint), abs(-5::bigint), abs('-5'), abs(-1.5::float4), abs(NULL), abs(0.0)
SELECT abs(-2147483647 - 1)
SELECT abs('x')
SELECT abs('a'::text)
SELECT round(2.5), round(-2.5), round(2.5::float8), round(3.5::float8), round(-0.4::float8), round(1.2345, 2), round(1234.5, -2), round(1, 2), round(1), round('2.5'), round(NULL), round(0.5, 0), round(9.99, 1)
SELECT round(1.5::float8, 2)
SELECT round('nan'::numeric)::text, round(12345.678, -7), round(0.000001, 3)
SELECT now() IS NOT NULL, current_timestamp IS NOT NULL, now() = current_timestamp, now() <= now(), '2024-01-01'::date < '2024-01-02'::date, '2024-01-01 10:00'::timestamp > '2024-01-01 09:00'::timestamp
BEGIN
SELECT now() = current_timestamp
COMMIT
SELECT now(), current_timestamp, transaction_timestamp() FROM actors WHERE false
SELECT now() > '2020-01-01'::timestamptz, current_timestamp = transaction_timestamp()
SELECT foo(1)
SELECT foo('a', 1.5, NULL, 2::bigint, true, state) FROM actors WHERE actor_id = 'jx:1'
SELECT jsonb_set(state, '{balance}', to_jsonb((state->>'balance')::int + 500)) FROM actors WHERE actor_id = 'jx:5'
UPDATE actors SET state = jsonb_set(state, '{balance}', to_jsonb((state->>'balance')::int + 500)) WHERE actor_id = 'jx:3'
UPDATE actors SET state = jsonb_set(state, '{balance}', to_jsonb((state->>'name')::int + 500)) WHERE actor_id = 'jx:1'
UPDATE actors SET state = state || jsonb_build_object('visits', coalesce((state->>'visits')::int, 0) + 1) WHERE actor_type = 'jx' AND jsonb_typeof(state) = 'object'
UPDATE actors SET state = state - 'ratio' #- '{address,zip}' WHERE actor_id = 'jx:1'
SELECT actor_id, state::text FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT actor_id FROM actors WHERE state->>'name' = 'Ann' AND state ? 'visits'
SELECT actor_id FROM actors WHERE (state->>'balance')::int > 100
SELECT greatest('2024-01-01'::date, '2023-06-01'::date), least('2024-01-01 10:00'::timestamp, '2024-01-01 09:00'::timestamp), greatest(1::numeric, 'nan'::numeric)::text, least('b'::varchar, 'a'::varchar), greatest(true, false), least('infinity'::date, '2024-01-01'::date)
SELECT greatest('1 day'::interval, '2 days'::interval)
SELECT coalesce(NULL::jsonb, state) ->> 'name', coalesce(state->'missing', state->'name') FROM actors WHERE actor_id = 'jx:1'
SELECT position('a' 'b')
SELECT position('abc', 'b')
SELECT trim(leading 'ab' from 'abba'), trim(trailing 'ab' from 'abba'), trim(both from 'x')
SELECT substring('hello' from 2 for -1)
SELECT jsonb_insert('{"a":[1,2]}', '{a,1}', '"x"', true)::text, jsonb_insert('{"a":[1,2]}', '{a,1}', '"x"', false)::text
SELECT jsonb_build_object('a', 1)->>'a', jsonb_build_array(1, 2)->>1, to_jsonb('x'::text) #>> '{}'
SELECT state->'tags'->>0 FROM actors WHERE actor_id = 'jx:1'
SELECT '{"a":1}'::jsonb ?| '{a}'::text[], '{"a":1}'::jsonb ?& '{a}'::varchar[]
SELECT md5(1)
SELECT upper('abc', 'd')
SELECT 5 ^ 2, 2 ^ -1, '2' ^ 3
SELECT '{a,b}'::text[], '{1,2}'::int[], cast('{a}' as text[]), '{}'::text[], NULL::text[]
SELECT '{a}'::foo[]
SELECT '{a'::text[]
SELECT '"a"'::jsonb::int
SELECT 'null'::jsonb::int
SELECT '1.5'::jsonb::int, '2.5'::jsonb::int, '1e2'::jsonb::numeric, 'true'::jsonb::bool, '1.5'::jsonb::float8, '1'::jsonb::text, (state->'balance')::int, (state->'ratio')::numeric FROM actors WHERE actor_id = 'jx:1'
SELECT '{}'::jsonb::numeric
SELECT '[1]'::jsonb::bool
SELECT '1'::jsonb::bool
SELECT '99999999999'::jsonb::int
SELECT '1'::jsonb::date
SELECT 1::jsonb
SELECT 1 :: jsonb
SELECT CAST(1 AS jsonb)
SELECT '1'::jsonb::date
PREPARE jx_q (text) AS SELECT state->>$1 FROM actors WHERE actor_id = 'jx:1'
EXECUTE jx_q('name')
PREPARE jx_u AS UPDATE actors SET state = jsonb_set(state, $1, $2) WHERE actor_id = $3
EXECUTE jx_u('{name}', '"Cy"', 'jx:1')
EXECUTE jx_u('name', '"Cy"', 'jx:1')
SELECT state->>'name' FROM actors WHERE actor_id = 'jx:1'
DELETE FROM actors WHERE actor_type = 'jx' AND state @> '{"name": "Cy"}'
SELECT actor_id FROM actors WHERE actor_type = 'jx' ORDER BY 1
SELECT jsonb_set('{"bb":1,"a":2}', '{ccc}', '3')::text, ('{"é":1}'::jsonb || '{"z":2, "aa":3}')::text, jsonb_build_object('é', 1, 'b', 2, 'aa', 3)::text
SELECT ('{"a":1}'::jsonb || jsonb_build_object('q"uote', E'line\nbreak', 'tab', E'\t'))::text
SELECT to_jsonb(1e300::float8)::text, to_jsonb(12345678901234567890::numeric)::text, to_jsonb(0.1::float4)::text, to_jsonb('-0'::float8)::text, to_jsonb('infinity'::numeric)::text
SELECT '{"a":1}'::jsonb ->> 'a' IS NULL, '{"a":1}'::jsonb ->> 'b' IS NULL, NOT '{"a":1}'::jsonb ? 'a', '{"a":1}'::jsonb -> 'a' = '{"a":1}'::jsonb -> 'a'
SELECT '{"":1}'::jsonb -> '', '{"":1}'::jsonb ? '', '[""]'::jsonb ? '', '{"a b":1}'::jsonb #> '{"a b"}'
SELECT '{"a":[1,2,3]}'::jsonb #> '{a,-1}', '{"a":[1,2,3]}'::jsonb #> '{a,-4}', '{"a":[1,2,3]}'::jsonb #> '{a,3}'
SELECT jsonb_set('{"a":[1,2,3]}', '{a,-4}', '0')::text, jsonb_set('{"a":[1,2,3]}', '{a, 1}', '9')::text, jsonb_set('{"a":[1,2,3]}', '{a,4294967297}', '9')::text
SELECT jsonb_set('{"a":[1,2,3]}', '{a,99999999999999999999}', '9')
SELECT jsonb_insert('{"a":[1,2,3]}', '{a,1}', '9', true)::text, jsonb_insert('{"a":{"b":1}}', '{a,c}', '2')::text, jsonb_insert('{"a":{"b":1}}', '{a,b,c}', '2')::text
SELECT ('[1,[2,[3]]]'::jsonb #- '{1,1,0}')::text, ('{"a":1}'::jsonb #- '{a,b}')::text, ('[1]'::jsonb #- '{-2}')::text
SELECT '[1,2]'::jsonb @> '[1,1,1]', '[1,2]'::jsonb @> '[]', '{"a":[]}'::jsonb @> '{"a":[]}', '[{"a":[1]},2]'::jsonb @> '[{"a":[]}]', '{"a":"1"}'::jsonb @> '{"a":1}'
SELECT 'true'::jsonb @> 'true', 'null'::jsonb @> 'null', '[null]'::jsonb @> 'null', 'null'::jsonb <@ '[null]'
SELECT lower('ÀBC') || upper('àbc'), length(E'\u00e9t\u00e9'), substr('日本語テキスト', 3, 2), strpos('日本語', '語'), left('日本語', 1), right('日本語', 1), md5('日本語')
SELECT concat_ws(', ', 'a', 'b', NULL, 'c'), concat('x', NULL, 'y', 2.0, 1::float8, '2024-01-02'::date, true), concat_ws(1, 2, 3)
SELECT coalesce(NULL, NULL, 3), coalesce(1::smallint, 2), coalesce(1::smallint, 2::bigint), coalesce(1.5::float4, 2), coalesce('a'::varchar, 'b'::text), coalesce('x'::name, 'y')
SELECT coalesce(1, NULL::text)
SELECT coalesce('{}'::jsonb, '{}'::json)
SELECT greatest('a'::varchar, 'b'::text), least(1::smallint, 2::bigint), greatest(1, NULL::numeric)
SELECT greatest('{}'::json, '{}'::json)
SELECT nullif('{"a":1}'::jsonb, '{"a":1.0}')::text, nullif(1.5::float8, 1.5), nullif('a', 'a'::varchar)
SELECT nullif('a', 1)
SELECT nullif(1)
SELECT abs(-9223372036854775807 - 1)
SELECT abs(-32768::smallint)
SELECT abs('-inf'::float8), abs(-0.0::float8), round(-0.5::float8), round('inf'::float8), round(1e20::float8), round(123.456::float4), round(2.675, 2)
SELECT round(1, 2.5)
SELECT substr('hello', 2147483647, 10), substr('hello', -2147483647, 2147483647), substr('\x010203'::bytea, 2, 1), substring('\x0102'::bytea from 2)
SELECT trim(both from '  x  '), trim(leading from '  x  '), trim('x' from 'xxaxx'), btrim('\x0001020100'::bytea, '\x00'::bytea), ltrim('abc', ''), rtrim('', 'x')
SELECT position('b'::bytea in 'abc'::bytea), strpos('abc', 'c'::varchar), starts_with('abc'::varchar, 'a'::name)
SELECT position('a' in 1)
SELECT left('abc', 2::smallint), right('abc', 2::bigint)
SELECT jsonb_build_array(jsonb_build_object('a', jsonb_build_array(1, 2)), '{"x":null}'::jsonb)::text, jsonb_build_object('d', '2024-01-02'::date, 'ts', '2024-01-02 03:04:05'::timestamptz, '2024-01-02'::date, 1)::text
SELECT to_jsonb('{}'::text[]), to_jsonb('{NULL}'::int[])::text, to_jsonb('{{a}}'::text[])::text, to_jsonb(1::smallint), to_jsonb(5::oid), to_jsonb('x'::name), to_jsonb('x'::varchar), to_jsonb('a'::bpchar)
SELECT jsonb_typeof(jsonb_build_object()), jsonb_array_length(jsonb_build_array(1, NULL)), jsonb_strip_nulls(jsonb_build_object('a', NULL, 'b', 1))::text
SELECT jsonb_extract_path_text('{"a":null}', 'a'), jsonb_extract_path('{"a":null}', 'a')::text, jsonb_extract_path_text('{"a":"x"}', 'a'::varchar)
SELECT state ->> 'nope' FROM actors WHERE false
SELECT jsonb_build_object('a') FROM actors WHERE false
SELECT jsonb_set(NULL, '{a}', NULL) IS NULL, to_jsonb(NULL::jsonb) IS NULL, jsonb_typeof(NULL::jsonb) IS NULL
SELECT x -> 'a'
SELECT lower()
SELECT concat_ws()
SELECT trim(both 'x' 'y' from 'x')
SELECT 1 + 1 ->> 'a'
SELECT '{"a":1}'::jsonb->'a'::text, '{"a":[1]}'::jsonb->'a'->0
SELECT E'\\' || 'x'
SELECT trim(1)
SELECT trim(both 1 from 'x')
SELECT substring(1 from 2)
SELECT substring(1, 2)
SELECT position(1 in 2)
SELECT left(1, 2)
SELECT coalesce()
SELECT greatest(1)
SELECT nullif(1, 2, 3)
SELECT nullif(1, 1::bigint), nullif(1::bigint, 1), nullif(1.5::float4, 1.5::float8), nullif(1, 1.5::float8), nullif('a'::name, 'a'::text), nullif('a'::bpchar, 'a'::text), nullif('a'::varchar, 'b'::varchar)
SELECT position('a' 'b')
SELECT trim()
SELECT 10 / 4.0, 1 / 3.0, 2.0 / 3, 1 / 7::numeric, 100000 / 3.0, 0.0001 / 3, 12345678 / 0.001, 0 / 5.0, -7.5 / 2, 1.00 / 8, 9999 / 10000.0, 10000 / 9999.0
