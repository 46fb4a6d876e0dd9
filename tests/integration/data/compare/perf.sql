-- jsonb -> and ->> over stored rows (the quick integer path and the exact one), and aggregates over them.
INSERT INTO actors VALUES ('p:1', 'p', '{"balance": 100, "name": "user 1"}'), ('p:2', 'p', '{"balance": -7, "name": "tab\there \"q\" é 😀"}'), ('p:3', 'p', '{"balance": 1.50}'), ('p:4', 'p', '{"balance": 1e3}'), ('p:5', 'p', '{"balance": 123456789012345678901234567890123}')
INSERT INTO actors VALUES ('p:6', 'q', '{"balance": true}'), ('p:7', 'q', '{"balance": null}'), ('p:8', 'q', '{"balance": {"inner": 1}}'), ('p:9', 'q', '{"balance": [1, "two", null]}'), ('p:10', 'q', '{"other": -0}'), ('p:11', 'q', '[1, 2]'), ('p:12', 'q', '"balance"'), ('p:13', 'q', '42'), ('p:14', 'q', NULL), ('p:15', 'q', '{"balance": -0.0}')
SELECT actor_id, state->'balance', state->>'balance', state->'name', state->>'name', state->'other', state->>'other' FROM actors ORDER BY actor_id
SELECT actor_id, state->'balance' IS NULL, state->>'balance' IS NULL FROM actors ORDER BY actor_id
SELECT actor_type, count(*), count(state->>'balance'), max(state->>'balance'), min(state->'balance'::text) FROM actors GROUP BY actor_type ORDER BY actor_type
SELECT sum((state->>'balance')::numeric) FROM actors WHERE actor_id IN ('p:1', 'p:2', 'p:3', 'p:4')
SELECT actor_id, pg_typeof(state->'balance'), jsonb_typeof(state->'balance') FROM actors WHERE actor_type = 'q' ORDER BY actor_id
