CREATE TABLE li (price numeric(15,2), disc numeric(15,2), tax numeric(15,2), flag text);
-- queries
SELECT flag, sum(price * (1 - disc)), sum(price * (1 - disc) * (1 + tax)), avg(disc) FROM li GROUP BY flag

SELECT sum(price + 1), sum(price + 1) FILTER (WHERE flag = 'a'), max(random() * price), max(random() * price) FROM li
