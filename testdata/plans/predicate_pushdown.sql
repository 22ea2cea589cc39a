CREATE TABLE a (id integer, x text);
CREATE TABLE b (id integer, y text);
-- queries
SELECT * FROM a, b WHERE a.id = b.id AND a.x = 'k' AND b.y > 'm'

SELECT * FROM a LEFT JOIN b ON a.id = b.id WHERE b.y = 'z'

SELECT * FROM a LEFT JOIN b ON a.id = b.id AND b.y = 'z' WHERE a.x IS NULL

SELECT * FROM (SELECT id, x || '!' AS x2 FROM a) s WHERE s.id > 3 AND s.x2 = 'q!'

SELECT id, count(*) FROM a GROUP BY id HAVING id > 2 AND count(*) > 1

SELECT * FROM a FULL JOIN b ON a.id = b.id WHERE a.id = 1

SELECT * FROM a, b WHERE a.id = b.id AND ((a.x = 'p' AND b.y = 'q') OR (a.x = 'q' AND b.y = 'p' AND b.id > 3))

SELECT * FROM a, b WHERE a.id = b.id AND ((a.x = 'p' AND b.y = 'q') OR b.y = 'z')
