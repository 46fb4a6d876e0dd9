-- Transactions on one connection (issue 5): blocks, savepoints, modes, failed blocks, implicit blocks.
INSERT INTO actors VALUES ('t1', 'account', '{"balance": 10}'), ('t2', 'account', '{"balance": 20}')
BEGIN
UPDATE actors SET state = '{"balance": 11}' WHERE actor_id = 't1'
SELECT state FROM actors WHERE actor_id = 't1'
ROLLBACK
SELECT state FROM actors WHERE actor_id = 't1'
START TRANSACTION
INSERT INTO actors VALUES ('t3', 'account', '{"balance": 30}')
COMMIT
SELECT actor_id FROM actors ORDER BY actor_id
-- COMMIT / ROLLBACK outside a block: a warning, and the tags
COMMIT
ROLLBACK
END
ABORT
BEGIN WORK
BEGIN
END WORK
-- a failed block refuses everything until ROLLBACK; COMMIT there rolls back
BEGIN
DELETE FROM actors WHERE actor_id = 't3'
SELECT 1/0
SELECT 1
SAVEPOINT s
RELEASE s
BEGIN
COMMIT
SELECT actor_id FROM actors ORDER BY actor_id
-- savepoints, nested, with ROLLBACK TO and RELEASE
BEGIN
UPDATE actors SET state = '{"balance": 1}' WHERE actor_id = 't1'
SAVEPOINT a
UPDATE actors SET state = '{"balance": 2}' WHERE actor_id = 't1'
SAVEPOINT b
UPDATE actors SET state = '{"balance": 3}' WHERE actor_id = 't1'
SELECT state FROM actors WHERE actor_id = 't1'
ROLLBACK TO SAVEPOINT b
SELECT state FROM actors WHERE actor_id = 't1'
ROLLBACK TO a
SELECT state FROM actors WHERE actor_id = 't1'
ROLLBACK TO b
SAVEPOINT a
INSERT INTO actors VALUES ('t4', 'account', NULL)
RELEASE SAVEPOINT a
SELECT actor_id FROM actors ORDER BY actor_id
ROLLBACK TO a
SELECT actor_id FROM actors ORDER BY actor_id
RELEASE a
RELEASE a
ROLLBACK TO a
ROLLBACK
SELECT state FROM actors WHERE actor_id = 't1'
-- an error after a savepoint: ROLLBACK TO recovers the block
BEGIN
INSERT INTO actors VALUES ('t5', 'account', NULL)
SAVEPOINT before_error
INSERT INTO actors VALUES ('t1', 'account', NULL)
SELECT 1
ROLLBACK TO SAVEPOINT nosuch
SELECT 1
ROLLBACK TO SAVEPOINT before_error
SELECT actor_id FROM actors WHERE actor_id = 't5'
COMMIT
SELECT actor_id FROM actors WHERE actor_id = 't5'
-- savepoints outside a block
SAVEPOINT x
RELEASE SAVEPOINT x
ROLLBACK TO SAVEPOINT x
COMMIT AND CHAIN
ROLLBACK AND CHAIN
-- isolation levels and modes
SHOW transaction_isolation
SHOW default_transaction_isolation
SHOW transaction_read_only
SHOW transaction_deferrable
BEGIN ISOLATION LEVEL REPEATABLE READ
SHOW transaction_isolation
SELECT 1
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE
ROLLBACK
START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE
SHOW transaction_isolation
SHOW transaction_read_only
SHOW transaction_deferrable
SET TRANSACTION READ WRITE
SHOW transaction_read_only
SELECT actor_id FROM actors ORDER BY actor_id
SET TRANSACTION READ ONLY
INSERT INTO actors VALUES ('t6', 'account', NULL)
ROLLBACK
BEGIN READ ONLY
UPDATE actors SET state = NULL WHERE false
ROLLBACK
BEGIN READ ONLY
DELETE FROM actors WHERE false
ROLLBACK
BEGIN TRANSACTION READ ONLY
SELECT actor_id FROM actors WHERE actor_id = 't1' FOR UPDATE
ROLLBACK
BEGIN READ ONLY
SELECT actor_id FROM actors WHERE actor_id = 't1' FOR SHARE
ROLLBACK
BEGIN
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ
SHOW transaction_isolation
SAVEPOINT s
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE
ROLLBACK
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE
SHOW transaction_isolation
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ
SHOW default_transaction_isolation
SHOW transaction_isolation
BEGIN
SHOW transaction_isolation
COMMIT
SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY
INSERT INTO actors VALUES ('t6', 'account', NULL)
SET default_transaction_read_only = off
SET default_transaction_isolation = 'read committed'
SET transaction_isolation = 'bogus'
BEGIN ISOLATION LEVEL READ UNCOMMITTED
SHOW transaction_isolation
COMMIT AND CHAIN
SHOW transaction_isolation
ROLLBACK
-- SET, SET LOCAL and the transaction's end
SET work_mem = '1MB'
BEGIN
SET work_mem = '2MB'
SHOW work_mem
ROLLBACK
SHOW work_mem
BEGIN
SET LOCAL work_mem = '3MB'
SHOW work_mem
COMMIT
SHOW work_mem
BEGIN
SET work_mem = '5MB'
SET LOCAL work_mem = '6MB'
SHOW work_mem
COMMIT
SHOW work_mem
BEGIN
SAVEPOINT s
SET work_mem = '7MB'
SET orbit.custom = 'x'
ROLLBACK TO SAVEPOINT s
SHOW work_mem
COMMIT
SET LOCAL work_mem = '8MB'
SHOW work_mem
-- locking clauses
SELECT actor_id FROM actors WHERE actor_id = 't1' FOR UPDATE
SELECT actor_id FROM actors ORDER BY actor_id LIMIT 1 FOR NO KEY UPDATE NOWAIT
SELECT actor_id FROM actors ORDER BY actor_id FOR SHARE SKIP LOCKED
SELECT actor_id FROM actors WHERE actor_id = 't2' FOR KEY SHARE
SELECT 1 FOR UPDATE
-- implicit transaction blocks in one Query
INSERT INTO actors VALUES ('m1', 'multi', NULL); SELECT 1/0
SELECT actor_id FROM actors WHERE actor_type = 'multi'
INSERT INTO actors VALUES ('m2', 'multi', NULL); COMMIT; INSERT INTO actors VALUES ('m3', 'multi', NULL); SELECT 1/0
SELECT actor_id FROM actors WHERE actor_type = 'multi'
INSERT INTO actors VALUES ('m4', 'multi', NULL); ROLLBACK; SELECT actor_id FROM actors WHERE actor_type = 'multi'
SELECT 1; SAVEPOINT s
SET LOCAL work_mem = '9MB'; SHOW work_mem
SHOW work_mem
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; SHOW transaction_isolation
SET work_mem = '10MB'; SELECT 1/0
SHOW work_mem
