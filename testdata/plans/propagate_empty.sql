CREATE TABLE a (k integer, v text);
CREATE TABLE b (k integer, w text);
-- queries
SELECT a.k, b.w FROM a JOIN b ON a.k = b.k WHERE false

SELECT k / 0 FROM a WHERE k > NULL::integer

SELECT a.k, b.w FROM a LEFT JOIN (SELECT * FROM b WHERE 1 = 0) b ON a.k = b.k

SELECT a.k FROM a WHERE a.k IN (SELECT k FROM b WHERE false)

SELECT k, count(*) FROM a WHERE false GROUP BY k ORDER BY k LIMIT 3

SELECT count(*) FROM a WHERE false

SELECT k, count(*) FROM a WHERE false GROUP BY ROLLUP(k)
