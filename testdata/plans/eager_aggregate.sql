CREATE TABLE sales AS SELECT g AS id, g % 1000 AS cust, g % 3650 AS day, (g % 97)::numeric(10,2) AS amount, (g % 7)::float8 AS f FROM generate_series(1, 100000) g;
CREATE TABLE cust AS SELECT g AS c_id, 'name' || g AS c_name, 'nation' || (g % 25) AS c_nation FROM generate_series(0, 999) g;
CREATE TABLE days AS SELECT g AS d_id, 2000 + g / 365 AS d_year, g % 12 + 1 AS d_moy, 'q' || (g % 4) AS d_q FROM generate_series(0, 3649) g;
ANALYZE sales;
ANALYZE cust;
ANALYZE days;
-- queries
SELECT c_name, d_year, sum(amount), count(*), count(amount), min(amount), max(id) FROM sales, cust, days WHERE c_id = cust AND d_id = day GROUP BY c_name, d_year

SELECT c_nation, sum(amount) FROM sales JOIN cust ON c_id = cust GROUP BY c_nation HAVING sum(amount) > 10

SELECT c_name, avg(amount) FROM sales JOIN cust ON c_id = cust GROUP BY c_name

SELECT c_name, sum(f) FROM sales JOIN cust ON c_id = cust GROUP BY c_name

SELECT c_name, count(DISTINCT day) FROM sales JOIN cust ON c_id = cust GROUP BY c_name

SELECT c_name, sum(amount) FROM sales LEFT JOIN cust ON c_id = cust GROUP BY c_name

SELECT c_name || d_q, sum(amount) FROM sales, cust, days WHERE c_id = cust AND d_id = day GROUP BY c_name || d_q

SELECT c_name, id, day, amount, sum(amount) FROM sales JOIN cust ON c_id = cust GROUP BY c_name, id, day, amount

SELECT c_name, d_q, sum(amount) FROM sales, cust, days WHERE c_id = cust AND d_id = day GROUP BY c_name, d_q

SELECT c_name, day, sum(amount) FROM sales JOIN cust ON c_id = cust GROUP BY c_name, day
