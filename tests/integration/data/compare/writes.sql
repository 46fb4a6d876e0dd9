-- Writes (issue 4 item 4): each write is followed by a SELECT showing the table. One statement a line.
-- Multi-row VALUES, DEFAULT, column lists and assignment coercion
INSERT INTO actors VALUES ('u1', 'user', '{"balance": 100}'), ('u2', 'user', '{"balance": 50}'), ('r1', 'room', DEFAULT)
SELECT * FROM actors ORDER BY actor_id
INSERT INTO actors (actor_type, actor_id) VALUES ('room', 'r2'), ('room', 'r3')
INSERT INTO actors (actor_id, actor_type, state) VALUES ('n1', 'num', '1'), ('n2', 'num', '2.50'), ('n3', 'num', 'null')
SELECT * FROM actors ORDER BY actor_id
INSERT INTO actors VALUES ('i1', 42, '[1, 2]')
INSERT INTO actors VALUES ('i2', 'bool', true::text::jsonb)
INSERT INTO actors (actor_id, actor_type) VALUES ('i3', 1.5), ('i4', true)
SELECT * FROM actors WHERE actor_id = 'i1' OR actor_id = 'i2' OR actor_id = 'i3' OR actor_id = 'i4' ORDER BY actor_id
INSERT INTO actors VALUES ('x1', 'user', 42)
INSERT INTO actors VALUES ('x1', 'user', 'not json')
INSERT INTO actors VALUES ('x1', 'user')
INSERT INTO actors VALUES ('x1')
INSERT INTO actors VALUES ('x1', 'user', '{}', 4)
INSERT INTO actors (actor_id) VALUES ('x1', 'user')
INSERT INTO actors (actor_id, actor_type) VALUES ('x1')
INSERT INTO actors (actor_id, actor_id) VALUES ('x1', 'x2')
INSERT INTO actors (actor_id, nope) VALUES ('x1', 'x2')
INSERT INTO actors VALUES ('x1', 'user', '{}'), ('x2', 'user')
INSERT INTO nowhere VALUES ('x1', 'user', '{}')
INSERT INTO actors VALUES ('x1', DEFAULT, '{}')
INSERT INTO actors (actor_type) VALUES ('user')
INSERT INTO actors DEFAULT VALUES
SELECT * FROM actors WHERE actor_id = 'x1' OR actor_type = 'user' ORDER BY actor_id
-- Duplicates: against the table and within one statement; nothing of a failed statement stays
INSERT INTO actors VALUES ('u1', 'user', '{}')
INSERT INTO actors VALUES ('d1', 'dup', '{}'), ('d2', 'dup', '{}'), ('d1', 'dup', '{}')
INSERT INTO actors VALUES ('d3', 'dup', '{}'), ('d4', 'dup', '{}'), ('u2', 'dup', '{}')
INSERT INTO actors VALUES ('d5', 'dup', '{}'), ('d6', 'dup', '{}'), ('d7', NULL, '{}')
INSERT INTO actors VALUES ('d8', 'dup', '{}'), ('d9', 'dup', '{}'), ('d10', 'dup', '{"a":')
INSERT INTO actors VALUES ('d8', 'dup', '{}'), ('d9', 'dup', '{}'), ('d10', 'dup', (1/0)::text::jsonb)
SELECT * FROM actors WHERE actor_type = 'dup' OR actor_id = 'd1' OR actor_id = 'd3' OR actor_id = 'd8'
-- INSERT ... SELECT
INSERT INTO actors SELECT actor_id || '-copy', 'copy', state FROM actors WHERE actor_type = 'user'
SELECT * FROM actors WHERE actor_type = 'copy' ORDER BY actor_id
INSERT INTO actors (actor_id, actor_type) SELECT 'c9', 'copy'
INSERT INTO actors SELECT 'c10', 'copy', '{"from": "select"}'
INSERT INTO actors SELECT 'c11', 'copy', NULL
INSERT INTO actors SELECT 'c12', 'copy', 'x'::text
INSERT INTO actors SELECT 'c13', 'copy'
INSERT INTO actors (actor_id) SELECT 'c14', 'copy'
INSERT INTO actors (actor_id, actor_type) SELECT 'c15'
INSERT INTO actors SELECT * FROM actors WHERE actor_id = 'u1'
INSERT INTO actors SELECT actor_id || '-2', actor_type, state FROM actors WHERE actor_type = 'copy' ORDER BY actor_id LIMIT 2
INSERT INTO actors SELECT actor_id, 'copy', NULL FROM actors WHERE actor_type = 'nothing'
SELECT * FROM actors WHERE actor_type = 'copy' ORDER BY actor_id
INSERT INTO actors (actor_id, actor_type, state) SELECT 'c16', 1 + 1, 2
INSERT INTO actors (actor_id, actor_type, state) SELECT 'c16', 1 + 1, to_jsonb(2)
SELECT * FROM actors WHERE actor_id = 'c16'
-- RETURNING
INSERT INTO actors VALUES ('p1', 'player', '{"hp": 10}') RETURNING *
INSERT INTO actors VALUES ('p2', 'player', '{"hp": 20}'), ('p3', 'player', NULL) RETURNING actor_id, state->'hp' AS hp, 1 AS one, 'lit', NULL
INSERT INTO actors AS p VALUES ('p4', 'player', '{}') RETURNING p.actor_id, p.*, upper(actor_type)
INSERT INTO actors VALUES ('p5', 'player', '{}') RETURNING nope
INSERT INTO actors VALUES ('p5', 'player', '{}') RETURNING actors.actor_id, other.actor_id
SELECT * FROM actors WHERE actor_type = 'player' ORDER BY actor_id
UPDATE actors SET state = jsonb_set(state, '{hp}', to_jsonb((state->>'hp')::int + 5)) WHERE actor_id = 'p1' OR actor_id = 'p2' RETURNING actor_id, state
UPDATE actors SET state = '{}' WHERE actor_id = 'nobody' RETURNING *
UPDATE actors p SET actor_type = 'gamer' WHERE p.actor_id = 'p3' RETURNING p.*, actor_type = 'gamer' AS changed
SELECT * FROM actors WHERE actor_type = 'player' OR actor_type = 'gamer' ORDER BY actor_id
DELETE FROM actors WHERE actor_id = 'p4' RETURNING *
DELETE FROM actors WHERE actor_type = 'gamer' RETURNING actor_id AS gone, state IS NULL
DELETE FROM actors WHERE actor_id = 'nobody' RETURNING actor_id
SELECT * FROM actors WHERE actor_type = 'player' OR actor_type = 'gamer' ORDER BY actor_id
-- ON CONFLICT DO NOTHING
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT (actor_id) DO NOTHING
INSERT INTO actors VALUES ('u1', 'user', '{}'), ('o1', 'other', '{}') ON CONFLICT DO NOTHING
INSERT INTO actors VALUES ('o2', 'other', '{"n": 1}'), ('o2', 'other', '{"n": 2}') ON CONFLICT DO NOTHING RETURNING *
INSERT INTO actors VALUES ('o1', 'other', '{}'), ('o3', 'other', '{}') ON CONFLICT ON CONSTRAINT actors_pkey DO NOTHING RETURNING actor_id
SELECT * FROM actors WHERE actor_type = 'other' ORDER BY actor_id
INSERT INTO actors VALUES (NULL, 'other', '{}') ON CONFLICT DO NOTHING
-- ON CONFLICT DO UPDATE
INSERT INTO actors VALUES ('u1', 'user', '{"vip": true}') ON CONFLICT (actor_id) DO UPDATE SET state = actors.state || EXCLUDED.state
SELECT * FROM actors WHERE actor_id = 'u1'
INSERT INTO actors VALUES ('u1', 'user', '{"n": 1}'), ('o4', 'other', '{"n": 1}') ON CONFLICT (actor_id) DO UPDATE SET state = EXCLUDED.state RETURNING *
INSERT INTO actors AS a VALUES ('u2', 'admin', '{"balance": 1}') ON CONFLICT (actor_id) DO UPDATE SET actor_type = EXCLUDED.actor_type, state = a.state || jsonb_build_object('old_type', a.actor_type) RETURNING a.actor_id, a.actor_type, a.state
INSERT INTO actors VALUES ('u2', 'user', '{}') ON CONFLICT (actor_id) DO UPDATE SET state = '{"skipped": false}' WHERE actors.actor_type = 'user'
INSERT INTO actors VALUES ('u2', 'user', '{}') ON CONFLICT (actor_id) DO UPDATE SET state = '{"skipped": false}' WHERE actors.actor_type = 'user' RETURNING *
INSERT INTO actors VALUES ('u2', 'user', '{}'), ('o5', 'other', '{}') ON CONFLICT (actor_id) DO UPDATE SET state = EXCLUDED.state WHERE EXCLUDED.actor_type <> actors.actor_type
SELECT * FROM actors WHERE actor_type = 'other' OR actor_id = 'u1' OR actor_id = 'u2' ORDER BY actor_id
INSERT INTO actors VALUES ('o6', 'other', '{}'), ('o6', 'other', '{}') ON CONFLICT (actor_id) DO UPDATE SET state = EXCLUDED.state
INSERT INTO actors VALUES ('u1', 'user', '{}'), ('u1', 'user', '{}') ON CONFLICT (actor_id) DO UPDATE SET state = EXCLUDED.state
SELECT * FROM actors WHERE actor_id = 'o6' OR actor_id = 'u1'
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT DO UPDATE SET state = EXCLUDED.state
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT (actor_type) DO NOTHING
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT (actor_id, actor_type) DO NOTHING
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT (nope) DO NOTHING
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT ON CONSTRAINT actors_actor_type_idx DO NOTHING
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT (actor_id) DO UPDATE SET nope = 1
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT (actor_id) DO UPDATE SET state = EXCLUDED.nope
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT (actor_id) DO UPDATE SET state = state
INSERT INTO actors AS a VALUES ('u1', 'user', '{}') ON CONFLICT (actor_id) DO UPDATE SET state = actors.state
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT (actor_id) DO UPDATE SET actor_type = NULL
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT (actor_id) DO UPDATE SET actor_id = 'u2'
INSERT INTO actors VALUES ('u1', 'user', '{}') ON CONFLICT (actor_id) DO UPDATE SET state = 1
INSERT INTO actors SELECT actor_id, 'user', '{"copied": true}' FROM actors WHERE actor_id = 'u1' OR actor_id = 'u2' ON CONFLICT (actor_id) DO UPDATE SET state = actors.state || EXCLUDED.state RETURNING actor_id, state
SELECT * FROM actors WHERE actor_type = 'user' OR actor_type = 'admin' ORDER BY actor_id
-- UPDATE errors
UPDATE actors SET actor_id = 'u2' WHERE actor_id = 'u1'
UPDATE actors SET actor_id = NULL WHERE actor_id = 'u1'
UPDATE actors SET actor_type = DEFAULT WHERE actor_id = 'u1'
UPDATE actors SET nope = 1
UPDATE actors SET state = 1 WHERE actor_id = 'u1'
UPDATE actors SET state = '{}', state = '[]' WHERE actor_id = 'u1'
UPDATE actors SET state = DEFAULT WHERE actor_id = 'u1' RETURNING *
UPDATE actors SET actor_id = actor_id || '-renamed' WHERE actor_id = 'u1' RETURNING actor_id
SELECT * FROM actors WHERE actor_type = 'user' ORDER BY actor_id
UPDATE actors SET state = (state->>'n')::int::text::jsonb WHERE actor_type = 'other'
SELECT * FROM actors WHERE actor_type = 'other' ORDER BY actor_id
-- UPDATE ... FROM and DELETE ... USING
INSERT INTO actors VALUES ('acct:1', 'account', '{"owner": "person:1", "balance": 10}'), ('acct:2', 'account', '{"owner": "person:2", "balance": 20}'), ('acct:3', 'account', '{"owner": "person:9"}')
INSERT INTO actors VALUES ('person:1', 'person', '{"name": "Ada", "bonus": 5}'), ('person:2', 'person', '{"name": "Bo", "bonus": 7}')
UPDATE actors a SET state = a.state || jsonb_build_object('owner_name', p.state->'name') FROM actors p WHERE a.state->>'owner' = p.actor_id
SELECT * FROM actors WHERE actor_type = 'account' ORDER BY actor_id
UPDATE actors a SET state = jsonb_set(a.state, '{balance}', to_jsonb((a.state->>'balance')::int + (p.state->>'bonus')::int)) FROM actors p WHERE p.actor_id = a.state->>'owner' AND p.state->>'name' = 'Bo' RETURNING a.actor_id, a.state->'balance' AS balance, p.actor_id AS owner
UPDATE actors a SET state = '{}' FROM actors p WHERE p.actor_id = 'nobody' RETURNING *
UPDATE actors a SET state = '{}' FROM actors p WHERE actor_id = 'acct:1'
UPDATE actors a SET state = '{}' FROM actors a WHERE a.actor_id = 'acct:1'
UPDATE actors SET state = '{}' FROM actors WHERE actors.actor_id = 'acct:1'
UPDATE actors a SET state = '{}' FROM actors p WHERE actors.actor_id = 'acct:1'
UPDATE actors a SET state = '{}' FROM nowhere p WHERE a.actor_id = 'acct:1'
SELECT * FROM actors WHERE actor_type = 'account' ORDER BY actor_id
DELETE FROM actors a USING actors p WHERE a.state->>'owner' = p.actor_id AND p.state->>'name' = 'Ada' RETURNING a.*
DELETE FROM actors a USING actors p WHERE a.state->>'owner' = p.actor_id AND p.actor_id = 'nobody'
SELECT * FROM actors WHERE actor_type = 'account' ORDER BY actor_id
DELETE FROM actors a USING actors p WHERE a.actor_type = 'account' AND p.actor_type = 'person' AND a.state->>'owner' = p.actor_id RETURNING a.actor_id, p.actor_id, *
DELETE FROM actors a USING actors p WHERE actor_type = 'account'
SELECT * FROM actors WHERE actor_type = 'account' OR actor_type = 'person' ORDER BY actor_id
-- Atomicity in an explicit transaction: a failed statement aborts the block
BEGIN
INSERT INTO actors VALUES ('t1', 'txn', '{}'), ('t2', 'txn', '{}')
SELECT * FROM actors WHERE actor_type = 'txn' ORDER BY actor_id
INSERT INTO actors VALUES ('t3', 'txn', '{}'), ('t1', 'txn', '{}')
SELECT * FROM actors WHERE actor_type = 'txn'
ROLLBACK
SELECT * FROM actors WHERE actor_type = 'txn'
BEGIN
INSERT INTO actors VALUES ('t4', 'txn', '{}') RETURNING actor_id
UPDATE actors SET state = '{"n": 1}' WHERE actor_type = 'txn' RETURNING *
INSERT INTO actors VALUES ('t4', 'txn', '{"n": 2}') ON CONFLICT (actor_id) DO UPDATE SET state = actors.state || EXCLUDED.state RETURNING *
DELETE FROM actors WHERE actor_id = 't4' RETURNING *
INSERT INTO actors VALUES ('t5', 'txn', '{}')
COMMIT
SELECT * FROM actors WHERE actor_type = 'txn'
BEGIN
UPDATE actors SET state = '{"n": 3}' WHERE actor_id = 't5'
UPDATE actors SET actor_id = 'u2' WHERE actor_id = 't5'
COMMIT
SELECT * FROM actors WHERE actor_type = 'txn'
-- Same shapes, other literals: plans are reused with each text's values
INSERT INTO actors SELECT 'k1', 't', '{"a": 1}'
INSERT INTO actors SELECT 'k2', 't', '[1]'
INSERT INTO actors SELECT 'k3', 't', '[1'
INSERT INTO actors SELECT 'k3', 7, NULL
SELECT * FROM actors WHERE actor_type = 't' ORDER BY 1
INSERT INTO actors VALUES ('k1', 't', '{"b": 2}') ON CONFLICT (actor_id) DO UPDATE SET state = actors.state || EXCLUDED.state RETURNING *
INSERT INTO actors VALUES ('k2', 't', '{"b": 3}') ON CONFLICT (actor_id) DO UPDATE SET state = actors.state || EXCLUDED.state RETURNING *
INSERT INTO actors VALUES ('k9', 't', '{"b": 3}') ON CONFLICT (actor_id) DO UPDATE SET state = actors.state || EXCLUDED.state RETURNING *
INSERT INTO actors VALUES ('k9', 't', '{"b": 3') ON CONFLICT (actor_id) DO UPDATE SET state = actors.state || EXCLUDED.state RETURNING *
UPDATE actors SET state = state || '{"c": 1}' WHERE actor_id = 'k1' RETURNING state->'c', 1 + 1, 'x'
UPDATE actors SET state = state || '{"c": 2}' WHERE actor_id = 'k2' RETURNING state->'c', 2 + 1, 'y'
DELETE FROM actors WHERE actor_id = 'k1' RETURNING 1, 'a'
DELETE FROM actors WHERE actor_id = 'k2' RETURNING 2, 'b'
SELECT * FROM actors WHERE actor_type = 't' ORDER BY 1
-- Prepared writes with parameters
PREPARE up(text, jsonb) AS INSERT INTO actors VALUES ($1, 'prep', $2) ON CONFLICT (actor_id) DO UPDATE SET state = actors.state || EXCLUDED.state RETURNING *
EXECUTE up('e1', '{"a": 1}')
EXECUTE up('e1', '{"b": 2}')
EXECUTE up('e2', NULL)
PREPARE del AS DELETE FROM actors a USING actors b WHERE a.actor_id = $1 AND b.actor_id = $2 RETURNING a.actor_id, b.state
EXECUTE del('e2', 'e1')
EXECUTE del('e2', 'e1')
PREPARE sel AS INSERT INTO actors SELECT $1, 'prep', $2
EXECUTE sel('e3', '[]')
SELECT * FROM actors WHERE actor_type = 'prep' ORDER BY actor_id
-- Syntax
DELETE FROM actors RETURNING
INSERT INTO actors x VALUES ('a', 'b', NULL)
INSERT INTO actors VALUES ('a', 'b', NULL) ON CONFLICT DO
INSERT INTO actors VALUES ('a', 'b', NULL) ON CONFLICT (actor_id) DO UPDATE
INSERT INTO actors VALUES ('a', 'b', NULL) RETURNING
INSERT INTO actors VALUES ('a', 'b', NULL) RETURNING returning
INSERT INTO actors DEFAULT VALUES ON CONFLICT DO NOTHING
UPDATE actors SET state = '{}' FROM
UPDATE actors SET state = '{}' FROM actors b WHERE
DELETE FROM actors USING WHERE true
SELECT * FROM actors WHERE actor_id = 'a'
-- With the query engine: subqueries in SET / WHERE / VALUES, joins and subqueries in FROM / USING, INSERT from any query
INSERT INTO actors VALUES ('acct:4', 'account', '{"owner": "person:1", "balance": 40}'), ('acct:5', 'account', '{"owner": "person:2", "balance": 50}'), ('acct:6', 'account', '{"owner": "person:9"}')
UPDATE actors a SET state = a.state || jsonb_build_object('persons', (SELECT count(*) FROM actors x WHERE x.actor_type = 'person')) WHERE a.actor_id IN (SELECT actor_id FROM actors WHERE actor_type = 'account' AND state->>'owner' = 'person:1') RETURNING *
UPDATE actors a SET state = a.state || jsonb_build_object('owner_name', p.state->'name') FROM actors p JOIN actors q ON q.actor_id = p.actor_id WHERE a.state->>'owner' = p.actor_id
SELECT * FROM actors WHERE actor_type = 'account' ORDER BY actor_id
UPDATE actors a SET state = a.state - 'owner_name' FROM (SELECT actor_id AS owner FROM actors WHERE actor_type = 'person') o WHERE a.state->>'owner' = o.owner AND o.owner = 'person:2' RETURNING o.*, a.actor_id
UPDATE actors a SET state = '{}' FROM actors p WHERE a.actor_id = p.actor_id AND a.actor_id = 'acct:6' RETURNING a.*, p.actor_id
DELETE FROM actors a USING actors p LEFT JOIN actors z ON z.actor_id = p.actor_id || 'x' WHERE a.state->>'owner' = p.actor_id AND z.actor_id IS NULL AND p.state->>'name' = 'Ada' RETURNING *
DELETE FROM actors WHERE actor_type = 'account' AND NOT EXISTS (SELECT 1 FROM actors p WHERE p.actor_id = actors.state->>'owner') RETURNING actor_id
SELECT * FROM actors WHERE actor_type = 'account' ORDER BY actor_id
INSERT INTO actors VALUES ('v1', 'val', (SELECT state FROM actors WHERE actor_id = 'person:2')) RETURNING *
INSERT INTO actors SELECT 'w' || actor_id, 'w', state FROM actors WHERE actor_type = 'person' UNION ALL SELECT 'w3', 'w', NULL
INSERT INTO actors SELECT * FROM (VALUES ('vv1', 'vv', '{}'::jsonb), ('vv2', 'vv', NULL)) v ORDER BY 1 DESC
WITH src AS (SELECT actor_id, state FROM actors WHERE actor_type = 'w') INSERT INTO actors SELECT 'x' || actor_id, 'x', state FROM src
INSERT INTO actors SELECT 'y' || actor_id, 'y', jsonb_build_object('n', count(*)) FROM actors WHERE actor_type = 'w' GROUP BY actor_id HAVING actor_id <> 'w3'
SELECT * FROM actors WHERE actor_type IN ('val', 'w', 'vv', 'y') ORDER BY actor_id
INSERT INTO actors VALUES ('person:2', 'person', '{"bonus": 1}') ON CONFLICT (actor_id) DO UPDATE SET state = EXCLUDED.state WHERE (SELECT count(*) FROM actors WHERE actor_type = 'person') > 1 RETURNING *
INSERT INTO actors VALUES ('person:2', 'person', '{"bonus": 1}') ON CONFLICT (actor_id) DO UPDATE SET state = count(*)
UPDATE actors SET state = count(*)
UPDATE actors SET state = '{}' WHERE count(*) > 1
INSERT INTO actors VALUES ('z', 'z', '{}') RETURNING count(*)
INSERT INTO actors VALUES ('z', 'z', (SELECT state FROM actors))
SELECT * FROM actors WHERE actor_type = 'person' OR actor_id = 'z' ORDER BY actor_id
-- Everything left
SELECT * FROM actors ORDER BY actor_id
DELETE FROM actors
SELECT * FROM actors
