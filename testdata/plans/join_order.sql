CREATE TABLE part (p_partkey integer, p_name text);
CREATE TABLE supplier (s_suppkey integer, s_name text);
CREATE TABLE lineitem (l_partkey integer, l_suppkey integer, l_qty integer);
CREATE TABLE nation (n_nationkey integer, n_name text, n_regionkey integer);
CREATE TABLE region (r_regionkey integer, r_name text);
CREATE TABLE partsupp (ps_partkey integer, ps_suppkey integer);
CREATE TABLE supp (su_suppkey integer, su_nationkey integer);
-- queries
SELECT p_name, s_name FROM part, supplier, lineitem WHERE p_partkey = l_partkey AND s_suppkey = l_suppkey

SELECT count(*) FROM part, supplier WHERE p_name = 'x'

SELECT count(*) FROM partsupp, supp, nation, region WHERE ps_suppkey = su_suppkey AND su_nationkey = n_nationkey AND n_regionkey = r_regionkey AND r_name = 'EUROPE'

SELECT count(*) FROM supp, lineitem, supplier, nation n1, nation n2 WHERE su_suppkey = l_suppkey AND s_suppkey = l_suppkey AND su_nationkey = n1.n_nationkey AND s_suppkey = n2.n_nationkey AND ((n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY') OR (n1.n_name = 'GERMANY' AND n2.n_name = 'FRANCE'))
