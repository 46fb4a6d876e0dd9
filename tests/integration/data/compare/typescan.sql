-- The type-index plan (issue 8): WHERE actor_type = v [ORDER BY actor_id] LIMIT n [OFFSET m].
-- Rows go in in actor_id order, so PostgreSQL's scan order is key order until a row is updated;
-- after that a LIMIT that keeps every row of the type, under ORDER BY, compares them as sets.
INSERT INTO actors VALUES ('a1', 'cat', '{"n": 1}'), ('a2', 'cat', NULL), ('a3', 'dog', '{"n": 3}'), ('a4', 'cat', '{"n": 4}'), ('a5', '', '{"n": 5}'), ('a6', 'dog', '[]'), ('a7', 'cat', '"x"')
SELECT * FROM actors WHERE actor_type = 'cat' LIMIT 2
SELECT * FROM actors WHERE actor_type = 'cat' LIMIT 10
SELECT actor_id, state->>'n' FROM actors WHERE actor_type = 'cat' ORDER BY actor_id LIMIT 3
SELECT actor_id FROM actors WHERE actor_type = 'cat' LIMIT 2 OFFSET 1
SELECT actor_id FROM actors WHERE actor_type = 'cat' ORDER BY actor_id LIMIT 2 OFFSET 3
SELECT actor_id FROM actors WHERE actor_type = 'cat' OFFSET 3 LIMIT 5
SELECT actor_id FROM actors WHERE actor_type = 'cat' LIMIT 0
SELECT actor_id FROM actors WHERE actor_type = 'cat' LIMIT ALL
SELECT actor_id FROM actors WHERE actor_type = 'cat' LIMIT NULL
SELECT actor_id FROM actors WHERE actor_type = 'cat' LIMIT -1
SELECT actor_id FROM actors WHERE actor_type = 'cat' LIMIT 1 OFFSET -1
SELECT * FROM actors WHERE actor_type = '' LIMIT 5
SELECT * FROM actors WHERE actor_type = 'bird' LIMIT 5
SELECT * FROM actors WHERE actor_type = NULL LIMIT 5
SELECT * FROM actors WHERE 'dog' = actor_type LIMIT 5
SELECT * FROM actors WHERE actor_type = 'c' || 'at' LIMIT 1
SELECT * FROM actors WHERE actor_type = 'cat'::varchar LIMIT 1
SELECT a.actor_id, a.state FROM actors a WHERE a.actor_type = 'dog' LIMIT 1
SELECT actor_id, (state->>'n')::int + 1 AS next FROM actors WHERE actor_type = 'cat' LIMIT 3
SELECT (state#>>'{}')::int FROM actors WHERE actor_type = 'cat' LIMIT 10
SELECT count(*) FROM (SELECT * FROM actors WHERE actor_type = 'cat' LIMIT 3) s
-- a transaction's own writes: type changes, an insert, a delete, a cursor declared before more writes
BEGIN
UPDATE actors SET actor_type = 'dog' WHERE actor_id = 'a1'
INSERT INTO actors VALUES ('a0', 'cat', '{"n": 0}')
DELETE FROM actors WHERE actor_id = 'a2'
SELECT actor_id FROM actors WHERE actor_type = 'cat' ORDER BY actor_id LIMIT 2
SELECT actor_id FROM (SELECT actor_id FROM actors WHERE actor_type = 'cat' LIMIT 10) s ORDER BY 1
SELECT actor_id FROM (SELECT actor_id FROM actors WHERE actor_type = 'dog' LIMIT 10) s ORDER BY 1
SELECT count(*) FROM (SELECT actor_id FROM actors WHERE actor_type = 'dog' LIMIT 2) s
DECLARE c CURSOR FOR SELECT actor_id FROM actors WHERE actor_type = 'cat' ORDER BY actor_id LIMIT 3
UPDATE actors SET actor_type = 'cat' WHERE actor_id = 'a3'
FETCH 2 FROM c
FETCH ALL FROM c
CLOSE c
SELECT actor_id FROM actors WHERE actor_type = 'cat' ORDER BY actor_id LIMIT 10
ROLLBACK
SELECT actor_id FROM (SELECT actor_id FROM actors WHERE actor_type = 'cat' LIMIT 10) s ORDER BY 1
-- committed changes of type
UPDATE actors SET actor_type = 'cat' WHERE actor_id = 'a6'
DELETE FROM actors WHERE actor_id = 'a4'
SELECT actor_id FROM (SELECT actor_id FROM actors WHERE actor_type = 'cat' LIMIT 10) s ORDER BY 1
SELECT actor_id, state FROM actors WHERE actor_type = 'cat' ORDER BY actor_id LIMIT 2
SELECT actor_id FROM actors WHERE actor_type = 'dog' LIMIT 5
-- errors
SELECT * FROM actors WHERE actor_type = 'cat' LIMIT 'x'
SELECT * FROM actors WHERE actor_type = 1 LIMIT 1
SELECT nosuch FROM actors WHERE actor_type = 'cat' LIMIT 1
