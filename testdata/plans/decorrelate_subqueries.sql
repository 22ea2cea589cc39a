CREATE TABLE o (id integer, cust integer, amount integer);
CREATE TABLE c (cust integer, name text);
-- queries
SELECT name FROM c WHERE EXISTS (SELECT 1 FROM o WHERE o.cust = c.cust AND amount > 5)

SELECT name FROM c WHERE NOT EXISTS (SELECT 1 FROM o WHERE o.cust = c.cust)

SELECT id FROM o WHERE cust IN (SELECT cust FROM c WHERE name LIKE 'a%')

SELECT id FROM o WHERE cust NOT IN (SELECT cust FROM c)

SELECT id FROM o o1 WHERE amount > (SELECT avg(amount) FROM o o2 WHERE o2.cust = o1.cust)

SELECT name, (SELECT count(*) FROM o WHERE o.cust = c.cust) FROM c

SELECT id, cust IN (SELECT cust FROM c) FROM o

SELECT id, (SELECT count(*) FROM o x WHERE x.amount > o.amount) FROM o

SELECT name FROM c WHERE (SELECT count(*) FROM o WHERE (o.cust = c.cust AND amount > 5) OR (o.cust = c.cust AND id < 3)) > 0

SELECT name FROM c WHERE EXISTS (SELECT 1 FROM o WHERE (o.cust = c.cust AND amount > 5) OR (o.cust = c.cust AND id < 3))
