-- groupby.sql -- db-benchmark's group-by questions q1..q10 on G1 in DuckDB: the queries are
-- db-benchmark's DuckDB solution (CREATE TABLE ans AS ...); the checks match groupby.lp's.
-- Variables: G1, OUT.

-- @ step g1_load
CREATE OR REPLACE TABLE x AS SELECT * FROM read_csv('${G1}', header = true);
-- @ check g1_load
COPY (SELECT count(*), count(DISTINCT id1), count(DISTINCT id3), sum(id4), sum(id6), sum(v1), sum(v2), sum(v3) FROM x)
TO '${OUT}/g1_load.csv' (HEADER);

-- @ step g1_q1
CREATE OR REPLACE TABLE ans AS SELECT id1, sum(v1) AS v1 FROM x GROUP BY id1;
-- @ check g1_q1
COPY ans TO '${OUT}/g1_q1.csv' (HEADER);

-- @ step g1_q2
CREATE OR REPLACE TABLE ans AS SELECT id1, id2, sum(v1) AS v1 FROM x GROUP BY id1, id2;
-- @ check g1_q2
COPY ans TO '${OUT}/g1_q2.csv' (HEADER);

-- @ step g1_q3
CREATE OR REPLACE TABLE ans AS SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM x GROUP BY id3;
-- @ check g1_q3
COPY (SELECT count(*), sum(v1), sum(v3) FROM ans) TO '${OUT}/g1_q3.csv' (HEADER);

-- @ step g1_q4
CREATE OR REPLACE TABLE ans AS SELECT id4, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM x GROUP BY id4;
-- @ check g1_q4
COPY ans TO '${OUT}/g1_q4.csv' (HEADER);

-- @ step g1_q5
CREATE OR REPLACE TABLE ans AS SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM x GROUP BY id6;
-- @ check g1_q5
COPY (SELECT count(*), sum(v1), sum(v2), sum(v3) FROM ans) TO '${OUT}/g1_q5.csv' (HEADER);

-- @ step g1_q6
CREATE OR REPLACE TABLE ans AS
SELECT id4, id5, quantile_cont(v3, 0.5) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5;
-- @ check g1_q6
COPY ans TO '${OUT}/g1_q6.csv' (HEADER);

-- @ step g1_q7
CREATE OR REPLACE TABLE ans AS SELECT id3, max(v1) - min(v2) AS range_v1_v2 FROM x GROUP BY id3;
-- @ check g1_q7
COPY (SELECT count(*), sum(range_v1_v2) FROM ans) TO '${OUT}/g1_q7.csv' (HEADER);

-- @ step g1_q8
CREATE OR REPLACE TABLE ans AS
SELECT id6, v3 AS largest2_v3
FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 ORDER BY v3 DESC) AS order_v3
      FROM x WHERE v3 IS NOT NULL) sub_query
WHERE order_v3 <= 2;
-- @ check g1_q8
COPY (SELECT count(*), sum(largest2_v3) FROM ans) TO '${OUT}/g1_q8.csv' (HEADER);

-- @ step g1_q9
CREATE OR REPLACE TABLE ans AS SELECT id2, id4, pow(corr(v1, v2), 2) AS r2 FROM x GROUP BY id2, id4;
-- @ check g1_q9
COPY ans TO '${OUT}/g1_q9.csv' (HEADER);

-- @ step g1_q10
CREATE OR REPLACE TABLE ans AS
SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count
FROM x GROUP BY id1, id2, id3, id4, id5, id6;
-- @ check g1_q10
COPY (SELECT count(*), sum(v3), sum(count) FROM ans) TO '${OUT}/g1_q10.csv' (HEADER);
