-- Advisory locks: results, reentrancy, scopes (their WARNINGs are in test_notices.py)
SELECT pg_try_advisory_lock(1), pg_try_advisory_lock(1), pg_advisory_unlock(1), pg_advisory_unlock(1), pg_advisory_unlock(1)
SELECT pg_advisory_lock(2, 3), pg_advisory_unlock(2, 3), pg_advisory_unlock(2, 3)
SELECT pg_advisory_lock(2), pg_advisory_unlock(2, 0), pg_advisory_unlock(2)
SELECT pg_try_advisory_lock_shared(4), pg_advisory_lock_shared(4), pg_advisory_unlock_shared(4), pg_advisory_unlock(4), pg_advisory_unlock_shared(4)
SELECT pg_advisory_xact_lock(5), pg_try_advisory_xact_lock(5), pg_try_advisory_xact_lock_shared(5), pg_advisory_xact_lock_shared(6)
SELECT pg_advisory_unlock(5), pg_advisory_unlock_shared(6)
SELECT pg_advisory_lock(7), pg_advisory_lock(7), pg_advisory_unlock_all(), pg_advisory_unlock(7)
SELECT pg_advisory_lock(-1), pg_advisory_unlock(-1)
SELECT pg_advisory_lock(9223372036854775807), pg_advisory_unlock(9223372036854775807)
SELECT pg_advisory_lock(-2147483647, 2147483647), pg_advisory_unlock(-2147483647, 2147483647)
SELECT pg_try_advisory_lock(NULL), pg_advisory_unlock(NULL, 1)
SELECT pg_advisory_lock(2147483648, 1)
SELECT pg_advisory_lock('x')
BEGIN
SELECT pg_advisory_xact_lock(8), pg_advisory_lock(8)
COMMIT
SELECT pg_advisory_unlock(8), pg_advisory_unlock(8)
-- DISCARD: ALL outside a transaction block only
DISCARD ALL
DISCARD PLANS
DISCARD SEQUENCES
DISCARD TEMP
DISCARD TEMPORARY
BEGIN
DISCARD PLANS
DISCARD ALL
ROLLBACK
DISCARD everything
-- client_min_messages: its values as SHOW prints them, and a bad one
SET client_min_messages = 'panic'
SET client_min_messages = debug
SHOW client_min_messages
SET client_min_messages TO info
SHOW client_min_messages
SET client_min_messages = DEBUG5
SHOW client_min_messages
RESET client_min_messages
SHOW client_min_messages
