-- lakeq quickstart: builds a small sample table from generated data and queries it.
DROP TABLE IF EXISTS sample_orders;
CREATE TABLE sample_orders AS
SELECT i AS order_id,
       (ARRAY['north','south','east','west'])[1 + i % 4] AS region,
       DATE '2024-01-01' + (i % 366) AS order_date,
       round((i * 37 % 1000)::numeric / 7, 2) AS amount
FROM generate_series(1, 10000) AS g(i);

SELECT region,
       count(*) AS orders,
       sum(amount) AS revenue,
       round(avg(amount), 2) AS avg_amount,
       min(order_date) AS first_order,
       max(order_date) AS last_order
FROM sample_orders
GROUP BY region
ORDER BY revenue DESC;
