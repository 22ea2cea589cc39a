CREATE TABLE part (p_partkey integer, p_name text);
CREATE TABLE supplier (s_suppkey integer, s_name text);
CREATE TABLE lineitem (l_partkey integer, l_suppkey integer, l_qty integer);
-- queries
SELECT p_name, s_name FROM part, supplier, lineitem WHERE p_partkey = l_partkey AND s_suppkey = l_suppkey

SELECT count(*) FROM part, supplier WHERE p_name = 'x'
