-- Type selects read at once (issue 8, session 6): at most 100 rows between transactions in one step,
-- more rows, a transaction block or a row limit the general way. Rows go in in actor_id order.
-- actor_type is NOT NULL: a NULL compared to it (= NULL, a NULL parameter) finds no row; '' is a type like any.
INSERT INTO actors VALUES ('t1', 'type:1', '{"k": 1}'), ('t2', 'type:1', NULL), ('t3', '', '{"k": 3}'), ('t4', 'type:1', '[1, 2]'), ('t5', '', NULL), ('t6', 'type:2', '"s"'), ('t7', 'type:1', '{"k": 7, "a": {"b": null}}')
INSERT INTO actors VALUES ('m000', 'type:many', '{"i": 0}'), ('m001', 'type:many', '{"i": 1}'), ('m002', 'type:many', '{"i": 2}'), ('m003', 'type:many', '{"i": 3}'), ('m004', 'type:many', '{"i": 4}'), ('m005', 'type:many', '{"i": 5}'), ('m006', 'type:many', '{"i": 6}'), ('m007', 'type:many', '{"i": 7}'), ('m008', 'type:many', '{"i": 8}'), ('m009', 'type:many', '{"i": 9}'), ('m010', 'type:many', '{"i": 10}'), ('m011', 'type:many', '{"i": 11}'), ('m012', 'type:many', '{"i": 12}'), ('m013', 'type:many', '{"i": 13}'), ('m014', 'type:many', '{"i": 14}'), ('m015', 'type:many', '{"i": 15}'), ('m016', 'type:many', '{"i": 16}'), ('m017', 'type:many', '{"i": 17}'), ('m018', 'type:many', '{"i": 18}'), ('m019', 'type:many', '{"i": 19}'), ('m020', 'type:many', '{"i": 20}'), ('m021', 'type:many', '{"i": 21}'), ('m022', 'type:many', '{"i": 22}'), ('m023', 'type:many', '{"i": 23}'), ('m024', 'type:many', '{"i": 24}'), ('m025', 'type:many', '{"i": 25}'), ('m026', 'type:many', '{"i": 26}'), ('m027', 'type:many', '{"i": 27}'), ('m028', 'type:many', '{"i": 28}'), ('m029', 'type:many', '{"i": 29}'), ('m030', 'type:many', '{"i": 30}'), ('m031', 'type:many', '{"i": 31}'), ('m032', 'type:many', '{"i": 32}'), ('m033', 'type:many', '{"i": 33}'), ('m034', 'type:many', '{"i": 34}'), ('m035', 'type:many', '{"i": 35}'), ('m036', 'type:many', '{"i": 36}'), ('m037', 'type:many', '{"i": 37}'), ('m038', 'type:many', '{"i": 38}'), ('m039', 'type:many', '{"i": 39}'), ('m040', 'type:many', '{"i": 40}'), ('m041', 'type:many', '{"i": 41}'), ('m042', 'type:many', '{"i": 42}'), ('m043', 'type:many', '{"i": 43}'), ('m044', 'type:many', '{"i": 44}'), ('m045', 'type:many', '{"i": 45}'), ('m046', 'type:many', '{"i": 46}'), ('m047', 'type:many', '{"i": 47}'), ('m048', 'type:many', '{"i": 48}'), ('m049', 'type:many', '{"i": 49}'), ('m050', 'type:many', '{"i": 50}'), ('m051', 'type:many', '{"i": 51}'), ('m052', 'type:many', '{"i": 52}'), ('m053', 'type:many', '{"i": 53}'), ('m054', 'type:many', '{"i": 54}'), ('m055', 'type:many', '{"i": 55}'), ('m056', 'type:many', '{"i": 56}'), ('m057', 'type:many', '{"i": 57}'), ('m058', 'type:many', '{"i": 58}'), ('m059', 'type:many', '{"i": 59}'), ('m060', 'type:many', '{"i": 60}'), ('m061', 'type:many', '{"i": 61}'), ('m062', 'type:many', '{"i": 62}'), ('m063', 'type:many', '{"i": 63}'), ('m064', 'type:many', '{"i": 64}'), ('m065', 'type:many', '{"i": 65}'), ('m066', 'type:many', '{"i": 66}'), ('m067', 'type:many', '{"i": 67}'), ('m068', 'type:many', '{"i": 68}'), ('m069', 'type:many', '{"i": 69}'), ('m070', 'type:many', '{"i": 70}'), ('m071', 'type:many', '{"i": 71}'), ('m072', 'type:many', '{"i": 72}'), ('m073', 'type:many', '{"i": 73}'), ('m074', 'type:many', '{"i": 74}'), ('m075', 'type:many', '{"i": 75}'), ('m076', 'type:many', '{"i": 76}'), ('m077', 'type:many', '{"i": 77}'), ('m078', 'type:many', '{"i": 78}'), ('m079', 'type:many', '{"i": 79}'), ('m080', 'type:many', '{"i": 80}'), ('m081', 'type:many', '{"i": 81}'), ('m082', 'type:many', '{"i": 82}'), ('m083', 'type:many', '{"i": 83}'), ('m084', 'type:many', '{"i": 84}'), ('m085', 'type:many', '{"i": 85}'), ('m086', 'type:many', '{"i": 86}'), ('m087', 'type:many', '{"i": 87}'), ('m088', 'type:many', '{"i": 88}'), ('m089', 'type:many', '{"i": 89}'), ('m090', 'type:many', '{"i": 90}'), ('m091', 'type:many', '{"i": 91}'), ('m092', 'type:many', '{"i": 92}'), ('m093', 'type:many', '{"i": 93}'), ('m094', 'type:many', '{"i": 94}'), ('m095', 'type:many', '{"i": 95}'), ('m096', 'type:many', '{"i": 96}'), ('m097', 'type:many', '{"i": 97}'), ('m098', 'type:many', '{"i": 98}'), ('m099', 'type:many', '{"i": 99}'), ('m100', 'type:many', '{"i": 100}'), ('m101', 'type:many', '{"i": 101}'), ('m102', 'type:many', '{"i": 102}'), ('m103', 'type:many', '{"i": 103}'), ('m104', 'type:many', '{"i": 104}'), ('m105', 'type:many', '{"i": 105}'), ('m106', 'type:many', '{"i": 106}'), ('m107', 'type:many', '{"i": 107}'), ('m108', 'type:many', '{"i": 108}'), ('m109', 'type:many', '{"i": 109}'), ('m110', 'type:many', '{"i": 110}'), ('m111', 'type:many', '{"i": 111}'), ('m112', 'type:many', '{"i": 112}'), ('m113', 'type:many', '{"i": 113}'), ('m114', 'type:many', '{"i": 114}'), ('m115', 'type:many', '{"i": 115}'), ('m116', 'type:many', '{"i": 116}'), ('m117', 'type:many', '{"i": 117}'), ('m118', 'type:many', '{"i": 118}'), ('m119', 'type:many', '{"i": 119}')
SELECT * FROM actors WHERE actor_type = 'type:1' LIMIT 10
SELECT * FROM actors WHERE actor_type = 'type:1' LIMIT 1
SELECT * FROM actors WHERE actor_type = 'type:1' LIMIT 0
SELECT * FROM actors WHERE actor_type = 'type:2' LIMIT 10
SELECT * FROM actors WHERE actor_type = 'type:none' LIMIT 10
SELECT * FROM actors WHERE actor_type = NULL LIMIT 10
SELECT * FROM actors WHERE actor_type = '' LIMIT 10
SELECT * FROM actors WHERE actor_type = 'type:' || '1' LIMIT 10
SELECT actor_id, state FROM actors WHERE actor_type = 'type:1' ORDER BY actor_id LIMIT 3 OFFSET 1
SELECT actor_id FROM actors WHERE actor_type = 'type:1' LIMIT 2 OFFSET 3
SELECT actor_id FROM actors WHERE actor_type = 'type:1' LIMIT 10 OFFSET 10
SELECT state->>'k', actor_type FROM actors WHERE actor_type = 'type:1' ORDER BY actor_id LIMIT 10
-- the bound: 100 rows at once, 101 and LIMIT with OFFSET past it the general way
SELECT count(*) FROM (SELECT * FROM actors WHERE actor_type = 'type:many' LIMIT 100) s
SELECT * FROM actors WHERE actor_type = 'type:many' LIMIT 100
SELECT * FROM actors WHERE actor_type = 'type:many' LIMIT 101
SELECT actor_id FROM actors WHERE actor_type = 'type:many' ORDER BY actor_id LIMIT 5 OFFSET 98
SELECT actor_id FROM actors WHERE actor_type = 'type:many' LIMIT 200
SELECT actor_id FROM actors WHERE actor_type = 'type:many' LIMIT 3 OFFSET 118
-- prepared, as pgbench sends it
PREPARE ts(text) AS SELECT * FROM actors WHERE actor_type = 'type:' || $1 LIMIT 10
EXECUTE ts('1')
EXECUTE ts('2')
EXECUTE ts('none')
EXECUTE ts(NULL)
-- inside a block: the general way, seeing the block's own writes
BEGIN
SELECT * FROM actors WHERE actor_type = 'type:1' LIMIT 10
INSERT INTO actors VALUES ('t0', 'type:1', '{"k": 0}')
DELETE FROM actors WHERE actor_id = 't2'
SELECT * FROM actors WHERE actor_type = 'type:1' ORDER BY actor_id LIMIT 10
ROLLBACK
SELECT * FROM actors WHERE actor_type = 'type:1' ORDER BY actor_id LIMIT 10
-- after a committed type change and delete
UPDATE actors SET actor_type = 'type:2' WHERE actor_id = 't4'
DELETE FROM actors WHERE actor_id = 't7'
SELECT * FROM actors WHERE actor_type = 'type:1' ORDER BY actor_id LIMIT 10
SELECT * FROM actors WHERE actor_type = 'type:2' ORDER BY actor_id LIMIT 10
DEALLOCATE ts
