CREATE TABLE t (k int, v int);
-- queries
WITH s AS (SELECT k, sum(v) AS total FROM t GROUP BY k) SELECT k FROM s WHERE total > 3

WITH s AS (SELECT k, sum(v) AS total FROM t GROUP BY k) SELECT k FROM s WHERE total = (SELECT max(total) FROM s)

WITH s AS (SELECT k, v FROM t WHERE v > 1), u AS (SELECT k FROM s) SELECT * FROM u, s WHERE u.k = s.k
