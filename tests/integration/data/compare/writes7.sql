-- Single-row writes (issue 8, session 7): an UPDATE by key and a one-row INSERT ... VALUES without
-- RETURNING or ON CONFLICT take a short way through the modify path; everything a client sees must
-- stay PostgreSQL's. Each write is followed by a read of what it left.
INSERT INTO actors VALUES ('w1', 'player', '{"balance": 1}')
INSERT INTO actors (actor_id, actor_type, state) VALUES ('w2', 'player', '{"balance": 2}')
INSERT INTO actors (actor_id, actor_type) VALUES ('w3', 'npc')
INSERT INTO actors (actor_type, actor_id) VALUES ('npc', 'w4')
INSERT INTO actors VALUES ('w5', 'npc', DEFAULT)
SELECT * FROM actors ORDER BY actor_id
-- a one-row INSERT's errors: duplicate key, NOT NULL (the failing row), bad jsonb, too many values
INSERT INTO actors VALUES ('w1', 'player', '{"balance": 9}')
INSERT INTO actors VALUES (NULL, 'player', '{}')
INSERT INTO actors VALUES ('w6', NULL, '{"a": 1}')
INSERT INTO actors (actor_id, state) VALUES ('w6', '{"a": 1}')
INSERT INTO actors VALUES ('w6', 'player', '{"a": ')
INSERT INTO actors VALUES ('w6', 'player', '{}', 'x')
INSERT INTO actors VALUES ('w6', 'p' || 'layer', ('{"n": ' || 6 || '}')::jsonb)
SELECT * FROM actors WHERE actor_id = 'w6'
-- several rows and RETURNING go the general way, same answers
INSERT INTO actors VALUES ('w7', 'npc', '{}'), ('w7', 'npc', '{}')
INSERT INTO actors VALUES ('w7', 'npc', '{}') RETURNING actor_id, state
INSERT INTO actors VALUES ('w8', 'npc', '{}') ON CONFLICT (actor_id) DO NOTHING
INSERT INTO actors VALUES ('w8', 'npc', '{"again": true}') ON CONFLICT (actor_id) DO UPDATE SET state = excluded.state
SELECT * FROM actors WHERE actor_id IN ('w7', 'w8') ORDER BY actor_id
-- UPDATE by key: the state alone, a hit, a miss, a NULL key, an extra condition true and false
UPDATE actors SET state = '{"balance": 10}' WHERE actor_id = 'w1'
UPDATE actors SET state = '{"balance": 10}' WHERE actor_id = 'nobody'
UPDATE actors SET state = '{"balance": 10}' WHERE actor_id = NULL
UPDATE actors SET state = '{"balance": 11}' WHERE actor_id = 'w1' AND actor_type = 'player'
UPDATE actors SET state = '{"balance": 12}' WHERE actor_id = 'w1' AND actor_type = 'npc'
SELECT * FROM actors WHERE actor_id = 'w1'
-- the SET sees the old row; several columns; DEFAULT; the type; every assignment sees the old values
UPDATE actors SET state = ('{"balance": ' || ((state->>'balance')::int + 1) || '}')::jsonb WHERE actor_id = 'w1'
UPDATE actors SET actor_type = actor_type || '!', state = DEFAULT WHERE actor_id = 'w2'
UPDATE actors SET state = to_jsonb(actor_type), actor_type = 'moved' WHERE actor_id = 'w3'
SELECT * FROM actors WHERE actor_id IN ('w1', 'w2', 'w3') ORDER BY actor_id
-- a new key: taken (23505), free, then NULL (23502); a bad state (22P02); NOT NULL on the type
UPDATE actors SET actor_id = 'w1' WHERE actor_id = 'w4'
UPDATE actors SET actor_id = 'w4b' WHERE actor_id = 'w4'
UPDATE actors SET actor_id = NULL WHERE actor_id = 'w4b'
UPDATE actors SET state = '{"x": ' WHERE actor_id = 'w4b'
UPDATE actors SET actor_type = NULL WHERE actor_id = 'w4b'
UPDATE actors SET nope = 1 WHERE actor_id = 'w4b'
UPDATE actors SET state = '{}' WHERE actor_id = 'w4b' RETURNING actor_id, state
SELECT * FROM actors ORDER BY actor_id
-- in a block: its own writes read back, then rolled back
BEGIN
UPDATE actors SET state = '{"in": "block"}' WHERE actor_id = 'w5'
INSERT INTO actors VALUES ('w9', 'npc', '{"in": "block"}')
UPDATE actors SET state = '{"in": "block", "again": 1}' WHERE actor_id = 'w9'
SELECT * FROM actors WHERE actor_id IN ('w5', 'w9') ORDER BY actor_id
ROLLBACK
SELECT * FROM actors WHERE actor_id IN ('w5', 'w9') ORDER BY actor_id
-- a prepared UPDATE and INSERT (EXECUTE), a NULL parameter
PREPARE up(text, int) AS UPDATE actors SET state = ('{"balance": ' || $2 || '}')::jsonb WHERE actor_id = $1
EXECUTE up('w5', 50)
EXECUTE up(NULL, 1)
EXECUTE up('w5', NULL)
PREPARE ins(text) AS INSERT INTO actors (actor_id, actor_type, state) VALUES ($1, 'new', '{"balance": 0}')
EXECUTE ins('w10')
EXECUTE ins('w10')
EXECUTE ins(NULL)
SELECT * FROM actors WHERE actor_id IN ('w5', 'w10') ORDER BY actor_id
-- DELETE by key
DELETE FROM actors WHERE actor_id = 'w10'
DELETE FROM actors WHERE actor_id = 'w10'
SELECT count(*) FROM actors
