CREATE TABLE w (a integer, b text, c double precision, d date);
-- queries
SELECT count(*) FROM w

SELECT b FROM w WHERE c > 1

SELECT s.a FROM (SELECT a, upper(b) AS ub, c * 2 AS c2 FROM w) s

SELECT DISTINCT a FROM w
