CREATE TABLE t (d date, n numeric(15,2), i int, s smallint);
-- queries
SELECT * FROM t WHERE d < DATE '1995-01-01' + interval '1' year

SELECT * FROM t WHERE d >= TIMESTAMP '1995-01-01 12:00:00' AND d < TIMESTAMP '1995-03-01 00:00:01'

SELECT * FROM t WHERE n >= 0.06 - 0.01 AND n < 24 AND 0.5 > n

SELECT * FROM t WHERE n = 0.055

SELECT * FROM t WHERE i = 2.5 OR i < 10.0

SELECT * FROM t WHERE s = 100000
