-- ROLLBACK TO SAVEPOINT closes cursors declared since and gives back transaction-level advisory locks taken since
BEGIN;
DECLARE c1 CURSOR FOR SELECT 1;
SELECT pg_advisory_xact_lock(41);
SAVEPOINT s;
DECLARE c2 CURSOR FOR SELECT 2;
SELECT pg_advisory_xact_lock(42);
SELECT pg_advisory_xact_lock(41);
SELECT pg_advisory_lock(43);
SELECT pg_advisory_lock_shared(44);
SAVEPOINT s2;
SELECT pg_advisory_xact_lock_shared(45);
DECLARE c4 CURSOR FOR SELECT 4;
RELEASE s2;
SELECT name FROM pg_cursors ORDER BY name;
SELECT objid, mode, granted FROM pg_locks WHERE locktype = 'advisory' ORDER BY objid, mode;
ROLLBACK TO SAVEPOINT s;
SELECT name FROM pg_cursors ORDER BY name;
FETCH c2;
ROLLBACK TO SAVEPOINT s;
FETCH c4;
ROLLBACK TO SAVEPOINT s;
SELECT objid, mode, granted FROM pg_locks WHERE locktype = 'advisory' ORDER BY objid, mode;
-- a FETCH inside a rolled back savepoint keeps its position
SAVEPOINT u;
FETCH c1;
ROLLBACK TO u;
FETCH c1;
-- a cursor declared before the savepoint and closed after it stays closed
SAVEPOINT v;
CLOSE c1;
ROLLBACK TO v;
FETCH c1;
COMMIT;
SELECT objid, mode, granted FROM pg_locks WHERE locktype = 'advisory' ORDER BY objid, mode;
SELECT pg_advisory_unlock_all();
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory';
-- what a monitoring query sees of itself
SELECT locktype, relation::regclass, mode, granted, fastpath, virtualtransaction = virtualxid FROM pg_locks ORDER BY locktype;
SELECT proname, pronargs, proargtypes, prorettype::regtype, provolatile, proparallel, prosrc FROM pg_proc WHERE proname LIKE '%advisory%' ORDER BY oid;
