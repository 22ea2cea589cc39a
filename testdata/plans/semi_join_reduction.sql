CREATE TABLE part (p_partkey integer, p_brand text);
CREATE TABLE lineitem (l_partkey integer, l_quantity integer, l_price integer);
-- queries
SELECT sum(l_price) FROM lineitem, part WHERE p_partkey = l_partkey AND p_brand = 'b' AND l_quantity < (SELECT 0.2 * avg(l_quantity) FROM lineitem WHERE l_partkey = p_partkey)

SELECT sum(l_price) FROM lineitem, part WHERE p_partkey = l_partkey AND l_quantity < (SELECT 0.2 * avg(l_quantity) FROM lineitem WHERE l_partkey = p_partkey)
