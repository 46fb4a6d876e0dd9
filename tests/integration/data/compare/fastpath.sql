-- Point selects by key (the one-key plan) and single-row writes, beside the general path.
INSERT INTO actors VALUES ('k1', 't', '{"n": 1, "name": "one"}'), ('k2', 't', '{"n": 2}'), ('k3', 'u', NULL), ('', 'empty', '{}')
SELECT * FROM actors WHERE actor_id = 'k1'
SELECT * FROM actors WHERE 'k1' = actor_id
SELECT * FROM actors WHERE actor_id = 'k1' LIMIT 1
SELECT * FROM actors WHERE actor_id = 'nope'
SELECT * FROM actors WHERE actor_id = NULL
SELECT * FROM actors WHERE actor_id = ''
SELECT * FROM actors WHERE actor_id = 'k3'
SELECT state, actor_type FROM actors WHERE actor_id = 'k1'
SELECT state->>'name' AS name, actor_id || '!' FROM actors WHERE actor_id = 'k1'
SELECT * FROM actors WHERE actor_id = 'k1' AND actor_type = 't'
SELECT * FROM actors WHERE actor_id = 'k1' AND actor_type = 'u'
SELECT * FROM actors WHERE actor_id = 'k' || '1'
SELECT a.actor_id, a.state FROM actors a WHERE a.actor_id = 'k2'
SELECT count(*) FROM actors WHERE actor_id = 'k1'
SELECT actor_id FROM actors WHERE actor_id = 'k1' ORDER BY state
SELECT DISTINCT actor_type FROM actors WHERE actor_id = 'k1'
SELECT * FROM actors WHERE actor_id = 'k1' OFFSET 1
SELECT * FROM actors WHERE actor_id = 'k1' FOR UPDATE
SELECT generate_series(1, 2), actor_id FROM actors WHERE actor_id = 'k1'
SELECT (state->>'name')::int FROM actors WHERE actor_id = 'k1'
SELECT (state->>'name')::int FROM actors WHERE actor_id = 'nope'
SELECT 1 / (state->>'n')::int FROM actors WHERE actor_id = 'k1'
-- A transaction block reads its own writes by key
BEGIN
UPDATE actors SET state = '{"n": 10}' WHERE actor_id = 'k1'
SELECT * FROM actors WHERE actor_id = 'k1'
DELETE FROM actors WHERE actor_id = 'k2'
SELECT * FROM actors WHERE actor_id = 'k2'
INSERT INTO actors VALUES ('k4', 'v', '{"n": 4}')
SELECT * FROM actors WHERE actor_id = 'k4'
UPDATE actors SET actor_id = 'k5' WHERE actor_id = 'k4'
SELECT * FROM actors WHERE actor_id = 'k4'
SELECT * FROM actors WHERE actor_id = 'k5'
ROLLBACK
SELECT * FROM actors WHERE actor_id = 'k1'
SELECT * FROM actors WHERE actor_id = 'k2'
SELECT * FROM actors WHERE actor_id = 'k4'
-- Several statements of one Query: the later ones see the earlier ones' writes
UPDATE actors SET state = '{"n": 11}' WHERE actor_id = 'k1'; SELECT state FROM actors WHERE actor_id = 'k1'
INSERT INTO actors VALUES ('k6', 'v', NULL); SELECT * FROM actors WHERE actor_id = 'k6'; SELECT 1 / 0
SELECT * FROM actors WHERE actor_id = 'k6'
-- A cursor reads what its DECLARE saw, not the writes after it
BEGIN
DECLARE c CURSOR FOR SELECT state FROM actors WHERE actor_id = 'k1'
UPDATE actors SET state = '{"n": 12}' WHERE actor_id = 'k1'
FETCH ALL FROM c
SELECT state FROM actors WHERE actor_id = 'k1'
COMMIT
-- A failed block refuses the point select; READ ONLY refuses the single-row write
BEGIN
SELECT 1 / 0
SELECT * FROM actors WHERE actor_id = 'k1'
ROLLBACK
BEGIN READ ONLY
SELECT * FROM actors WHERE actor_id = 'k1'
UPDATE actors SET state = '{}' WHERE actor_id = 'k1'
ROLLBACK
-- Single-row writes: their tags, errors and jsonb text
UPDATE actors SET state = '{"b": 1, "a": [1, 2.50, {"z": null}]}' WHERE actor_id = 'k1'
SELECT state FROM actors WHERE actor_id = 'k1'
UPDATE actors SET state = '{"balance": 5}' WHERE actor_id = 'nope'
UPDATE actors SET state = '{"balance": }' WHERE actor_id = 'k1'
UPDATE actors SET state = '{"balance": 5}' WHERE actor_id = NULL
INSERT INTO actors (actor_id, actor_type, state) VALUES ('k7', 'new', '{"balance": 0}')
INSERT INTO actors (actor_id, actor_type, state) VALUES ('k7', 'new', '{"balance": 0}')
INSERT INTO actors (actor_id, actor_type, state) VALUES (NULL, 'new', '{"balance": 0}')
INSERT INTO actors (actor_id, actor_type, state) VALUES ('k8', 'new', '{"balance": 0.10, "balance": 1e2}')
SELECT * FROM actors WHERE actor_id = 'k8'
DELETE FROM actors WHERE actor_id = 'k8'
SELECT * FROM actors WHERE actor_id = 'k8'
