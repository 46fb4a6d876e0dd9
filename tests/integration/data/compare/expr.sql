-- Expressions (engineer expr): IN, BETWEEN, LIKE/ILIKE/SIMILAR TO, regular expressions, CASE, IS DISTINCT FROM,
-- arrays (constructors, ANY/ALL, subscripts, slices, functions), OPERATOR(), COLLATE, qualified names, jsonb and
-- array ordering, scalar functions; NULL and error cases. One statement a line, answers must match PostgreSQL 15's.
SELECT 1 IN (1, 2), 3 IN (1, 2), NULL IN (1, 2), 1 IN (2, NULL), 1 IN (1, NULL), 1 NOT IN (2, NULL), 1 NOT IN (2, 3)
SELECT 'a' IN ('a', 'b'), '1' IN (1, 2), 1 IN ('1', 2.5)
SELECT 1 IN ('a')
SELECT 1 IN (1, 'x'::text)
SELECT 2 BETWEEN 1 AND 3, 2 NOT BETWEEN 1 AND 3, 2 BETWEEN 3 AND 1, 2 BETWEEN SYMMETRIC 3 AND 1, NULL BETWEEN 1 AND 2, 'b' BETWEEN 'a' AND 'c'
SELECT 'abc' LIKE 'a%', 'abc' LIKE 'a_c', 'abc' LIKE 'A%', 'abc' ILIKE 'A%', 'abc' NOT LIKE 'a%', 'abc' NOT ILIKE 'A%', 'a%c' LIKE 'a\%c', 'abc' LIKE 'a\%c'
SELECT 'a%c' LIKE 'a!%c' ESCAPE '!', 'abc' LIKE 'abc' ESCAPE '', NULL LIKE 'a', 'a' LIKE NULL
SELECT 'abc' LIKE 'ab\'
SELECT 'abc' LIKE 'a' ESCAPE 'xy'
SELECT 'abc' ~~ 'a%', 'abc' ~~* 'A%', 'abc' !~~ 'a%', 'abc' !~~* 'A%'
SELECT 1 LIKE 'a'
SELECT 1 ~~ 'a'::text
SELECT 'abc' ~ '^a', 'abc' ~* '^A', 'abc' !~ '^a', 'abc' !~* '^A', 'foo bar' ~ '\mbar', 'a1' ~ '[[:digit:]]$', 'ab' ~ 'b$'
SELECT 'abc' ~ '('
SELECT 'abc' ~ '[a'
SELECT 'abc' SIMILAR TO 'a%', 'abc' SIMILAR TO '(a|b)%', 'abc' NOT SIMILAR TO 'b%', 'a.c' SIMILAR TO 'a.c', 'abc' SIMILAR TO 'a.c'
SELECT 1 IS DISTINCT FROM 2, 1 IS DISTINCT FROM 1, NULL IS DISTINCT FROM NULL, NULL IS NOT DISTINCT FROM NULL, 1 IS DISTINCT FROM NULL, 'a' IS NOT DISTINCT FROM 'a'
SELECT CASE WHEN 1 = 1 THEN 'one' ELSE 'other' END, CASE 2 WHEN 1 THEN 'a' WHEN 2 THEN 'b' END, CASE WHEN false THEN 1 END
SELECT CASE WHEN true THEN 1 ELSE 'x' END
SELECT CASE WHEN true THEN 1 ELSE 'x'::text END
SELECT CASE WHEN true THEN 1 ELSE 2.5 END, CASE WHEN false THEN 1 ELSE NULL END
SELECT CASE WHEN 1 THEN 2 END
SELECT CASE 'a' WHEN 'a' THEN 1 END, CASE NULL WHEN NULL THEN 1 ELSE 2 END
SELECT ARRAY[1, 2, 3], ARRAY['a', 'b'], ARRAY[[1, 2], [3, 4]], ARRAY[1, NULL], ARRAY[1, 2.5]
SELECT ARRAY[]
SELECT ARRAY[]::int[], ARRAY[]::text[]
SELECT ARRAY[[1, 2], [3]]
SELECT ARRAY[1, 'a']
SELECT 1 = ANY (ARRAY[1, 2]), 3 = ANY (ARRAY[1, 2]), 3 = ANY (ARRAY[1, NULL]), 1 <> ALL (ARRAY[2, 3]), 1 <> ALL (ARRAY[1]), 1 = ANY ('{1,2}'), 1 = ANY (ARRAY[]::int[]), 1 = ALL (ARRAY[]::int[]), NULL = ANY (ARRAY[1])
SELECT 'abc' LIKE ANY (ARRAY['x%', 'a%']), 'abc' LIKE ALL (ARRAY['x%', 'a%'])
SELECT 1 = ANY (1)
SELECT (ARRAY[1, 2, 3])[2], (ARRAY[1, 2, 3])[5], (ARRAY[1, 2, 3])[2:3], (ARRAY[1, 2, 3])[:2], (ARRAY[1, 2, 3])[2:], (ARRAY[[1, 2], [3, 4]])[2][1], (ARRAY[[1, 2], [3, 4]])[1], (ARRAY[1,2,3])[NULL]
SELECT (ARRAY[[1, 2], [3, 4]])[1:1][2], (ARRAY[1,2,3])[3:1], ('{1,2,3}'::int[])[1]
SELECT (1)[1]
SELECT ARRAY[1, 2] = ARRAY[1, 2], ARRAY[1, 2] < ARRAY[1, 3], ARRAY[1, 2] < ARRAY[1, 2, 0], ARRAY[2] > ARRAY[1, 9], ARRAY[1, NULL] = ARRAY[1, NULL]
SELECT ARRAY[1] = ARRAY[1::bigint]
SELECT 'abc' COLLATE "C", 'b' < 'a' COLLATE "C", 'a' = 'a' COLLATE pg_catalog.default, lower('X') COLLATE "POSIX"
SELECT 1 COLLATE "C"
SELECT 'a' COLLATE "xx"
SELECT 1 OPERATOR(pg_catalog.=) 1, 'abc' OPERATOR(pg_catalog.~) '^a', 2 OPERATOR(pg_catalog.+) 3 * 2, 'a' OPERATOR(pg_catalog.||) 'b'
SELECT 1 OPERATOR(foo.=) 1
SELECT pg_catalog.lower('ABC'), pg_catalog.length('abc'), 'x'::pg_catalog.text, 5::pg_catalog.int8
SELECT array_length(ARRAY[1, 2, 3], 1), array_length(ARRAY[1], 2), cardinality(ARRAY[[1, 2], [3, 4]]), array_to_string(ARRAY[1, NULL, 3], ','), array_to_string(ARRAY['a', NULL], ',', '*')
SELECT string_to_array('a,b,,c', ','), string_to_array('abc', NULL), string_to_array('a,b', ',', 'b'), string_to_array('', ',')
SELECT array_position(ARRAY['a', 'b', 'c'], 'b'), array_position(ARRAY[1, 2, 1], 1, 2), array_position(ARRAY[1], 5), array_cat(ARRAY[1, 2], ARRAY[3]), array_append(ARRAY[1], 2), array_prepend(0, ARRAY[1]), array_ndims(ARRAY[[1]]), array_dims(ARRAY[[1,2]])
SELECT '{"a":1}'::jsonb < '{"a":2}'::jsonb, '[]'::jsonb < 'null'::jsonb, '1'::jsonb < '"a"'::jsonb, '{}'::jsonb > '[1,2]'::jsonb, 'true'::jsonb > '10'::jsonb, '"a"'::jsonb > 'null'::jsonb, '[1]'::jsonb > '1'::jsonb
SELECT '{"b":1}'::jsonb < '{"aa":1}'::jsonb, '{"a":1,"b":2}'::jsonb > '{"c":1}'::jsonb, '[1,"a"]'::jsonb < '[1,2]'::jsonb, '[[1]]'::jsonb > '[2]'::jsonb, '{"a":1}'::jsonb = '{"a":1.0}'::jsonb
SELECT split_part('a,b,c', ',', 2), split_part('a,b,c', ',', -1), split_part('a,b,c', ',', 5), split_part('abc', '', 1), split_part('', ',', 1)
SELECT split_part('a,b', ',', 0)
SELECT repeat('ab', 3), repeat('x', -1), lpad('hi', 5), lpad('hi', 5, 'xy'), lpad('hello', 3), rpad('hi', 5, '*'), rpad('hi', -1), lpad('hi', 4, '')
SELECT reverse('abc'), initcap('hello wORLD-foo bar1x'), translate('12345', '143', 'ax'), chr(65), chr(233), ascii('A'), ascii('')
SELECT chr(0)
SELECT regexp_replace('foobarbaz', 'b..', 'X'), regexp_replace('foobarbaz', 'b..', 'X', 'g'), regexp_replace('abc', '(a)(b)', '\2\1'), regexp_replace('ABC', 'b', 'x', 'i'), regexp_replace('abc', 'b', '[\&]')
SELECT regexp_match('foobarbequebaz', 'bar.*que'), regexp_match('foobarbequebaz', '(bar)(beque)'), regexp_match('abc', 'x'), regexp_match('ABC', 'b', 'i')
SELECT regexp_match('abc', 'b', 'g')
SELECT regexp_replace('abc', 'b', 'x', 'z')
SELECT regexp_like('abc', 'B', 'i'), regexp_like('abc', '^b')
SELECT floor(2.7), floor(-2.7), ceil(2.1), ceiling(-2.1), floor(2.7::float8), ceil(-0.5::float8), trunc(2.789), trunc(2.789, 2), trunc(-2.7::float8), trunc(1234.5, -2)
SELECT mod(7, 3), mod(-7, 3), mod(7.5, 2), div(7, 2), div(-7.5, 2), sign(-3.2), sign(0::float8), sign(5), power(2, 10), pow(2.0::float8, 0.5), sqrt(16), pi()
SELECT mod(1, 0)
SELECT sqrt(-1)
SELECT power(0, -1)
SELECT date_trunc('day', '2024-03-15 13:45:12.5'::timestamp), date_trunc('month', '2024-03-15 13:45:12'::timestamptz), date_trunc('hour', '2024-03-15 13:45:12'::timestamp), date_trunc('week', '2024-03-15'::timestamp), date_trunc('year', '2024-03-15'::timestamp), date_trunc('quarter', '2024-08-15'::timestamp)
SELECT date_trunc('bogus', '2024-03-15'::timestamp)
SELECT date_part('year', '2024-03-15 13:45:12.5'::timestamp), date_part('second', '2024-03-15 13:45:12.5'::timestamp), date_part('dow', '2024-03-15'::timestamp), date_part('epoch', '2024-03-15 00:00:00+00'::timestamptz), date_part('doy', '2024-03-15'::date)
SELECT EXTRACT(year FROM '2024-03-15 13:45:12.5'::timestamp), EXTRACT(second FROM '2024-03-15 13:45:12.5'::timestamp), EXTRACT('month' FROM '2024-03-15'::date), EXTRACT(epoch FROM '2024-03-15 00:00:00+00'::timestamptz), extract(isodow from '2024-03-17'::date), extract(century from '2001-01-01'::date), extract(quarter from '2024-05-01'::timestamp)
SELECT EXTRACT(hour FROM '2024-03-15'::date)
SELECT EXTRACT(bogus FROM '2024-03-15'::timestamp)
SELECT length(gen_random_uuid()::text), gen_random_uuid() IS NOT NULL
SELECT split_part(NULL, ',', 1), lpad(NULL, 3), repeat('a', NULL), floor(NULL), regexp_replace(NULL, 'a', 'b'), date_trunc('day', NULL::timestamp)
SELECT length('abc'::bytea), md5('abc'), upper('abc') || lower('DEF')
SELECT floor('x')
SELECT round(2.5), round(-2.5), round(2.567, 2), round(2.5::float8)
SELECT 1 + 2 IN (3), 'a' || 'b' LIKE 'ab', NOT 'a' LIKE 'b', 1 < 2 IS TRUE, 1 IN (1) IS NOT NULL
SELECT 1 IN (1) = true
SELECT - 2 ^ 2, 2 * 3 BETWEEN 5 AND 7, 'x' NOT BETWEEN 'a' AND 'm', 5 NOT BETWEEN SYMMETRIC 10 AND 1
SELECT NULL NOT IN (1), 1 NOT IN (NULL), 1 IN (NULL::int), NULL::int IN (NULL)
SELECT 1 IN (1.0, 2), 1::bigint IN (1, 2), 'abc'::varchar IN ('abc'), true IN (NULL, true)
SELECT CASE WHEN 1 = 1 THEN NULL ELSE 'a' END, CASE WHEN true THEN 1 WHEN false THEN 2::bigint END, CASE WHEN true THEN 1.5 ELSE 2::float8 END
SELECT CASE WHEN true THEN '{"a":1}'::jsonb ELSE '[]' END, CASE WHEN true THEN ARRAY[1] ELSE '{2}' END
SELECT CASE WHEN true THEN 1 ELSE true END
SELECT CASE WHEN 'x' THEN 1 END
SELECT CASE 1 WHEN 2 THEN 'two' WHEN 1 THEN 'one' END, CASE 'b' WHEN 'a' THEN 1 WHEN 'b' THEN 2 ELSE 3 END
SELECT CASE WHEN 1/1 = 1 THEN 'ok' ELSE (1/0)::text END
SELECT CASE END
SELECT ARRAY[1, 2] || 3
SELECT ARRAY['a', NULL, 'c'], ARRAY[true, false], ARRAY[1.5, 2], ARRAY['{"a":1}'::jsonb], ARRAY[now() IS NOT NULL]
SELECT ARRAY[ARRAY[1, 2], ARRAY[3, 4]] = ARRAY[[1, 2], [3, 4]], ARRAY[[1,2],[3,4]]::text
SELECT ARRAY[1, 2]::text, ARRAY['a b', 'c"d', NULL]::text, ARRAY[1,2]::bigint[], ARRAY['1','2']::int[]
SELECT ARRAY[[1]] = ARRAY[1], ARRAY[1, 2] <> ARRAY[2, 1], ARRAY[1, 2] >= ARRAY[1, 2], ARRAY['b'] > ARRAY['a', 'z'], ARRAY[NULL::int] > ARRAY[1]
SELECT 'a' = ANY (ARRAY['a', NULL]), 'b' = ANY (ARRAY['a', NULL]), 'b' <> ALL (ARRAY['a', NULL]), 'a' <> ALL (ARRAY['a', NULL]), 2 > ANY (ARRAY[1, 3]), 2 > ALL (ARRAY[1, 3])
SELECT 1 = ANY (NULL::int[]), 1 = ALL (NULL::int[]), 1 = ANY ('{}'::int[]), 'x' = SOME (ARRAY['x'])
SELECT 1 = ANY (ARRAY['a'])
SELECT 1 + ANY (ARRAY[1])
SELECT 'abc' ~ ANY (ARRAY['^x', 'c$']), 'abc' ILIKE ANY (ARRAY['A%']), 'abc' NOT LIKE ALL (ARRAY['x%', 'y%'])
SELECT (ARRAY['a', 'b', 'c'])[2:2], (ARRAY['a', 'b', 'c'])[0], (ARRAY['a', 'b', 'c'])[-1:2], (ARRAY['a','b','c'])[2:100], (ARRAY[['a','b'],['c','d']])[2:2][1:2]
SELECT (ARRAY[[1,2],[3,4]])[1][1:2]
SELECT ('{{1,2},{3,4}}'::int[])[2], ('{{1,2},{3,4}}'::int[])[2][2], (ARRAY[1,2,3])[1.5], (ARRAY[1,2,3])[2::bigint]
SELECT ('{"a":[1,2]}'::jsonb)['a']
SELECT array_length('{}'::int[], 1), array_length(ARRAY[[1,2,3],[4,5,6]], 2), cardinality('{}'::text[]), array_ndims('{}'::int[]), array_upper(ARRAY[1,2], 1), array_lower(ARRAY[1,2], 1)
SELECT array_to_string(ARRAY[1.5, 2], '-'), array_to_string(ARRAY[[1,2],[3,4]], ','), array_to_string(NULL::int[], ','), array_to_string(ARRAY['a'], NULL), array_to_string(ARRAY['a', NULL, 'b'], ',', NULL)
SELECT string_to_array('a b c', ' '), string_to_array('a||b', '|'), string_to_array('abc', ''), string_to_array(NULL, ','), string_to_array('a,NULL', ',', 'NULL')
SELECT array_position(ARRAY['a', NULL], NULL), array_position(NULL::int[], 1), array_positions(ARRAY[1, 2, 1], 1), array_remove(ARRAY[1, 2, 1], 1), array_replace(ARRAY[1, 2, 1], 1, 9)
SELECT array_cat(NULL::int[], ARRAY[1]), array_cat(ARRAY[[1, 2]], ARRAY[3, 4]), array_append(NULL::int[], 1), array_prepend(1, NULL::int[]), array_cat(ARRAY[1], NULL)
SELECT array_position(ARRAY[1], 'x'::text)
SELECT array_cat(ARRAY[1], ARRAY['a'])
SELECT array_length(1, 1)
SELECT ARRAY[1, 2] @> ARRAY[1], ARRAY[1, 2] <@ ARRAY[1], ARRAY[1, 2] && ARRAY[2, 3], ARRAY[1, NULL] @> ARRAY[NULL::int], ARRAY['a'] && '{b}'
SELECT 'abc' COLLATE "C" < 'abd', 'B' < 'a' COLLATE "C", 'abc' COLLATE "POSIX" = 'abc', 'x' COLLATE ucs_basic
SELECT 'a' COLLATE "C" COLLATE "POSIX"
SELECT 'a' COLLATE pg_catalog."default", 'a' COLLATE public."C"
SELECT 1 OPERATOR(pg_catalog.<) 2, 'ab' OPERATOR(pg_catalog.~~) 'a%', '{"a":1}'::jsonb OPERATOR(pg_catalog.->>) 'a', 3 OPERATOR(pg_catalog.-) 1, 1 OPERATOR(=) 1
SELECT 1 OPERATOR(pg_catalog.=) 1 AND true, 2 OPERATOR(pg_catalog.*) 3 + 1
SELECT pg_catalog.upper('a'), pg_catalog.concat('a', 1), pg_catalog.now() IS NOT NULL, public.lower('A')
SELECT 'a'::pg_catalog.varchar, '1'::pg_catalog.int4 + 1, CAST('t' AS pg_catalog.bool), '{1}'::pg_catalog.int4[]
SELECT 'abc' LIKE '%', '' LIKE '%', '' LIKE '_', 'a_c' LIKE 'a\_c', 'abc' LIKE 'a\_c', 'a\c' LIKE 'a\\c', 'ABC' ILIKE '%b%', 'äbc' ILIKE 'Ä%'
SELECT 'a' || E'\n' || 'b' LIKE 'a_b', E'a\nb' ~ 'a.b', E'ab\n' ~ 'b$'
SELECT 'foo' ~ 'o{2}', 'abc' ~ '(?i)B', 'ab' ~ '[[:upper:]]', 'aB' ~ '[[:upper:]]', 'a b' ~ '[[:space:]]', 'a1' ~ '\d', 'a_' ~ '^\w+$'
SELECT 'abc' ~ '*'
SELECT 'abc' ~ 'a)'
SELECT 'abc' ~ NULL, NULL ~ 'a', 'abc' SIMILAR TO NULL
SELECT 'abc' ~ 1
SELECT 1 ~ 'a'
SELECT 'a' ~~ 1
SELECT 'abc' SIMILAR TO 'a_c', 'abc' SIMILAR TO '%(b|x)%', 'abc' SIMILAR TO 'ab', 'a|c' SIMILAR TO 'a#|c' ESCAPE '#', 'xyz' SIMILAR TO '[x-z]+'
SELECT 1 IS DISTINCT FROM 1.0, 'a' IS DISTINCT FROM 'b', '{"a":1}'::jsonb IS NOT DISTINCT FROM '{"a":1.0}', ARRAY[1] IS DISTINCT FROM ARRAY[1], NULL::int IS NOT DISTINCT FROM 1
SELECT 1 IS DISTINCT FROM 'a'
SELECT 1 IS DISTINCT FROM 'a'::text
SELECT '"b"'::jsonb > '"a"'::jsonb, '"aa"'::jsonb > '"b"'::jsonb, '10'::jsonb > '9'::jsonb, 'false'::jsonb < 'true'::jsonb, '[1,2]'::jsonb < '[1,3]'::jsonb, '[1,2,3]'::jsonb > '[9]'::jsonb, '{"a":1}'::jsonb < '{"a":1,"b":1}'::jsonb
SELECT '{"a":{"b":1}}'::jsonb > '{"a":{"b":0}}'::jsonb, '{"b":2}'::jsonb > '{"a":3}'::jsonb, '[]'::jsonb < '{}'::jsonb, '[]'::jsonb < '"x"'::jsonb, '[[]]'::jsonb > '[1]'::jsonb, '1'::jsonb < '[0]'::jsonb
SELECT '{"a":1}'::jsonb <= '{"a":1}', '1'::jsonb >= '1.0', '[null]'::jsonb < '["a"]'
SELECT GREATEST('1'::jsonb, '"z"'::jsonb, '[]'::jsonb), LEAST('[]'::jsonb, 'null'::jsonb, '{}'::jsonb)
SELECT '1'::json < '2'::json
SELECT ARRAY[1] || ARRAY[2, 3], 0 || ARRAY[1], ARRAY['a'] || 'b'::text, ARRAY[[1]] || ARRAY[2], ('{"a":[1,{"b":2}]}'::jsonb)['a'][1]['b'], ('[1,2]'::jsonb)[5], ('{"a":1}'::jsonb)[NULL::text]
INSERT INTO actors VALUES ('u:1', 'user', '{"balance": 10, "tags": ["a", "b"]}'), ('u:2', 'user', '{"balance": 5}'), ('g:1', 'group', '[]'), ('g:2', 'group', 'null'), ('x:1', 'thing', NULL), ('x:2', 'thing', '"text"'), ('x:3', 'thing', '7'), ('x:4', 'thing', '{}'), ('x:5', 'thing', '[1, 2]'), ('x:6', 'thing', 'true')
SELECT actor_id, state FROM actors ORDER BY state, actor_id
SELECT actor_id FROM actors ORDER BY state DESC NULLS LAST, actor_id
SELECT actor_id FROM actors ORDER BY state NULLS FIRST, actor_id DESC
SELECT actor_id FROM actors WHERE state = '{}' ORDER BY actor_id
SELECT actor_id FROM actors WHERE state < '[1]' ORDER BY actor_id
SELECT actor_id FROM actors WHERE state > '7' ORDER BY actor_id
SELECT actor_id FROM actors WHERE actor_type IN ('user', 'group') ORDER BY actor_id
SELECT actor_id FROM actors WHERE actor_id NOT IN ('u:1', 'g:1') ORDER BY 1
SELECT actor_id FROM actors WHERE actor_id LIKE 'u:%' ORDER BY 1
SELECT actor_id FROM actors WHERE actor_id ~ '^x:[2-4]$' ORDER BY 1
SELECT actor_id FROM actors WHERE actor_id BETWEEN 'g' AND 'u' ORDER BY 1
SELECT actor_id, CASE WHEN state ? 'balance' THEN (state->>'balance')::int ELSE 0 END AS bal FROM actors ORDER BY bal DESC, actor_id
SELECT actor_id, CASE actor_type WHEN 'user' THEN 'U' WHEN 'group' THEN 'G' ELSE '?' END FROM actors ORDER BY 2, 1
SELECT actor_id FROM actors WHERE actor_type = ANY (ARRAY['user', 'thing']) ORDER BY actor_id DESC
SELECT actor_id FROM actors WHERE actor_id = ANY ('{u:1,x:3}') ORDER BY 1
SELECT ARRAY[actor_id, actor_type] FROM actors ORDER BY 1
SELECT (ARRAY[actor_id, actor_type])[2] AS t FROM actors ORDER BY t, 1
SELECT actor_id FROM actors ORDER BY ARRAY[actor_type, actor_id] DESC
SELECT actor_id, state->'tags' FROM actors WHERE state IS DISTINCT FROM NULL ORDER BY state->'tags', actor_id
SELECT actor_id FROM actors WHERE actor_id ILIKE 'U%' AND actor_type NOT LIKE 'g%' ORDER BY 1
SELECT actor_id FROM actors WHERE actor_type ~* 'USER' ORDER BY actor_id COLLATE "C"
SELECT actor_id FROM actors WHERE actor_id LIKE 'u' || '%' ORDER BY 1
SELECT actor_id FROM actors WHERE actor_type OPERATOR(pg_catalog.~) '^(user)$' COLLATE pg_catalog.default ORDER BY 1
SELECT max(state), min(state) FROM actors
SELECT actor_id FROM actors ORDER BY state->'balance' NULLS FIRST, actor_id
SELECT 1 ~~ 2
SELECT now() IN (now()), true IN (false, true), 1.5 IN (1, 1.5)
SELECT 'a' ~ 'a{2,', 'a' ~ '\d'
SELECT NOT 1 BETWEEN 2 AND 3, 1 + 1 BETWEEN 1 AND 2 AND true
SELECT 2 BETWEEN 1 AND 3 IS TRUE
SELECT CASE WHEN NULL THEN 1 WHEN true THEN 2 END, CASE WHEN 1 > 0 THEN 'x' END || 'y'
SELECT CASE 1 WHEN 'a' THEN 1 END
SELECT CASE 1 WHEN 1.0 THEN 'num' END, CASE 1 WHEN NULL THEN 'n' ELSE 'e' END
SELECT COALESCE(NULL, ARRAY[1]), GREATEST('{"a":1}'::jsonb, '[1]'::jsonb), LEAST(ARRAY[1,2], ARRAY[1])
SELECT 1 = ANY ($1)
SELECT x FROM actors
SELECT 'abc' LIKE 'a' ESCAPE NULL, 'ab' SIMILAR TO 'a' ESCAPE 'x'
SELECT ARRAY[1,2][1]
SELECT (ARRAY['a','b'])['1'], (ARRAY['a','b'])[1.6]
SELECT (ARRAY['a','b'])['x']
SELECT (ARRAY['a','b'])[true]
SELECT ARRAY[ARRAY[1,2], ARRAY[3,4]], ARRAY[ARRAY['a']], ARRAY[NULL], ARRAY[NULL, 'a']
SELECT '{1,2}'::int[] = '{1,2}', '{1,2}'::int[] @> '{1}'
SELECT actor_id, actor_id LIKE 'x%' AS is_x FROM actors ORDER BY is_x, actor_id DESC
SELECT actor_id FROM actors ORDER BY (state->>'balance')::numeric DESC NULLS LAST, actor_id
SELECT actor_id FROM actors ORDER BY jsonb_typeof(state) NULLS FIRST, state DESC
SELECT actor_id FROM actors WHERE state->'tags' ? 'a' OR state @> '[1]' ORDER BY 1
SELECT actor_id, ARRAY[actor_id]::text[] || actor_type FROM actors WHERE actor_id IN ('u:1', 'u:2') ORDER BY 2 DESC
SELECT actor_id FROM actors WHERE actor_id = ANY (string_to_array('u:1,x:2', ',')) ORDER BY 1
SELECT actor_id FROM actors WHERE split_part(actor_id, ':', 2)::int BETWEEN 2 AND 4 ORDER BY 1
SELECT actor_id, CASE jsonb_typeof(state) WHEN 'object' THEN 'obj' WHEN 'array' THEN 'arr' END FROM actors ORDER BY 2 NULLS FIRST, 1
SELECT upper(actor_type) COLLATE "C" AS t FROM actors WHERE actor_type NOT IN ('thing') ORDER BY t COLLATE "C", actor_id
SELECT actor_id FROM actors WHERE actor_id !~ '^[gx]' AND actor_type !~~ 'g%' ORDER BY 1
SELECT actor_id FROM actors WHERE state IS NOT DISTINCT FROM '{}' OR state = '[]' ORDER BY 1
SELECT actor_id FROM actors WHERE actor_id SIMILAR TO '(u|g):1' ORDER BY 1
SELECT regexp_replace(actor_id, '^(\w):(\d)$', '\2-\1') AS r FROM actors ORDER BY r
SELECT actor_id FROM actors WHERE actor_type LIKE ANY ('{gr%,us%}') ORDER BY actor_id
SELECT actor_id FROM actors ORDER BY actor_id COLLATE "C" DESC LIMIT 3
SELECT greatest(state, '{}') FROM actors WHERE actor_id = 'u:2'
SELECT to_char('2024-03-05 14:07:09.123456'::timestamp, 'YYYY-MM-DD HH24:MI:SS'), to_char('2024-03-05 14:07:09.123456'::timestamp, 'HH12:MI AM, Dy DD Mon YYYY'), to_char('2024-03-05 04:07:09'::timestamp, 'FMHH12 pm FMMonth FMDDth')
SELECT to_char('2024-03-05 14:07:09.123456'::timestamptz, 'YYYY-MM-DD"T"HH24:MI:SS.US TZ OF'), to_char('2024-12-31'::timestamp, 'Month|Day|MON|DAY|month|day|Q|WW|IW|IYYY|DDD|D|ID|CC|J|W|RM|MS')
SELECT to_char('2024-03-21'::timestamp, 'DDth DDTH FMDDth \Y "quoted YYYY"'), to_char('2024-03-22'::timestamp, ''), to_char(NULL::timestamp, 'YYYY'), to_char('2001-01-01'::timestamp, 'Y,YYY YYY YY Y SSSS')
SELECT to_char(1.5, 'x'::text, 1)
SELECT to_char(now(), 'YYYY') = EXTRACT(year FROM now())::text
SELECT (ARRAY[1,2,3])[2:2][1:1], (ARRAY[1,2,3])[1:0]
SELECT 'a' SIMILAR TO 'a\'
SELECT 'abc' ~ 'a\'
SELECT 'abc' ~ '\q'
SELECT 'abc' ~ '[[:foo:]]'
SELECT 'a.b' SIMILAR TO 'a.b', 'ab' SIMILAR TO 'a*b', 'a+' SIMILAR TO 'a\+', 'ab' SIMILAR TO '[a-b]{2}'
SELECT 'aaa' ~ '^a{1,2}$', 'aa' ~ '^a{1,2}$', 'x' ~ 'x{,2}'
SELECT regexp_replace('a.b.c', '\.', '-', 'g'), regexp_replace('hello', '(l+)', '<\1>'), regexp_replace('abc', '', 'x'), regexp_match('abc', '(a)|(z)')
SELECT split_part('a--b--c', '--', 2), lpad('abc', 6, '12'), rpad('abc', 2), initcap('ÉCOLE élan'), translate('aaa', 'a', ''), repeat('', 5), reverse(''), chr(1114111) = chr(1114111)
SELECT chr(-1)
SELECT chr(1114112)
SELECT ascii('é'), chr(233) = 'é', length(chr(128512))
SELECT actor_id FROM actors ORDER BY state::json
SELECT GREATEST('1'::json, '2'::json)
SELECT '{"b":1, "a":[1,2]}'::jsonb::json, '{"b":1,  "a":2, "b":3}'::json::jsonb, NULL::jsonb::json
