CREATE TABLE a (k integer, s text);
-- queries
SELECT k FROM a WHERE k > NULLIF((-NULL::integer), 1)

SELECT k FROM a WHERE 'x' NOT IN ('y', NULL)

SELECT k FROM a WHERE 'x' IN ('y', 'x') AND k > 1

SELECT CASE WHEN false THEN 1 / k WHEN 1 = 1 THEN k + 1 ELSE 0 END FROM a

SELECT k FROM a WHERE (1 = 2) OR (k > 3)

SELECT COALESCE(NULL::text, 'b') || s, CAST('5' AS integer) + k FROM a

SELECT random() > 2, k FROM a WHERE true AND k > 1
