-- numeric literals at and past numeric's range: 22003 where the literal stands, never a dropped connection
SELECT 1e399999999999999999999
SELECT 1e131072
SELECT 1e-16383 = 0, 1e-16384
SELECT length((1e131071)::text), length((1e-16383)::text)
SELECT pg_typeof(123456789012345678901234567890), 123456789012345678901234567890 + 1
SELECT pg_typeof(9223372036854775807), pg_typeof(9223372036854775808), pg_typeof(2147483648)
SELECT 0e-16384
SELECT 1.5e3, 1e0, 2.50e-1
-- A minus folds into the constant it precedes (gram.y's doNegate): typed by the negated value.
SELECT -2147483648, pg_typeof(-2147483648), pg_typeof(- 2147483648), pg_typeof(-(2147483648)), pg_typeof(-2147483649)
SELECT -9223372036854775808, pg_typeof(-9223372036854775808), pg_typeof(-9223372036854775809), pg_typeof(-5), pg_typeof(-2.5), - -2147483648
SELECT -2147483649, pg_typeof(-2147483649), -2147483648 - 1
SELECT -2147483648 AS a, pg_typeof(-2147483648) AS t
SELECT -2147483649 AS a, pg_typeof(-2147483649) AS t
SELECT -2147483648 AS a, pg_typeof(-2147483648) AS t
SELECT -7 AS a, pg_typeof(-7) AS t
