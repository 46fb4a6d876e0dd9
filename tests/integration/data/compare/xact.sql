-- The per-statement transaction path (engineer xact): reads that write nothing between writes, a
-- savepoint before any write, SET LOCAL, advisory transaction locks, cursors WITH HOLD.
INSERT INTO actors VALUES ('x:1', 'x', '{"n": 1}'), ('x:2', 'x', '{"n": 2}')
SELECT actor_id, state FROM actors WHERE actor_id = 'x:1'
UPDATE actors SET state = '{"n": 9}' WHERE actor_id = 'x:none'
BEGIN
SELECT state FROM actors WHERE actor_id = 'x:2'
UPDATE actors SET state = '{"n": 20}' WHERE actor_id = 'x:2'
SELECT state FROM actors WHERE actor_id = 'x:2'
INSERT INTO actors VALUES ('x:2', 'x', NULL)
COMMIT
SELECT actor_id, state FROM actors WHERE actor_type = 'x' ORDER BY actor_id
BEGIN
SAVEPOINT a
UPDATE actors SET state = '{"n": 30}' WHERE actor_id = 'x:1'
ROLLBACK TO SAVEPOINT a
RELEASE SAVEPOINT a
COMMIT
SELECT state FROM actors WHERE actor_id = 'x:1'
BEGIN; SAVEPOINT b; RELEASE b; INSERT INTO actors VALUES ('x:3', 'x', NULL); COMMIT
SELECT count(*) FROM actors WHERE actor_type = 'x'
BEGIN
SET LOCAL lock_timeout = '7s'
SHOW lock_timeout
SELECT state FROM actors WHERE actor_id = 'x:1'
COMMIT
SHOW lock_timeout
SELECT pg_advisory_xact_lock(42)
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
BEGIN
SELECT pg_advisory_xact_lock(43)
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
COMMIT
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
BEGIN
DECLARE held CURSOR WITH HOLD FOR SELECT actor_id FROM actors WHERE actor_type = 'x' ORDER BY actor_id
DECLARE plain CURSOR FOR SELECT actor_id FROM actors
COMMIT
SELECT state FROM actors WHERE actor_id = 'x:2'
FETCH 1 FROM held
UPDATE actors SET state = NULL WHERE actor_id = 'x:3'
FETCH ALL FROM held
FETCH 1 FROM plain
CLOSE held
BEGIN READ ONLY
SELECT actor_id FROM actors WHERE actor_id = 'x:1'
UPDATE actors SET state = NULL WHERE actor_id = 'x:1'
ROLLBACK
DELETE FROM actors WHERE actor_type = 'x'
