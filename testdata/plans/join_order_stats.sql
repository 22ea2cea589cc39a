CREATE TABLE sales AS SELECT g AS id, g % 1000 AS item, g % 50 AS store, g % 3650 AS day, (g % 97)::numeric(10,2) AS amount FROM generate_series(1, 100000) g;
CREATE TABLE item AS SELECT g AS i_id, 'cat' || (g % 10) AS i_category FROM generate_series(0, 999) g;
CREATE TABLE store AS SELECT g AS s_id, 'state' || (g % 5) AS s_state FROM generate_series(0, 49) g;
CREATE TABLE days AS SELECT g AS d_id, 2000 + g / 365 AS d_year, g % 12 + 1 AS d_moy FROM generate_series(0, 3649) g;
ANALYZE sales;
ANALYZE item;
ANALYZE store;
ANALYZE days;
-- queries
SELECT count(*) FROM store, sales, item, days WHERE s_id = store AND i_id = item AND d_id = day AND d_year = 2003 AND d_moy = 5 AND i_category = 'cat3'

SELECT count(*) FROM sales, item, days WHERE i_id = item AND d_id = day AND i_category = 'cat3'

SELECT s_state, sum(amount) FROM sales s1, store, days WHERE s_id = s1.store AND d_id = s1.day AND d_year BETWEEN 2001 AND 2002 GROUP BY s_state
