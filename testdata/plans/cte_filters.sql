CREATE TABLE s (id int, yr int, kind text, amount numeric(10,2));
CREATE TABLE t (id int, yr int, amount numeric(10,2));
-- queries
WITH y AS (SELECT yr, kind, sum(amount) AS total FROM s GROUP BY yr, kind) SELECT a.kind, a.total, b.total FROM y a JOIN y b ON a.kind = b.kind WHERE a.yr = 2001 AND b.yr = 2002

WITH y AS (SELECT yr, kind, sum(amount) AS total FROM s GROUP BY yr, kind) SELECT a.kind, a.total, b.total FROM y a JOIN y b ON a.kind = b.kind WHERE a.yr = 2001

WITH y AS (SELECT yr, kind, sum(amount) AS total FROM s GROUP BY yr, kind) SELECT a.kind FROM y a JOIN y b ON a.kind = b.kind WHERE (a.yr = 2001 AND a.total > 0) AND b.yr = 2002

WITH u AS (SELECT yr, amount FROM s UNION ALL SELECT yr, amount FROM t) SELECT count(*) FROM u a, u b WHERE a.yr = 2001 AND b.yr = 2002 AND a.amount = b.amount

SELECT yr FROM (SELECT yr FROM s INTERSECT SELECT yr FROM t) x WHERE yr > 2000

SELECT yr FROM (SELECT yr FROM s EXCEPT SELECT yr FROM t) x WHERE yr > 2000
