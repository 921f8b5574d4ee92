-- join.sql -- db-benchmark's join questions q1..q5 on J1 in DuckDB (db-benchmark's DuckDB
-- solution's SQL); the checks match join.lp's. Variables: J1 (the tables' prefix), OUT.

-- @ step j1_load
CREATE OR REPLACE TABLE x AS SELECT * FROM read_csv('${J1}_x.csv', header = true);
CREATE OR REPLACE TABLE small AS SELECT * FROM read_csv('${J1}_small.csv', header = true);
CREATE OR REPLACE TABLE medium AS SELECT * FROM read_csv('${J1}_medium.csv', header = true);
CREATE OR REPLACE TABLE big AS SELECT * FROM read_csv('${J1}_big.csv', header = true);
-- @ check j1_load
COPY (SELECT count(*), sum(id1), sum(id3), sum(v1) FROM x
      UNION ALL SELECT count(*), sum(id1), sum(id3), sum(v2) FROM big
      UNION ALL SELECT count(*), sum(id1), sum(id2), sum(v2) FROM medium
      UNION ALL SELECT count(*), sum(id1), sum(id1), sum(v2) FROM small)
TO '${OUT}/j1_load.csv' (HEADER);

-- @ step j1_q1
CREATE OR REPLACE TABLE ans AS SELECT x.*, small.id4 AS small_id4, v2 FROM x JOIN small USING (id1);
-- @ check j1_q1
COPY (SELECT count(*), sum(v1), sum(v2) FROM ans) TO '${OUT}/j1_q1.csv' (HEADER);

-- @ step j1_q2
CREATE OR REPLACE TABLE ans AS
SELECT x.*, medium.id1 AS medium_id1, medium.id4 AS medium_id4, medium.id5 AS medium_id5, v2
FROM x JOIN medium USING (id2);
-- @ check j1_q2
COPY (SELECT count(*), sum(v1), sum(v2) FROM ans) TO '${OUT}/j1_q2.csv' (HEADER);

-- @ step j1_q3
CREATE OR REPLACE TABLE ans AS
SELECT x.*, medium.id1 AS medium_id1, medium.id4 AS medium_id4, medium.id5 AS medium_id5, v2
FROM x LEFT JOIN medium USING (id2);
-- @ check j1_q3
COPY (SELECT count(*), sum(v1), sum(v2), count(v2) FROM ans) TO '${OUT}/j1_q3.csv' (HEADER);

-- @ step j1_q4
CREATE OR REPLACE TABLE ans AS
SELECT x.*, medium.id1 AS medium_id1, medium.id2 AS medium_id2, medium.id4 AS medium_id4, v2
FROM x JOIN medium USING (id5);
-- @ check j1_q4
COPY (SELECT count(*), sum(v1), sum(v2) FROM ans) TO '${OUT}/j1_q4.csv' (HEADER);

-- @ step j1_q5
CREATE OR REPLACE TABLE ans AS
SELECT x.*, big.id1 AS big_id1, big.id2 AS big_id2, big.id4 AS big_id4, big.id5 AS big_id5, big.id6 AS big_id6, v2
FROM x JOIN big USING (id3);
-- @ check j1_q5
COPY (SELECT count(*), sum(v1), sum(v2) FROM ans) TO '${OUT}/j1_q5.csv' (HEADER);
