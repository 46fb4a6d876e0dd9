-- numeric literals at and past numeric's range: 22003 where the literal stands, never a dropped connection
SELECT 1e399999999999999999999
SELECT 1e131072
SELECT 1e-16383 = 0, 1e-16384
SELECT length((1e131071)::text), length((1e-16383)::text)
SELECT pg_typeof(123456789012345678901234567890), 123456789012345678901234567890 + 1
SELECT pg_typeof(9223372036854775807), pg_typeof(9223372036854775808), pg_typeof(2147483648)
SELECT 0e-16384
SELECT 1.5e3, 1e0, 2.50e-1
