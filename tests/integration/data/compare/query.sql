-- The query engine: FROM lists, joins, subqueries, CTEs, VALUES, aggregates, GROUP BY, DISTINCT, set operations, LIMIT/FETCH, EXPLAIN-free.
INSERT INTO actors VALUES ('user:1', 'user', '{"name": "ann", "age": 31, "team": "team:a", "score": 10}'), ('user:2', 'user', '{"name": "bob", "age": 25, "team": "team:a", "score": 7}'), ('user:3', 'user', '{"name": "cy", "team": "team:b"}'), ('user:4', 'user', NULL), ('team:a', 'team', '{"title": "Alpha", "owner": "user:1"}'), ('team:b', 'team', '{"title": "Beta", "owner": "user:9"}'), ('team:c', 'team', '{"title": "Gamma"}'), ('bot:1', 'bot', '{"score": 3}')
SELECT actor_id FROM actors ORDER BY actor_id
SELECT a.actor_id, b.actor_id FROM actors a, actors b WHERE a.actor_id = 'user:1' AND b.actor_type = 'team' ORDER BY 2
SELECT count(*) FROM actors a, actors b
SELECT u.actor_id, t.state->>'title' AS team FROM actors u JOIN actors t ON t.actor_id = u.state->>'team' ORDER BY u.actor_id
SELECT u.actor_id, t.actor_id FROM actors u INNER JOIN actors t ON t.actor_id = u.state->>'team' WHERE t.state->>'title' = 'Alpha' ORDER BY 1
SELECT u.actor_id, t.actor_id AS team FROM actors u LEFT JOIN actors t ON t.actor_id = u.state->>'team' WHERE u.actor_type = 'user' ORDER BY 1
SELECT u.actor_id, t.actor_id FROM actors u LEFT OUTER JOIN actors t ON t.actor_id = u.state->>'team' AND t.state->>'title' = 'Beta' WHERE u.actor_type = 'user' ORDER BY 1
SELECT t.actor_id, o.actor_id AS owner FROM actors o RIGHT JOIN actors t ON o.actor_id = t.state->>'owner' WHERE t.actor_type = 'team' ORDER BY 1
SELECT t.actor_id, o.actor_id FROM (SELECT * FROM actors WHERE actor_type = 'team') t FULL JOIN (SELECT * FROM actors WHERE actor_type = 'user') o ON o.actor_id = t.state->>'owner' ORDER BY 1, 2
SELECT a.actor_id, b.actor_id FROM actors a CROSS JOIN actors b WHERE a.actor_type = 'bot' AND b.actor_type = 'team' ORDER BY 2
SELECT a.actor_id, b.actor_type FROM actors a JOIN actors b USING (actor_id) WHERE a.actor_type = 'team' ORDER BY 1
SELECT * FROM actors a JOIN actors b USING (actor_id, actor_type) WHERE actor_id = 'bot:1'
SELECT actor_id, a.actor_type FROM actors a JOIN actors b USING (actor_id) WHERE actor_id = 'bot:1'
SELECT actor_id FROM actors a JOIN actors b ON a.actor_id = b.actor_id
SELECT x FROM actors a JOIN actors b ON true
SELECT a.nope FROM actors a
SELECT c.actor_id FROM actors a
SELECT actors.actor_id FROM actors a
SELECT * FROM actors a, actors a
SELECT * FROM actors a JOIN actors b USING (nope)
SELECT * FROM nowhere
SELECT * FROM actors a NATURAL JOIN actors b WHERE a.actor_id = 'bot:1'
SELECT a.*, b.actor_id FROM actors a JOIN actors b ON b.actor_id = a.actor_id WHERE a.actor_id = 'bot:1'
SELECT b.* FROM actors a JOIN actors b ON b.actor_id = a.state->>'team' WHERE a.actor_id = 'user:1'
SELECT * FROM actors AS a WHERE a.actor_id = 'bot:1'
SELECT a.actor_id, b.actor_id, c.actor_id FROM actors a JOIN actors b ON b.actor_id = a.state->>'team' JOIN actors c ON c.actor_id = b.state->>'owner' ORDER BY 1
SELECT a.actor_id FROM actors a JOIN actors b ON a.actor_id < b.actor_id AND b.actor_type = 'bot' ORDER BY 1
SELECT s.id, s.kind FROM (SELECT actor_id AS id, actor_type AS kind FROM actors WHERE actor_type = 'team') s ORDER BY s.id DESC
SELECT * FROM (SELECT actor_id FROM actors WHERE actor_type = 'bot') AS s(x)
SELECT * FROM (SELECT 1, 2) AS s(a, b, c)
SELECT * FROM (SELECT actor_id FROM actors)
SELECT n FROM (SELECT count(*) AS n FROM actors) c
WITH teams AS (SELECT actor_id, state FROM actors WHERE actor_type = 'team') SELECT actor_id, state->>'title' FROM teams ORDER BY 1
WITH t(id) AS (SELECT actor_id FROM actors WHERE actor_type = 'bot'), u AS (SELECT id FROM t) SELECT * FROM u
WITH teams AS (SELECT * FROM actors WHERE actor_type = 'team') SELECT u.actor_id, teams.actor_id FROM actors u JOIN teams ON teams.actor_id = u.state->>'team' ORDER BY 1
WITH x AS (SELECT 1 AS a) SELECT * FROM x, x
WITH x AS (SELECT 1 AS a) SELECT * FROM x x1, x x2
VALUES (1, 'a'), (2, 'b')
VALUES (1, 'a'), (2, NULL) ORDER BY 1 DESC
SELECT * FROM (VALUES (1, 'one'), (2, 'two')) AS v(n, word) WHERE n > 1
VALUES (1), ('x')
VALUES (1, 2), (3)
VALUES (1), (2.5)
SELECT actor_id FROM actors WHERE actor_id IN (SELECT state->>'owner' FROM actors WHERE actor_type = 'team') ORDER BY 1
SELECT actor_id FROM actors WHERE actor_id NOT IN (SELECT state->>'team' FROM actors WHERE state ? 'team') ORDER BY 1
SELECT actor_id FROM actors WHERE actor_id NOT IN (SELECT state->>'owner' FROM actors WHERE actor_type = 'team') ORDER BY 1
SELECT 'x' NOT IN (SELECT NULL::text), 'x' IN (SELECT NULL::text), NULL::text IN (SELECT 'a' WHERE false), 'a' = ANY (SELECT 'a'), 'a' <> ALL (SELECT 'a')
SELECT 5 > ALL (SELECT (state->>'score')::int FROM actors WHERE state ? 'score'), 5 > ANY (SELECT (state->>'score')::int FROM actors WHERE state ? 'score')
SELECT 1 IN (SELECT 1, 2)
SELECT t.actor_id FROM actors t WHERE EXISTS (SELECT 1 FROM actors u WHERE u.state->>'team' = t.actor_id) ORDER BY 1
SELECT t.actor_id FROM actors t WHERE NOT EXISTS (SELECT 1 FROM actors u WHERE u.state->>'team' = t.actor_id) AND t.actor_type = 'team'
SELECT EXISTS (SELECT 1 FROM actors WHERE actor_type = 'bot'), EXISTS (SELECT 1 FROM actors WHERE actor_type = 'ghost')
SELECT actor_id, (SELECT count(*) FROM actors u WHERE u.state->>'team' = t.actor_id) AS members FROM actors t WHERE actor_type = 'team' ORDER BY 1
SELECT (SELECT actor_id FROM actors WHERE actor_type = 'bot'), (SELECT actor_id FROM actors WHERE actor_type = 'ghost')
SELECT (SELECT actor_id FROM actors WHERE actor_type = 'user')
SELECT (SELECT actor_id, actor_type FROM actors WHERE actor_type = 'bot')
SELECT (SELECT 1) + 1, (SELECT 'a') || 'b'
SELECT actor_id FROM actors t WHERE (SELECT o.state->>'name' FROM actors o WHERE o.actor_id = t.state->>'owner') = 'ann'
SELECT actor_id FROM actors WHERE actor_id = (SELECT max(actor_id) FROM actors)
SELECT u.actor_id FROM actors u WHERE u.actor_type = 'user' AND u.actor_id IN (SELECT t.state->>'owner' FROM actors t WHERE t.state->>'owner' = u.actor_id)
SELECT count(*), count(state), count(DISTINCT actor_type), count(state->'age') FROM actors
SELECT count(*) FROM actors WHERE actor_type = 'ghost'
SELECT sum((state->>'age')::int), avg((state->>'age')::int), min((state->>'age')::int), max((state->>'age')::int) FROM actors
SELECT sum((state->>'age')::bigint), avg((state->>'age')::bigint), sum((state->>'age')::numeric), avg((state->>'age')::numeric) FROM actors
SELECT sum((state->>'age')::float8), avg((state->>'age')::float8), sum(1.5), avg(1.0), avg(2) FROM actors
SELECT sum(x), avg(x), min(x), max(x), count(x) FROM (SELECT (state->>'age')::int AS x FROM actors WHERE false) s
SELECT min(actor_id), max(actor_id), min(actor_type), max(state->>'name') FROM actors
SELECT bool_and(actor_type = 'user'), bool_or(actor_type = 'user'), bool_and(state IS NOT NULL) FROM actors
SELECT bool_and(x), bool_or(x) FROM (SELECT NULL::boolean AS x) s
SELECT string_agg(actor_id, ',' ORDER BY actor_id) FROM actors
SELECT string_agg(actor_id, '|' ORDER BY actor_id DESC) FILTER_NOT_SUPPORTED FROM actors
SELECT actor_type, string_agg(state->>'name', ', ' ORDER BY state->>'name') FROM actors GROUP BY actor_type ORDER BY 1
SELECT array_agg(actor_id ORDER BY actor_id) FROM actors WHERE actor_type = 'team'
SELECT array_agg((state->>'age')::int ORDER BY actor_id) FROM actors WHERE actor_type = 'user'
SELECT jsonb_agg(actor_id ORDER BY actor_id) FROM actors WHERE actor_type = 'team'
SELECT jsonb_agg(state ORDER BY actor_id) FROM actors WHERE actor_type = 'user'
SELECT jsonb_object_agg(actor_id, state->'title') FROM actors WHERE actor_type = 'team'
SELECT jsonb_object_agg(actor_id, (state->>'age')::int) FROM actors WHERE actor_type = 'user'
SELECT jsonb_agg(x), array_agg(x), string_agg(x, ','), jsonb_object_agg(x, x) FROM (SELECT actor_id AS x FROM actors WHERE false) s
SELECT actor_type, count(*) FROM actors GROUP BY actor_type ORDER BY actor_type
SELECT actor_type, count(*) AS n FROM actors GROUP BY 1 ORDER BY n DESC, 1
SELECT actor_type AS kind, count(*) FROM actors GROUP BY kind ORDER BY kind
SELECT state->>'team' AS team, count(*), min(actor_id) FROM actors WHERE actor_type = 'user' GROUP BY state->>'team' ORDER BY 1 NULLS FIRST
SELECT upper(actor_type), count(*) FROM actors GROUP BY upper(actor_type) ORDER BY 1
SELECT actor_type, count(*) FROM actors GROUP BY actor_type HAVING count(*) > 1 ORDER BY 1
SELECT actor_type FROM actors GROUP BY actor_type HAVING max(actor_id) >= 'u'
SELECT count(*) FROM actors HAVING count(*) > 100
SELECT 1 HAVING true
SELECT actor_type, actor_id FROM actors GROUP BY actor_type
SELECT actor_id, actor_type, count(*) FROM actors WHERE actor_type = 'bot' GROUP BY actor_id
SELECT a.actor_id, a.state, count(b.actor_id) FROM actors a LEFT JOIN actors b ON b.state->>'team' = a.actor_id WHERE a.actor_type = 'team' GROUP BY a.actor_id ORDER BY 1
SELECT state FROM actors GROUP BY actor_type
SELECT actor_type, count(*) FROM actors GROUP BY 3
SELECT count(*) FROM actors WHERE count(*) > 1
SELECT count(*) FROM actors GROUP BY count(*)
SELECT sum(count(*)) FROM actors
SELECT sum(actor_id) FROM actors
SELECT avg('x')
SELECT count(*), actor_type FROM actors
SELECT actor_type, count(*) FROM actors GROUP BY actor_type ORDER BY count(*) DESC, actor_type LIMIT 2
SELECT actor_type, sum((state->>'score')::int) AS total FROM actors GROUP BY actor_type ORDER BY total NULLS FIRST, 1
SELECT count(*) + 1, count(*) * 2 FROM actors
SELECT DISTINCT actor_type FROM actors ORDER BY 1
SELECT DISTINCT state->>'team' AS t FROM actors ORDER BY t NULLS LAST
SELECT DISTINCT actor_type, length(actor_type) FROM actors ORDER BY 2, 1
SELECT DISTINCT actor_type FROM actors ORDER BY actor_id
SELECT DISTINCT ON (actor_type) actor_type, actor_id FROM actors ORDER BY actor_type, actor_id DESC
SELECT count(DISTINCT state->>'team'), count(DISTINCT actor_type) FROM actors
SELECT actor_id FROM actors WHERE actor_type = 'bot' UNION SELECT actor_id FROM actors WHERE actor_type = 'team' ORDER BY 1
SELECT actor_type FROM actors UNION SELECT actor_type FROM actors ORDER BY 1
SELECT actor_type FROM actors UNION ALL SELECT actor_type FROM actors WHERE actor_type = 'bot' ORDER BY 1
SELECT 1 AS n UNION SELECT 2 UNION SELECT 1 ORDER BY n DESC
SELECT 1 UNION SELECT 2.5 ORDER BY 1
SELECT 1::int UNION SELECT 2::bigint
SELECT 'a' UNION SELECT 'b' ORDER BY 1
SELECT 1 UNION SELECT 'a'
SELECT 1 UNION SELECT true
SELECT 1, 2 UNION SELECT 1
SELECT actor_type FROM actors INTERSECT SELECT 'bot' ORDER BY 1
SELECT actor_type FROM actors EXCEPT SELECT 'bot' ORDER BY 1
SELECT actor_type FROM actors EXCEPT ALL SELECT 'user' ORDER BY 1
SELECT actor_type FROM actors INTERSECT ALL SELECT actor_type FROM actors WHERE actor_type = 'team' ORDER BY 1
SELECT 1 UNION SELECT 2 INTERSECT SELECT 2 ORDER BY 1
(SELECT 1 AS x UNION SELECT 2) ORDER BY x DESC LIMIT 1
SELECT actor_id FROM actors UNION SELECT actor_id FROM actors ORDER BY length(actor_id)
SELECT actor_id FROM actors UNION SELECT actor_id FROM actors ORDER BY nope
SELECT actor_id FROM actors ORDER BY actor_id FETCH FIRST 2 ROWS ONLY
SELECT actor_id FROM actors ORDER BY actor_id OFFSET 2 ROWS FETCH NEXT 3 ROWS ONLY
SELECT actor_id FROM actors ORDER BY actor_id FETCH FIRST ROW ONLY
SELECT actor_id FROM actors ORDER BY actor_id DESC LIMIT 3 OFFSET 1
SELECT actor_id FROM actors ORDER BY state->>'name' NULLS FIRST, actor_id LIMIT 4
SELECT actor_id FROM actors WHERE actor_type = 'user' ORDER BY (state->>'age')::int DESC NULLS LAST, actor_id LIMIT 3
SELECT actor_id FROM actors WHERE actor_id >= 'team' AND actor_id < 'u' ORDER BY actor_id
SELECT actor_id FROM actors WHERE actor_id > 'team:a' AND actor_id <= 'user:2' ORDER BY actor_id
SELECT actor_id FROM actors WHERE actor_id = 'user:2' OR actor_id = 'team:c' ORDER BY 1
SELECT actor_id FROM actors WHERE actor_type = 'team' OR actor_type = 'bot' ORDER BY actor_id
SELECT actor_id FROM actors WHERE actor_id > NULL
SELECT actor_id FROM actors WHERE actor_id < 'b' ORDER BY 1
SELECT actor_id FROM actors WHERE actor_id BETWEEN 'team:b' AND 'user:1' ORDER BY actor_id
SELECT actor_id FROM actors WHERE actor_id LIKE 'user:%' ORDER BY actor_id
SELECT actor_id FROM actors WHERE actor_id IN ('user:2', 'bot:1', 'nope') ORDER BY actor_id
SELECT actor_id FROM actors WHERE actor_type IN ('bot', 'team') ORDER BY 1
SELECT actor_id FROM actors WHERE actor_id LIKE 'team:_' ORDER BY 1
SELECT actor_id FROM actors WHERE actor_id LIKE 'u%' AND actor_type = 'user' ORDER BY 1 DESC LIMIT 2
SELECT actor_id FROM actors WHERE actor_id LIKE '%:1' ORDER BY 1
SELECT actor_id FROM actors WHERE actor_id NOT IN ('user:1') AND actor_type = 'user' ORDER BY 1
SELECT actor_id FROM actors WHERE actor_id IN ('bot:1', NULL)
SELECT actor_id FROM actors WHERE actor_id BETWEEN 'user:3' AND 'team:a'
SELECT actor_id, state FROM actors ORDER BY state DESC NULLS LAST, actor_id LIMIT 3
SELECT actor_type, max(state->>'name'), min((state->>'score')::numeric) FROM actors GROUP BY actor_type HAVING actor_type IN ('user', 'bot') ORDER BY 1
SELECT CASE WHEN count(*) > 3 THEN 'many' ELSE 'few' END AS size, actor_type FROM actors GROUP BY actor_type ORDER BY 2
SELECT u.actor_id FROM actors u WHERE u.state->>'team' = ANY (SELECT actor_id FROM actors WHERE actor_id LIKE 'team%') ORDER BY 1
SELECT actor_id FROM actors ORDER BY actor_id LIMIT 2
SELECT x.actor_id FROM actors x ORDER BY x.actor_id LIMIT 2 OFFSET 6
SELECT actor_type, n FROM (SELECT actor_type, count(*) AS n FROM actors GROUP BY actor_type) s WHERE n > 1 ORDER BY n
SELECT * FROM (SELECT actor_id FROM actors ORDER BY actor_id LIMIT 2) s ORDER BY actor_id DESC
SELECT max(n) FROM (SELECT count(*) AS n FROM actors GROUP BY actor_type) s
SELECT t.actor_id, (SELECT string_agg(u.actor_id, ',' ORDER BY u.actor_id) FROM actors u WHERE u.state->>'team' = t.actor_id) FROM actors t WHERE t.actor_type = 'team' ORDER BY 1
SELECT actor_id FROM actors a WHERE a.actor_id IN (SELECT b.actor_id FROM actors b WHERE b.actor_type = a.actor_type AND b.actor_id > a.actor_id) ORDER BY 1
SELECT (SELECT count(*) FROM actors b WHERE b.actor_type = a.actor_type) AS same, actor_id FROM actors a ORDER BY 2
SELECT actor_type, (SELECT count(*) FROM actors b WHERE b.actor_type = a.actor_type) FROM actors a GROUP BY actor_type ORDER BY 1
SELECT actor_id FROM actors WHERE EXISTS (SELECT 1 WHERE actor_id = 'bot:1')
SELECT * FROM pg_catalog.nope
SELECT a.actor_id FROM actors a JOIN actors b
SELECT 1 FROM actors a LEFT JOIN actors b
SELECT count(*) FROM actors a LEFT JOIN actors b ON a.actor_id = b.state->>'owner' WHERE b.actor_id IS NULL
SELECT a.actor_id, b.actor_id FROM actors a LEFT JOIN actors b ON b.actor_id = a.state->>'owner' AND a.actor_type = 'team' WHERE a.actor_type = 'team' ORDER BY 1
SELECT a.actor_id FROM actors a, actors b WHERE a.actor_id = b.actor_id AND b.actor_type = 'bot'
SELECT count(*) FROM actors a JOIN actors b ON a.actor_type = b.actor_type
SELECT a.actor_type, count(*) FROM actors a JOIN actors b ON a.actor_type = b.actor_type GROUP BY a.actor_type ORDER BY 2 DESC, 1
SELECT DISTINCT a.actor_type FROM actors a JOIN actors b ON a.actor_type = b.actor_type ORDER BY 1
SELECT * FROM generate_series(1, 3)
SELECT s.n * 2 AS twice FROM generate_series(1, 10, 4) AS s(n)
SELECT g FROM pg_catalog.generate_series(3, 1, -1) g
SELECT x FROM unnest(ARRAY['a', 'b']) x ORDER BY 1 DESC
SELECT count(u), count(*) FROM unnest(ARRAY[1, NULL, 3]) u
SELECT count(*) FROM actors a, generate_series(1, 2) g WHERE a.actor_type = 'team'
SELECT ARRAY(SELECT actor_id FROM actors WHERE actor_type = 'team' ORDER BY 1), ARRAY(SELECT 1 WHERE false)
SELECT ARRAY(SELECT actor_id, actor_type FROM actors)
SELECT t.actor_id, ARRAY(SELECT u.actor_id FROM actors u WHERE u.state->>'team' = t.actor_id ORDER BY 1) AS members FROM actors t WHERE t.actor_type = 'team' ORDER BY 1
