-- The everyday psql session: create, read, update and delete actors, and the errors a user meets.
INSERT INTO actors (actor_id, actor_type, state) VALUES ('user:1', 'user', '{"name": "Ada", "balance": 100}');
INSERT INTO actors (actor_id, actor_type, state) VALUES
  ('user:2', 'user', '{"name": "Bob", "balance": 50, "tags": ["a", "b"], "name": "Bobby"}'),
  ('room:1', 'room', '{"topic": "lobby", "members": 2, "ratio": 1.50, "big": 1e3, "tiny": -0.0, "nested": {"zz": [], "a": {}}}');
SELECT * FROM actors WHERE actor_id = 'user:1';
SELECT actor_id, state FROM actors WHERE actor_type = 'user' ORDER BY actor_id;
UPDATE actors SET state = '{"name": "Ada", "balance": 150}' WHERE actor_id = 'user:1';
SELECT state FROM actors WHERE actor_id = 'user:1';
UPDATE actors SET actor_type = 'admin' WHERE actor_type = 'user' AND actor_id <> 'user:2';
SELECT * FROM actors ORDER BY actor_id;
SELECT actor_id AS "Id", actor_type FROM actors WHERE actor_type = 'admin' OR (actor_id >= 'user:2' AND NOT state IS NULL) ORDER BY 1 DESC;
SELECT * FROM actors WHERE actor_id = 'nobody';
UPDATE actors SET state = NULL WHERE actor_id = 'nobody';
INSERT INTO actors VALUES ('user:1', 'user', '{}');
INSERT INTO actors (actor_id, state) VALUES ('user:9', '{}');
INSERT INTO actors VALUES ('user:9', 'user', '{"a": }');
SELEC * FROM actors;
SELECT * FROM actors WHERE;
SELECT * FROM actor;
SELECT nope FROM actors;
SELECT actor_id FROM actors WHERE actor_id = 1;
SELECT 1 AS one, 'two' AS two, 2.50 AS three, true AS four, NULL AS five, -7 + 3 * 2 AS six;
SELECT current_database(), current_user, current_schema();
SHOW DateStyle;
SET application_name = 'psql-session';
SHOW application_name;
RESET application_name;
SHOW application_name;
DELETE FROM actors WHERE actor_type = 'room';
SELECT * FROM actors ORDER BY actor_id;
DELETE FROM actors;
SELECT * FROM actors;
