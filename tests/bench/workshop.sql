-- workshop.sql -- the workshop's steps in DuckDB SQL, the same as workshop.lp (see there).
-- Variables: JSON, CSV, OUT.

-- @ step q0_load_json
CREATE OR REPLACE TABLE r AS
SELECT *,
       CAST(DATE '1970-01-01' + CAST(floor(unixReviewTime / 86400) AS INTEGER) AS DATE) AS date,
       helpful[2] AS total_rating,
       CASE WHEN helpful[2] > 0 THEN helpful[1] / helpful[2] END AS fraction_helpful
FROM read_json('${JSON}', format = 'newline_delimited');
-- @ check q0_load_json
COPY (SELECT count(*), count(reviewerName), min(date), max(date), sum(total_rating),
             count(fraction_helpful), sum(fraction_helpful), sum(overall) FROM r)
TO '${OUT}/q0_load_json.csv' (HEADER);

-- @ step q0_load_csv
CREATE OR REPLACE TABLE rc AS SELECT * FROM read_csv('${CSV}', header = true);
-- @ check q0_load_csv
COPY (SELECT count(*), count(reviewerName), sum(overall), sum(unixReviewTime), sum(length(reviewText)) FROM rc)
TO '${OUT}/q0_load_csv.csv' (HEADER);
DROP TABLE rc;

-- @ step q1_count_by_overall
CREATE OR REPLACE TABLE q1 AS SELECT overall, count(*) AS count FROM r GROUP BY overall ORDER BY overall;
-- @ check q1_count_by_overall
COPY q1 TO '${OUT}/q1_count_by_overall.csv' (HEADER);

-- @ step q2_profiles
CREATE OR REPLACE TABLE profiles AS
SELECT *, n / (1 + span) AS reviews_per_day FROM (
  SELECT reviewerID, count(*) AS n, date_diff('day', min(date), max(date)) AS span,
         avg(overall) AS mean_overall, avg(fraction_helpful) AS mean_helpful
  FROM r GROUP BY reviewerID);
-- @ check q2_profiles
COPY (SELECT count(*), sum(n), sum(span), sum(mean_overall), count(mean_helpful), sum(mean_helpful),
             sum(reviews_per_day) FROM profiles)
TO '${OUT}/q2_profiles.csv' (HEADER);

-- @ step q3_percentiles
CREATE OR REPLACE TABLE q3 AS
SELECT quantile_cont(n, 0.5), quantile_cont(n, 0.9), quantile_cont(n, 0.95), quantile_cont(n, 0.99), max(n),
       quantile_cont(reviews_per_day, 0.5), quantile_cont(reviews_per_day, 0.9),
       quantile_cont(reviews_per_day, 0.95), quantile_cont(reviews_per_day, 0.99), max(reviews_per_day)
FROM profiles;
-- @ check q3_percentiles
COPY q3 TO '${OUT}/q3_percentiles.csv' (HEADER);

-- @ step q4_join_back
CREATE OR REPLACE TABLE q4 AS
SELECT * FROM r JOIN profiles USING (reviewerID)
WHERE n > 19 AND reviews_per_day > 2.6
ORDER BY reviewerID, n, unixReviewTime, asin LIMIT 40;
-- @ check q4_join_back
COPY (SELECT reviewerID, n, unixReviewTime, asin, overall, date, reviews_per_day FROM q4)
TO '${OUT}/q4_join_back.csv' (HEADER);

-- @ step q5_lengths
-- labelled keeps only the columns Q5, Q6 and Q8 use: DuckDB copies (and compresses) every
-- column of a CREATE TABLE AS, and a copy of all of r costs it over a second per 100k reviews,
-- where Loupe's cached frame shares r's column buffers. A DuckDB user would write it this way.
CREATE OR REPLACE TABLE labelled AS
SELECT r.reviewerID, r.asin, r.fraction_helpful, c.reviewerID IS NOT NULL AS is_fake_candidate,
       length(summary) AS title_length, length(reviewText) AS text_length
FROM r LEFT JOIN (SELECT reviewerID FROM profiles WHERE n > 19 AND reviews_per_day > 2.6) c
  ON r.reviewerID = c.reviewerID;
CREATE OR REPLACE TABLE q5 AS
SELECT is_fake_candidate, count(*) AS reviews, avg(fraction_helpful) AS mean_helpful,
       median(title_length) AS median_title_length, median(text_length) AS median_text_length
FROM labelled GROUP BY is_fake_candidate;
-- @ check q5_lengths
COPY q5 TO '${OUT}/q5_lengths.csv' (HEADER);

-- @ step q6_histogram
CREATE OR REPLACE TABLE q6 AS
WITH lim AS (SELECT min(text_length) AS lo, max(text_length) AS hi FROM labelled)
SELECT least(floor((text_length - lo) * 50 / CAST(hi - lo AS DOUBLE)), 49)::BIGINT AS bin, count(*) AS count
FROM labelled, lim GROUP BY bin;
-- @ check q6_histogram
COPY q6 TO '${OUT}/q6_histogram.csv' (HEADER);

-- @ step q7_honest_review
CREATE OR REPLACE TABLE q7 AS
SELECT asin, count(*) AS count FROM r WHERE contains(lower(reviewText), 'honest review')
GROUP BY asin ORDER BY count DESC, asin LIMIT 10;
-- @ check q7_honest_review
COPY q7 TO '${OUT}/q7_honest_review.csv' (HEADER);

-- @ step q8_candidate_products
CREATE OR REPLACE TABLE q8 AS
SELECT asin, count(*) AS count FROM labelled WHERE is_fake_candidate
GROUP BY asin ORDER BY count DESC, asin LIMIT 10;
-- @ check q8_candidate_products
COPY q8 TO '${OUT}/q8_candidate_products.csv' (HEADER);
