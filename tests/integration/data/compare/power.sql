-- numeric ^ numeric and power(numeric, numeric): PostgreSQL's result scales (an integral exponent
-- rounds to 16 decimals or the base's; any other to 16 significant digits), signs, NaN and the
-- infinities, and the errors; integers still go to float8.
INSERT INTO actors VALUES ('p:1', 'p', '{"b": 1.5, "e": 2}'), ('p:2', 'p', '{"b": 2.25, "e": 0.5}'), ('p:3', 'p', '{"b": -3, "e": 3}'), ('p:4', 'p', '{"b": null, "e": 1}')
SELECT 2 ^ 3, pg_typeof(2 ^ 3), 2.0 ^ 3, pg_typeof(2.0 ^ 3), 2 ^ 0.5, 2.00000000000000000000 ^ 2
SELECT 2.0 ^ 0.5, 2.00 ^ 0.5, 2.5 ^ 3.5, 1000.0 ^ 2.5, 0.001 ^ 2.5, 1.000001 ^ 1000000
SELECT 10.0 ^ 20, 10.0 ^ -20, 1.5 ^ -100, 0.5 ^ 10, -2.0 ^ 3, (-2.0) ^ 3, (-2.0) ^ -3, (-8.0) ^ 1.0
SELECT 0.0 ^ 0, 0.0 ^ 2.5, 0.0 ^ 3, 1.0 ^ 12345.678, 99.99 ^ 12.345
SELECT power(2.0, 10), pow(9.0, 0.5), power(2, 0.5), pg_typeof(power(2, 0.5)), power(2, 3), pg_typeof(power(2, 3))
SELECT 'NaN'::numeric ^ 0, 1::numeric ^ 'NaN', 'NaN'::numeric ^ 2, 'Infinity'::numeric ^ 2, 'Infinity'::numeric ^ -2, '-Infinity'::numeric ^ 3, '-Infinity'::numeric ^ 2
SELECT 2::numeric ^ '-Infinity', 0.5::numeric ^ 'Infinity', (-1)::numeric ^ 'Infinity', 2::numeric ^ 'Infinity', 0.1::numeric ^ 10000000000
SELECT 0.0 ^ -1
SELECT (-2.0) ^ 0.5
SELECT 10.0 ^ 131072
SELECT 10.0 ^ 10000000000
SELECT 1.1 ^ NULL, NULL ^ 2.0
SELECT actor_id, (state->>'b')::numeric ^ (state->>'e')::numeric AS p FROM actors WHERE actor_type = 'p' ORDER BY actor_id
SELECT sum((state->>'b')::numeric ^ 2) FROM actors WHERE actor_type = 'p'
SELECT 2 ^ 8673.8
SELECT length((3 ^ 2614.5)::text), (-1) ^ 1e400, 1.0000000001 ^ -2147483648, 0.5 ^ 2147483647
SELECT 7E-15 ^ -879.6
SELECT 0.5 ^ -2147483648
-- Bases past a float's range or with more than 28 digits (the estimate and the power stay in numeric).
SELECT length(('1e131071'::numeric ^ 1)::text), '1e400'::numeric ^ 0.5, '1e-400'::numeric ^ 2, '1e-400'::numeric ^ 1.5
SELECT 1.2345678901234567890123456789012345 ^ 3, 1.2345678901234567890123456789012345 ^ 0.5, 1.000000000000000000000000000001 ^ -1e400
SELECT 1.000000000000000000000000000001 ^ 1e400
