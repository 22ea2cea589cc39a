CREATE TABLE o (ok int, ck int, price int);
CREATE TABLE l (lk int, qty int);
CREATE TABLE c (ck int, name text);
-- queries
SELECT c.name, o.ok FROM c, o, l WHERE c.ck = o.ck AND o.ok = l.lk AND o.ok IN (SELECT lk FROM l GROUP BY lk HAVING sum(qty) > 300)

SELECT c.name FROM c JOIN o ON c.ck = o.ck WHERE NOT EXISTS (SELECT 1 FROM l WHERE l.lk = o.ok)

SELECT c.name FROM c JOIN o ON c.ck = o.ck WHERE o.ok NOT IN (SELECT lk FROM l)

SELECT c.name FROM c LEFT JOIN o ON c.ck = o.ck WHERE o.ok IN (SELECT lk FROM l)

SELECT c.name FROM c JOIN o ON c.ck = o.ck WHERE EXISTS (SELECT 1 FROM l WHERE l.lk = o.ok AND l.qty > c.ck)

SELECT c.name FROM c JOIN o ON c.ck = o.ck WHERE c.name = 'x' AND EXISTS (SELECT 1 FROM l WHERE l.lk = o.ok)
