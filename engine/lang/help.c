/* help.c -- the help texts: one static entry per method, builtin and function, and the one
 * layout help(x), the kernel's pager and inspection all print.
 *
 * The texts describe Spark's semantics (spark.sql.ansi.enabled=false), which the engine
 * follows; where Loupe differs (it works in UTC; it refuses to compare a string with a number)
 * the text says so. Every function of the engine's registry that is not an operator has an
 * entry here under its lower-case name (tests/engine/test_help.c checks it), so a function
 * added to engine/exec/expr.c needs its text here too. An alias's entry says which function it
 * is an alias of and repeats that function's text (the shared summaries are macros).
 *
 * Everything is static and read-only: any thread may call these.
 */
#include "lang/help.h"

#include <string.h>

/* Entry constructors: the PySpark name follows from the topic. */
#define FN(name, sig, sum, ex) {name, sig, sum, ex, "pyspark.sql.functions." name}
#define FNP(name, sig, sum, ex, py) {name, sig, sum, ex, py}
#define ALIAS(name, canon, sig, sum, ex, py) \
    {name, sig, "An alias of " canon ", with the same behaviour. " sum, ex, py}
#define DF(m, sig, sum, ex) {"DataFrame." m, sig, sum, ex, "pyspark.sql.DataFrame." m}
#define GD(m, sig, sum, ex) {"GroupedData." m, sig, sum, ex, "pyspark.sql.GroupedData." m}
#define COL(m, sig, sum, ex) {"Column." m, sig, sum, ex, "pyspark.sql.Column." m}
#define RD(m, sig, sum, ex) {"DataFrameReader." m, sig, sum, ex, "pyspark.sql.DataFrameReader." m}
#define WR(m, sig, sum, ex) {"DataFrameWriter." m, sig, sum, ex, "pyspark.sql.DataFrameWriter." m}
#define SS(m, sig, sum, ex) {"SparkSession." m, sig, sum, ex, "pyspark.sql.SparkSession." m}

/* Summaries shared by a function and its aliases. */
#define S_LENGTH                                                                                  \
    "The number of characters (Unicode code points, not bytes) of a string, trailing spaces "     \
    "included, as a bigint. Null when the string is null."
#define S_LOWER "The string with every letter in lower case (Unicode-aware). Null when the string is null."
#define S_UPPER "The string with every letter in upper case (Unicode-aware). Null when the string is null."
#define S_SUBSTRING                                                                               \
    "The part of str that starts at character pos (counting from 1; 0 acts as 1; a negative pos " \
    "counts from the end) and is at most len characters long (to the end when len is left "       \
    "out). A start past the end gives the empty string. Null when any argument is null."
#define S_STARTSWITH "True when str begins with prefix (case-sensitive). Null when either is null."
#define S_ENDSWITH "True when str ends with suffix (case-sensitive). Null when either is null."
#define S_SIGNUM "The sign of a number as a double: -1.0, 0.0 or 1.0 (NaN stays NaN). Null when x is null."
#define S_CEIL "The smallest integer not less than x, as a bigint. Null when x is null."
#define S_POW "base raised to the power exp, as a double. Null when either is null."
#define S_NVL "expr2 when expr1 is null, otherwise expr1 (both must have compatible types)."
#define S_DAY "The day of the month (1-31) of a date or timestamp. Null when the value is null."
#define S_SIZE                                                                                    \
    "The number of elements of an array (nulls inside it count), as a bigint. A null array "       \
    "gives -1, as in Spark's default (non-ANSI) mode."
#define S_COUNT_DISTINCT                                                                          \
    "Aggregate: the number of distinct non-null values of col in each group (a bigint). Null "     \
    "values are not counted."
#define S_AVG                                                                                     \
    "Aggregate: the arithmetic mean of the non-null values of a numeric column, as a double. "    \
    "Nulls are ignored; a group with no non-null value gives null."
#define S_STDDEV                                                                                  \
    "Aggregate: the sample standard deviation (dividing by n - 1) of the non-null values, as a "  \
    "double. Null when a group has fewer than two non-null values."
#define S_VARIANCE                                                                                \
    "Aggregate: the sample variance (dividing by n - 1) of the non-null values, as a double. "    \
    "Null when a group has fewer than two non-null values."
#define S_PCT_APPROX                                                                              \
    "Aggregate: an approximate percentile of a numeric column: the smallest value v of the "      \
    "column such that no more than the fraction `percentage` (between 0.0 and 1.0) of the "       \
    "values are less than v. The result is a value that occurs in the column; nulls are "         \
    "ignored. accuracy (default 10000) bounds the relative error at 1/accuracy."
#define S_LOG                                                                                     \
    "The logarithm of x: natural with one argument, to the given base with two (log(10.0, x)). "  \
    "A double; null when x is zero or negative, or when an argument is null."

/* Examples shared by a function and its aliases. */
#define E_COUNT_DISTINCT "reviews.agg(F.count_distinct(\"reviewerID\").alias(\"reviewers\")).show()"
#define E_AVG "reviews.groupBy(\"asin\").agg(F.avg(\"overall\").alias(\"rating\")).show()"

static const lp_help entries[] = {
    /* ---- builtins --------------------------------------------------------------------------- */
    FNP("print", "print(*values)",
        "Writes the values, separated by spaces, and a newline to the output. A DataFrame prints "
        "as its type and columns, as in PySpark (DataFrame[asin: string, overall: double]); "
        "use show() to see its rows.",
        "print(reviews.count(), \"reviews\")", "print (Python builtin)"),
    FNP("display", "display(value)",
        "Shows a value the way the last expression of a cell is shown: a DataFrame as a table of "
        "its first rows, a chart as a picture, anything else as "
        "its repr. Useful to show something that is not the last expression.",
        "display(reviews.limit(5))", "display (Databricks and Jupyter notebooks)"),
    FNP("help", "help(x)",
        "Prints the documentation of a function, method or builtin: its signature, what it "
        "does, an example and its PySpark name. For a DataFrame variable it prints the schema "
        "and row count.",
        "help(F.datediff)\nhelp(reviews.groupBy)", "help (Python builtin)"),
    FN("col", "col(name)",
       "A reference to the column called name, resolved when the expression is used: exact "
       "match first, then case-insensitive. A name that does not exist is an error that lists "
       "the available columns.",
       "reviews.filter(F.col(\"overall\") >= 4)"),
    FN("lit", "lit(value)",
       "A column holding the same literal value in every row: a number, a string, a boolean or "
       "None (a null, typed by where it is used).",
       "reviews.withColumn(\"source\", F.lit(\"amazon\"))"),
    FN("expr", "expr(sql)",
       "Parses a SQL expression string into a column, with the same functions and operators as "
       "spark.sql (CASE WHEN, CAST, LIKE, IS NULL, ...).",
       "reviews.select(F.expr(\"length(reviewText) AS chars\"))"),
    FN("when", "when(condition, value)",
       "Starts a conditional column: value where condition is true. Chain .when(c, v) for more "
       "branches and finish with .otherwise(default); rows matching no branch get the default, "
       "or null when there is no otherwise. A null condition counts as false.",
       "reviews.select(F.when(F.col(\"overall\") >= 4, \"good\").otherwise(\"bad\").alias(\"label\"))"),
    FN("desc", "desc(col)",
       "A sort key that orders col in descending order, nulls last (Spark's default for "
       "descending).",
       "reviews.orderBy(F.desc(\"overall\")).show()"),
    FN("asc", "asc(col)",
       "A sort key that orders col in ascending order, nulls first (Spark's default for "
       "ascending).",
       "reviews.orderBy(F.asc(\"unixReviewTime\")).show()"),
    FN("column", "column(name)",
       "The same as col(name): a reference to the column called name, resolved when the "
       "expression is used.",
       "reviews.select(F.column(\"asin\"))"),
    FN("asc_nulls_first", "asc_nulls_first(col)",
       "A sort key that orders col ascending with nulls first (the ascending default).",
       "reviews.orderBy(F.asc_nulls_first(\"reviewerName\"))"),
    FN("asc_nulls_last", "asc_nulls_last(col)",
       "A sort key that orders col ascending with nulls after every value.",
       "reviews.orderBy(F.asc_nulls_last(\"reviewerName\"))"),
    FN("desc_nulls_first", "desc_nulls_first(col)",
       "A sort key that orders col descending with nulls before every value.",
       "reviews.orderBy(F.desc_nulls_first(\"reviewerName\"))"),
    FN("desc_nulls_last", "desc_nulls_last(col)",
       "A sort key that orders col descending with nulls last (the descending default).",
       "reviews.orderBy(F.desc_nulls_last(\"reviewerName\"))"),
    FN("broadcast", "broadcast(df)",
       "Marks a DataFrame as small enough to send to every worker of a Spark cluster for a "
       "join. On one machine there is nothing to send: Loupe returns the DataFrame unchanged.",
       "reviews.join(F.broadcast(products), \"asin\")"),
    FN("approx_count_distinct", "approx_count_distinct(col)",
       "Aggregate: the number of distinct non-null values of col in each group. Spark estimates "
       "it (HyperLogLog, about 5% error); Loupe counts exactly, as count_distinct.",
       "reviews.agg(F.approx_count_distinct(\"asin\").alias(\"products\"))"),
    FN("isnull", "isnull(col)",
       "True where col is null, false otherwise (never null); the same as col.isNull().",
       "reviews.filter(F.isnull(\"reviewerName\")).count()"),
    FNP("isnotnull", "isnotnull(col)",
        "True where col is not null, false otherwise (never null); the same as col.isNotNull().",
        "spark.sql(\"SELECT count(*) FROM reviews WHERE isnotnull(reviewerName)\")",
        "pyspark.sql.Column.isNotNull (Spark SQL: isnotnull)"),
    FNP("str", "str(x)",
        "Python's str: the text form of a value (a number, a bool, a list), for printing or "
        "joining strings.",
        "print(\"reviews: \" + str(reviews.count()))", "str (Python builtin)"),
    FNP("int", "int(x)",
        "Python's int: a number or numeric string as an integer (a float is truncated toward "
        "zero). For a column use col.cast(\"int\").",
        "n = int(reviews.count() / 10)", "int (Python builtin)"),
    FNP("float", "float(x)",
        "Python's float: a number or numeric string as a floating-point number. For a column "
        "use col.cast(\"double\").",
        "share = float(good.count()) / reviews.count()", "float (Python builtin)"),
    FNP("bool", "bool(x)",
        "Python's bool: False for 0, 0.0, \"\", None and empty lists, True otherwise.",
        "bool(reviews.count())", "bool (Python builtin)"),
    FNP("type", "type(x)",
        "Python's type: the class of a value (DataFrame, Column, int, str, ...), to see what "
        "a variable holds.",
        "type(reviews)", "type (Python builtin)"),
    FNP("Row", "Row(**fields)",
        "A row with named fields, as collect() and take() return them; fields are read as "
        "row.name or row[\"name\"].",
        "r = reviews.first()\nprint(r.asin, r[\"overall\"])", "pyspark.sql.Row"),
    FNP("clear_output", "clear_output()",
        "Clears the output of the current notebook cell (in the REPL it does nothing).",
        "clear_output()", "IPython.display.clear_output (Jupyter notebooks)"),

    /* ---- SparkSession ---------------------------------------------------------------------- */
    SS("sql", "spark.sql(query)",
       "Runs a SQL SELECT over the temporary views registered with createOrReplaceTempView and "
       "returns the result as a DataFrame (lazily, like any other DataFrame).",
       "reviews.createOrReplaceTempView(\"reviews\")\n"
       "spark.sql(\"SELECT asin, avg(overall) AS r FROM reviews GROUP BY asin\").show()"),
    SS("read", "spark.read",
       "The DataFrameReader: set options with .option()/.options()/.schema(), then load a file "
       "with .csv(path), .json(path) or .format(f).load(path). Gzip-compressed files are read "
       "too.",
       "reviews = spark.read.json(\"reviews.json\")"),
    SS("table", "spark.table(name)",
       "The DataFrame behind a temporary view registered with createOrReplaceTempView. An "
       "unknown name is an error that lists the views.",
       "r = spark.table(\"reviews\")"),
    SS("stop", "spark.stop()",
       "Stops a Spark session. Loupe has nothing to stop: the call does nothing, so that "
       "PySpark scripts run unchanged.",
       "spark.stop()"),

    /* ---- DataFrameReader ------------------------------------------------------------------- */
    RD("json", "spark.read.json(path)",
       "Reads a JSON lines file (one object per line) into a DataFrame, inferring the schema "
       "from a sample of the records. Malformed records follow the mode option (PERMISSIVE: "
       "nulls; DROPMALFORMED: skipped; FAILFAST: an error naming the line).",
       "reviews = spark.read.json(\"reviews.json\")"),
    RD("csv", "spark.read.csv(path, header=None, inferSchema=None, sep=None)",
       "Reads a CSV file into a DataFrame. header=True: the first line names the columns; "
       "inferSchema=True: column types are inferred from a sample of the rows (otherwise every "
       "column is a string). Quotes and escapes follow Spark's defaults; the empty field is "
       "null.",
       "reviews = spark.read.csv(\"reviews.csv\", header=True, inferSchema=True)"),
    RD("option", "spark.read.option(key, value)",
       "Sets one read option and returns the reader: header, inferSchema, sep, quote, escape, "
       "nullValue, mode (PERMISSIVE, DROPMALFORMED, FAILFAST), columnNameOfCorruptRecord, "
       "samplingRatio.",
       "spark.read.option(\"mode\", \"FAILFAST\").json(\"reviews.json\")"),
    RD("options", "spark.read.options(**options)",
       "Sets several read options at once (the same keys as option) and returns the reader.",
       "spark.read.options(header=True, sep=\";\").csv(\"reviews.csv\")"),
    RD("format", "spark.read.format(source)",
       "Chooses the file format for load(): \"csv\" or \"json\". Returns the reader.",
       "spark.read.format(\"json\").load(\"reviews.json\")"),
    RD("load", "spark.read.load(path, format=None)",
       "Reads the file in the format set by format() (or given here) with the options set so "
       "far.",
       "spark.read.format(\"csv\").option(\"header\", True).load(\"reviews.csv\")"),
    RD("schema", "spark.read.schema(schema)",
       "Sets the schema as a DDL string (\"asin STRING, overall DOUBLE\") instead of inferring "
       "it; values that do not fit their column's type follow the mode option.",
       "spark.read.schema(\"asin STRING, overall DOUBLE\").json(\"reviews.json\")"),

    /* ---- DataFrameWriter ------------------------------------------------------------------- */
    WR("csv", "df.write.csv(path, header=True)",
       "Writes the DataFrame as CSV to path, with a header line when header is true; the save "
       "mode decides what happens when path exists (default: an error).",
       "top.write.mode(\"overwrite\").csv(\"top.csv\")"),
    WR("json", "df.write.json(path)",
       "Writes the DataFrame as JSON lines (one object per row) to path; the save mode decides "
       "what happens when path exists (default: an error).",
       "top.write.mode(\"overwrite\").json(\"top.json\")"),
    WR("mode", "df.write.mode(saveMode)",
       "What to do when the target exists: \"error\" / \"errorifexists\" (the default), "
       "\"overwrite\", \"append\" or \"ignore\". Returns the writer.",
       "top.write.mode(\"overwrite\").csv(\"top.csv\")"),
    WR("option", "df.write.option(key, value)",
       "Sets one write option (header, sep, quote, nullValue for CSV) and returns the writer.",
       "top.write.option(\"sep\", \"\\t\").csv(\"top.tsv\")"),
    WR("save", "df.write.save(path, format=None, mode=None)",
       "Writes the DataFrame to path in the format set with format() (csv or json).",
       "top.write.format(\"json\").save(\"top.json\")"),
    WR("format", "df.write.format(source)",
       "Chooses the file format save() writes: \"csv\" or \"json\". Returns the writer.",
       "top.write.format(\"csv\").mode(\"overwrite\").save(\"top.csv\")"),

    /* ---- DataFrame: looking at data -------------------------------------------------------- */
    DF("show", "df.show(n=20, truncate=True)",
       "Prints the first n rows as a text table in Spark's layout. Cells longer than 20 "
       "characters are cut (truncate=False shows them whole; a number sets the width).",
       "reviews.show(5, truncate=False)"),
    DF("count", "df.count()",
       "The number of rows, as an int. Runs the query (a count of a file that was just read is "
       "immediate).",
       "reviews.filter(F.col(\"overall\") == 5).count()"),
    DF("collect", "df.collect()",
       "All rows as a list of Row objects. Careful with large frames: everything is brought "
       "into the output; prefer take(n) or show().",
       "reviews.groupBy(\"overall\").count().collect()"),
    DF("take", "df.take(num)",
       "The first num rows as a list of Row objects (only as much work as those rows need).",
       "reviews.take(3)"),
    DF("first", "df.first()",
       "The first row as a Row, or None when the frame is empty.",
       "reviews.orderBy(F.desc(\"overall\")).first()"),
    DF("head", "df.head(n=None)",
       "With no argument the first row (or None); with n the first n rows as a list, like "
       "take(n).",
       "reviews.head(3)"),
    DF("columns", "df.columns",
       "The column names, in order, as a list of strings (a property: no parentheses).",
       "reviews.columns"),
    DF("dtypes", "df.dtypes",
       "The columns as a list of (name, type) pairs, with Spark's type names (\"bigint\", "
       "\"double\", \"string\", \"array<bigint>\").",
       "reviews.dtypes"),
    DF("schema", "df.schema",
       "The schema as a StructType: each column's name, type and nullability.",
       "reviews.schema"),
    DF("printSchema", "df.printSchema()",
       "Prints the schema as a tree, as Spark does (root, then |-- name: type (nullable = "
       "true)).",
       "reviews.printSchema()"),
    DF("describe", "df.describe(*cols)",
       "Summary statistics of numeric and string columns (all of them by default): count, "
       "mean, stddev, min, max, as a DataFrame of strings with a `summary` column. Nulls are "
       "not counted.",
       "reviews.describe(\"overall\", \"unixReviewTime\").show()"),
    DF("summary", "df.summary(*statistics)",
       "Like describe() with quartiles: count, mean, stddev, min, 25%, 50%, 75%, max by "
       "default, or the statistics named.",
       "reviews.select(\"overall\").summary().show()"),
    DF("explain", "df.explain(extended=False)",
       "Prints the plan the query will run, one operator per line with its inputs indented: "
       "shows where filters and column pruning were pushed down.",
       "reviews.filter(F.col(\"overall\") > 4).select(\"asin\").explain()"),

    /* ---- DataFrame: transformations -------------------------------------------------------- */
    DF("select", "df.select(*cols)",
       "A new DataFrame with the given columns or expressions, in that order. Columns may be "
       "names, col() expressions or \"*\"; name computed columns with .alias().",
       "reviews.select(\"asin\", (F.col(\"overall\") * 2).alias(\"score\"))"),
    DF("selectExpr", "df.selectExpr(*exprs)",
       "select() with SQL expression strings (\"length(reviewText) AS chars\").",
       "reviews.selectExpr(\"asin\", \"overall * 2 AS score\")"),
    DF("filter", "df.filter(condition)",
       "The rows for which condition is true; rows where it is false or null are dropped. The "
       "condition is a boolean column expression or a SQL string.",
       "reviews.filter((F.col(\"overall\") >= 4) & F.col(\"reviewText\").isNotNull())"),
    DF("where", "df.where(condition)",
       "An alias of filter: the rows for which condition is true (false and null drop the "
       "row).",
       "reviews.where(\"overall >= 4\")"),
    DF("withColumn", "df.withColumn(colName, col)",
       "A new DataFrame with a column added, or replaced when colName already exists, computed "
       "by the expression col.",
       "reviews.withColumn(\"chars\", F.length(\"reviewText\"))"),
    DF("withColumnRenamed", "df.withColumnRenamed(existing, new)",
       "A new DataFrame with column existing renamed to new; nothing happens when existing is "
       "not a column (as in Spark; Loupe warns).",
       "reviews.withColumnRenamed(\"overall\", \"rating\")"),
    DF("drop", "df.drop(*cols)",
       "A new DataFrame without the named columns; names that do not exist are ignored (as in "
       "Spark; Loupe warns).",
       "reviews.drop(\"reviewText\", \"summary\")"),
    DF("groupBy", "df.groupBy(*cols)",
       "Groups the rows by the values of the given columns and returns GroupedData; follow it "
       "with agg() or count(), avg(), ... Null keys form one group.",
       "reviews.groupBy(\"asin\").agg(F.count(\"*\").alias(\"n\"), F.avg(\"overall\"))"),
    DF("groupby", "df.groupby(*cols)",
       "An alias of groupBy: groups the rows by the given columns and returns GroupedData.",
       "reviews.groupby(\"overall\").count().show()"),
    DF("agg", "df.agg(*exprs)",
       "Aggregates over the whole frame (no grouping): one row with one column per aggregate "
       "expression.",
       "reviews.agg(F.min(\"unixReviewTime\"), F.max(\"unixReviewTime\")).show()"),
    DF("orderBy", "df.orderBy(*cols, ascending=True)",
       "The rows sorted by the given columns. Use F.desc(c) or col(c).desc() for descending; "
       "nulls come first ascending and last descending. Followed by limit() or show() only the "
       "top rows are kept while sorting.",
       "reviews.orderBy(F.desc(\"overall\"), \"asin\").show(5)"),
    DF("sort", "df.sort(*cols, ascending=True)",
       "An alias of orderBy: the rows sorted by the given columns (nulls first ascending, last "
       "descending).",
       "reviews.sort(F.col(\"unixReviewTime\").desc()).show(5)"),
    DF("limit", "df.limit(num)",
       "The first num rows as a new DataFrame.",
       "reviews.limit(100).count()"),
    DF("distinct", "df.distinct()",
       "The distinct rows (two nulls count as equal).",
       "reviews.select(\"overall\").distinct().show()"),
    DF("dropDuplicates", "df.dropDuplicates(subset=None)",
       "One row per distinct value of the subset columns (all columns by default), with the "
       "other columns taken from one of the duplicates (Spark does not promise which one).",
       "reviews.dropDuplicates([\"reviewerID\", \"asin\"]).count()"),
    DF("join", "df.join(other, on=None, how=\"inner\")",
       "Joins with other. on is a column name, a list of names (the key appears once in the "
       "result) or a condition; how is inner, left, right, full (outer), left_semi, left_anti "
       "or cross. Null keys never match.",
       "reviews.join(products, on=\"asin\", how=\"left\")"),
    DF("crossJoin", "df.crossJoin(other)",
       "Every row of df paired with every row of other: rows(df) * rows(other) rows, so it "
       "grows quickly.",
       "ratings.crossJoin(months).count()"),
    DF("union", "df.union(other)",
       "The rows of df followed by the rows of other, matched by column position (not by "
       "name), duplicates kept. The frames must have the same number of columns.",
       "old.union(new).count()"),
    DF("unionByName", "df.unionByName(other, allowMissingColumns=False)",
       "The rows of both frames, matched by column name; with allowMissingColumns=True a "
       "column missing on one side is filled with nulls.",
       "old.unionByName(new).count()"),
    DF("dropna", "df.dropna(how=\"any\", thresh=None, subset=None)",
       "Drops the rows with nulls (NaN counts as null): with how=\"any\" a row with any null in "
       "the subset columns, with how=\"all\" a row whose subset columns are all null; thresh "
       "keeps rows with at least that many non-null values.",
       "reviews.dropna(subset=[\"reviewText\"]).count()"),
    DF("fillna", "df.fillna(value, subset=None)",
       "Replaces nulls with value in the columns of a matching type (a number fills numeric "
       "columns, a string fills string columns); a dict maps column names to values.",
       "reviews.fillna({\"reviewerName\": \"anonymous\"})"),
    DF("sample", "df.sample(fraction, seed=None)",
       "A random sample with each row kept with probability fraction (so about fraction * rows "
       "rows, not exactly). The same seed gives the same sample.",
       "reviews.sample(0.01, seed=42).count()"),
    DF("approxQuantile", "df.approxQuantile(col, probabilities, relativeError)",
       "The quantiles of a numeric column at the given probabilities (each 0.0 to 1.0) as a "
       "list of floats; relativeError 0.0 gives exact quantiles. Nulls are ignored.",
       "reviews.approxQuantile(\"overall\", [0.25, 0.5, 0.75], 0.0)"),
    DF("corr", "df.corr(col1, col2)",
       "The Pearson correlation coefficient of two numeric columns, as a float, over the rows "
       "where both are non-null.",
       "reviews.withColumn(\"chars\", F.length(\"reviewText\")).corr(\"chars\", \"overall\")"),
    DF("cache", "df.cache()",
       "Marks the DataFrame to be kept in memory once computed, so later queries over it do "
       "not recompute it. Returns the same DataFrame.",
       "good = reviews.filter(F.col(\"overall\") >= 4).cache()"),
    DF("createOrReplaceTempView", "df.createOrReplaceTempView(name)",
       "Registers the DataFrame under name for spark.sql() and spark.table(), replacing a view "
       "of the same name.",
       "reviews.createOrReplaceTempView(\"reviews\")"),
    DF("write", "df.write",
       "The DataFrameWriter: choose .mode(), options, then .csv(path) or .json(path).",
       "top.write.mode(\"overwrite\").csv(\"top.csv\")"),
    DF("plot", "df.plot(x=None, y=None, kind=\"line\", bins=10)",
       "Draws a chart of the frame's rows: kind is \"line\", \"bar\", \"scatter\" or \"hist\"; x "
       "and y name the columns, hue (or by) splits the rows into series, logx/logy use log "
       "scales, title names the chart. Text in the terminal, SVG in the notebook. Aggregate "
       "first, so that each row is a point.",
       "reviews.groupBy(\"overall\").count().orderBy(\"overall\").plot(x=\"overall\", y=\"count\", kind=\"bar\")"),
    {"DataFrame.hist", "df.hist(column=None, bins=10, by=None)",
     "A histogram of a numeric (or date) column: the range split into bins equal-width bins and "
     "the rows counted in each, one series per value of by; nulls are not counted. The same as "
     "df.plot(x=column, kind=\"hist\"). A one-column frame needs no column.",
     "reviews.hist(\"overall\", bins=5)", "pyspark.sql.DataFrame.plot.hist (Spark 4.0)"},
    DF("drop_duplicates", "df.drop_duplicates(subset=None)",
       "An alias of dropDuplicates: one row per distinct value of the subset columns (all "
       "columns by default).",
       "reviews.drop_duplicates([\"reviewerID\", \"asin\"]).count()"),
    DF("unionAll", "df.unionAll(other)",
       "An alias of union: the rows of both frames matched by position, duplicates kept.",
       "old.unionAll(new).count()"),
    DF("persist", "df.persist()",
       "The same as cache(): keep the DataFrame in memory once computed. Returns it.",
       "good = reviews.filter(F.col(\"overall\") >= 4).persist()"),
    DF("unpersist", "df.unpersist()",
       "Forgets a cached result, freeing its memory; the next use recomputes it.",
       "good.unpersist()"),
    DF("createTempView", "df.createTempView(name)",
       "Registers the DataFrame under name for spark.sql() and spark.table(). Loupe replaces "
       "an existing view, as createOrReplaceTempView does (Spark refuses).",
       "reviews.createTempView(\"reviews\")"),
    {"DataFrame.registerTempTable", "df.registerTempTable(name)",
     "The old name of createOrReplaceTempView (deprecated in Spark): registers the DataFrame "
     "under name for spark.sql().",
     "reviews.registerTempTable(\"reviews\")", "pyspark.sql.DataFrame.createOrReplaceTempView"},
    DF("toPandas", "df.toPandas()",
       "In PySpark, the rows as a pandas DataFrame. Loupe has no pandas: it returns the "
       "DataFrame itself, which displays as a table.",
       "reviews.limit(5).toPandas()"),
    {"assertDataFrameEqual", "assertDataFrameEqual(actual, expected, checkRowOrder=False, rtol=1e-9, atol=0)",
     "Checks that two DataFrames hold the same columns (names and types) and the same rows, in any "
     "order unless checkRowOrder is True, floats equal within rtol (relative) or atol (absolute). "
     "Silent when they agree; otherwise an error that says in plain words what differs: a "
     "missing column, a type, the first differing row.",
     "by_sql = spark.sql(\"SELECT overall, count(*) AS count \"\n"
     "                   \"FROM reviews GROUP BY overall\")\n"
     "assertDataFrameEqual(reviews.groupBy(\"overall\").count(), by_sql)",
     "pyspark.testing.assertDataFrameEqual"},
    {"check", "check(actual, answer)",
     "Loupe's exercise check: compares actual (a DataFrame, a number, a string or a list) with "
     "the expected answer the lesson embeds (an \"LA1:...\" string) and prints \"✓ correct\" or "
     "what differs. Not in PySpark.",
     "n = reviews.filter(F.col(\"overall\") == 1.0).count()\n"
     "check(n, \"LA1:AAAATXjay8kvLUjVLSxNLapUMOTKL0pJLUpNUTDgCnb1cXUOUUjOL80r0dDSVHAMVshTcAvy\"\n"
     "         \"91UoSi3LTC0vVgj3cA1yVcgvSy1KzMlRsFUw1DMAAM+jGB4=\")", "(Loupe only)"},
    {"answer", "answer(actual=None, sql=None, checkRowOrder=False)",
     "For instructors: prints the answer string for check(). From a result it stores the rows; "
     "from sql=\"SELECT ...\" it stores the query, which check() runs over the temp views of the "
     "moment, so the answer is right on any data. Not in PySpark.",
     "answer(sql=\"SELECT count(*) AS n FROM reviews WHERE overall = 1.0\")", "(Loupe only)"},
    DF("toDF", "df.toDF(*cols)",
       "The same rows with new column names, one per column, in order.",
       "reviews.select(\"asin\", \"overall\").toDF(\"product\", \"stars\")"),
    DF("isEmpty", "df.isEmpty()",
       "True when the DataFrame has no rows. It computes only the first row.",
       "reviews.filter(F.col(\"overall\") > 5).isEmpty()"),
    DF("tail", "df.tail(num)",
       "The last num rows as a list of Row objects, in the DataFrame's order.",
       "reviews.orderBy(\"unixReviewTime\").tail(3)"),
    DF("withColumns", "df.withColumns(colsMap)",
       "Adds or replaces several columns at once: colsMap maps each new column's name to a "
       "Column, applied in order as withColumn would.",
       "reviews.withColumns({\"len\": F.length(\"reviewText\"), \"five\": F.col(\"overall\") == 5})"),
    DF("withColumnsRenamed", "df.withColumnsRenamed(colsMap)",
       "Renames several columns at once: colsMap maps old names to new ones. A name that is not "
       "a column is skipped, with a warning (Spark skips it silently).",
       "reviews.withColumnsRenamed({\"overall\": \"stars\", \"asin\": \"product\"})"),
    DF("repartition", "df.repartition(numPartitions)",
       "In Spark, redistributes the rows over numPartitions partitions. Loupe splits work "
       "itself, so the call returns the DataFrame unchanged.",
       "reviews.repartition(8)"),
    DF("coalesce", "df.coalesce(numPartitions)",
       "In Spark, reduces the number of partitions without a shuffle. Loupe returns the "
       "DataFrame unchanged.",
       "reviews.coalesce(1)"),
    DF("na", "df.na",
       "The DataFrameNaFunctions: df.na.drop(...) is df.dropna(...), df.na.fill(...) is "
       "df.fillna(...).",
       "reviews.na.fill({\"reviewerName\": \"anonymous\"})"),
    {"DataFrameNaFunctions.drop", "df.na.drop(how=\"any\", thresh=None, subset=None)",
     "The same as df.dropna: drops the rows with nulls (NaN counts as null) in the subset "
     "columns: any null with how=\"any\", all null with how=\"all\".",
     "reviews.na.drop(subset=[\"reviewText\"])", "pyspark.sql.DataFrameNaFunctions.drop"},
    {"DataFrameNaFunctions.fill", "df.na.fill(value, subset=None)",
     "The same as df.fillna: replaces nulls with value in the columns of a matching type, or "
     "per column with a dict.",
     "reviews.na.fill(\"anonymous\", subset=[\"reviewerName\"])", "pyspark.sql.DataFrameNaFunctions.fill"},
    DF("alias", "df.alias(alias)",
       "The same DataFrame under a name. Spark uses the name to qualify columns in a self-join "
       "(col(\"a.asin\")); Loupe accepts the call but does not resolve qualified names yet, so "
       "rename the columns of one side with withColumnRenamed before joining a frame with itself.",
       "a = reviews.select(\"reviewerID\", \"asin\")\n"
       "b = a.withColumnRenamed(\"asin\", \"other_asin\")\na.join(b, \"reviewerID\").count()"),

    /* ---- GroupedData ----------------------------------------------------------------------- */
    GD("agg", "grouped.agg(*exprs)",
       "One row per group: the grouping columns, then one column per aggregate expression "
       "(F.count, F.avg, F.sum, ...; name them with .alias()). A dict {column: function} also "
       "works.",
       "reviews.groupBy(\"asin\").agg(F.count(\"*\").alias(\"n\"), F.avg(\"overall\").alias(\"r\"))"),
    GD("count", "grouped.count()",
       "One row per group with its number of rows in a column called count.",
       "reviews.groupBy(\"overall\").count().show()"),
    GD("mean", "grouped.mean(*cols)",
       "An alias of avg: the mean of each numeric column (all of them by default) per group, "
       "nulls ignored.",
       "reviews.groupBy(\"asin\").mean(\"overall\")"),
    GD("avg", "grouped.avg(*cols)",
       "The mean of each given numeric column (all of them by default) per group, as a double "
       "named avg(col); nulls are ignored.",
       "reviews.groupBy(\"asin\").avg(\"overall\")"),
    GD("sum", "grouped.sum(*cols)",
       "The sum of each given numeric column per group, named sum(col); nulls ignored, null "
       "when a group has no value.",
       "reviews.groupBy(\"reviewerID\").sum(\"overall\")"),
    GD("min", "grouped.min(*cols)",
       "The smallest value of each given column per group, named min(col); nulls ignored.",
       "reviews.groupBy(\"asin\").min(\"unixReviewTime\")"),
    GD("max", "grouped.max(*cols)",
       "The largest value of each given column per group, named max(col); nulls ignored.",
       "reviews.groupBy(\"asin\").max(\"unixReviewTime\")"),

    /* ---- Column ---------------------------------------------------------------------------- */
    COL("alias", "col.alias(name)",
        "The same expression under a new column name.",
        "reviews.select(F.length(\"reviewText\").alias(\"chars\"))"),
    COL("cast", "col.cast(dataType)",
        "The value converted to another type (\"int\", \"bigint\", \"double\", \"string\", "
        "\"date\", \"timestamp\", \"boolean\"). A value that does not convert becomes null, and "
        "Loupe warns how many did.",
        "reviews.select(F.col(\"overall\").cast(\"int\"))"),
    COL("isNull", "col.isNull()",
        "True where the value is null, false otherwise (never null).",
        "reviews.filter(F.col(\"reviewerName\").isNull()).count()"),
    COL("isNotNull", "col.isNotNull()",
        "True where the value is not null, false otherwise (never null).",
        "reviews.filter(F.col(\"reviewText\").isNotNull())"),
    COL("isin", "col.isin(*values)",
        "True where the value equals one of values. Null when the value is null, or when it "
        "matches none and a value in the list is null (SQL's IN).",
        "reviews.filter(F.col(\"overall\").isin(1, 2))"),
    COL("between", "col.between(lowerBound, upperBound)",
        "True where lowerBound <= value <= upperBound (both ends included); null when any is "
        "null.",
        "reviews.filter(F.col(\"overall\").between(2, 4))"),
    COL("like", "col.like(pattern)",
        "SQL LIKE: true where the whole string matches pattern, where % matches any run of "
        "characters and _ one character (backslash escapes them). Case-sensitive; null when "
        "the string is null.",
        "reviews.filter(F.col(\"summary\").like(\"%great%\"))"),
    COL("rlike", "col.rlike(regex)",
        "True where the regular expression (PCRE, Java-like syntax) matches somewhere in the "
        "string (it is not anchored; use ^ and $). Null when the string is null.",
        "reviews.filter(F.col(\"reviewText\").rlike(\"(?i)refund|return\"))"),
    COL("contains", "col.contains(other)",
        "True where the string contains other as a substring (case-sensitive); null when either "
        "is null.",
        "reviews.filter(F.col(\"summary\").contains(\"battery\"))"),
    COL("startswith", "col.startswith(other)",
        "True where the string begins with other (case-sensitive); null when either is null.",
        "reviews.filter(F.col(\"asin\").startswith(\"B00\"))"),
    COL("endswith", "col.endswith(other)",
        "True where the string ends with other (case-sensitive); null when either is null.",
        "reviews.filter(F.col(\"summary\").endswith(\"!\"))"),
    COL("desc", "col.desc()",
        "A descending sort key for orderBy/sort, nulls last.",
        "reviews.orderBy(F.col(\"overall\").desc())"),
    COL("asc", "col.asc()",
        "An ascending sort key for orderBy/sort, nulls first.",
        "reviews.orderBy(F.col(\"unixReviewTime\").asc())"),
    COL("when", "col.when(condition, value)",
        "Adds a branch to a conditional started with F.when: value where condition is true and "
        "no earlier branch matched.",
        "F.when(F.col(\"overall\") >= 4, \"good\").when(F.col(\"overall\") <= 2, \"bad\")"),
    COL("otherwise", "col.otherwise(value)",
        "Finishes a conditional started with F.when: value for the rows no branch matched "
        "(without otherwise they get null).",
        "F.when(F.col(\"overall\") >= 4, \"good\").otherwise(\"other\")"),
    COL("getItem", "col.getItem(key)",
        "The element at a 0-based index of an array column (the same as col[key]); null when "
        "the index is out of range or the array is null.",
        "reviews.select(F.col(\"helpful\").getItem(0).alias(\"helpful_votes\"))"),
    COL("getField", "col.getField(name)",
        "The field called name of a struct column (the same as col.name_of_field, col['field'] and "
        "col('struct.field')); null where the struct is null.",
        "reviews.select(F.struct(\"asin\", \"overall\").alias(\"s\")).select(F.col(\"s\").getField(\"overall\"))"),
    COL("name", "col.name(alias)",
        "An alias of Column.alias: the same expression under a new column name.",
        "reviews.select(F.length(\"summary\").name(\"chars\"))"),
    COL("astype", "col.astype(dataType)",
        "An alias of Column.cast: the value converted to another type; values that do not "
        "convert become null.",
        "reviews.select(F.col(\"overall\").astype(\"int\"))"),
    COL("isNaN", "col.isNaN()",
        "True where a double is NaN (not a number); false for null.",
        "reviews.filter(F.col(\"overall\").isNaN()).count()"),
    COL("ilike", "col.ilike(pattern)",
        "SQL LIKE ignoring case: % matches any run of characters, _ one character. Null when "
        "the string is null.",
        "reviews.filter(F.col(\"summary\").ilike(\"%GREAT%\"))"),
    COL("eqNullSafe", "col.eqNullSafe(other)",
        "Equality that treats nulls as values (SQL's <=>): true when both are null, false "
        "when only one is, never null.",
        "reviews.filter(F.col(\"reviewerName\").eqNullSafe(None))"),
    COL("substr", "col.substr(startPos, length)",
        "The part of the string that starts at character startPos (counting from 1) and is "
        "length characters long, as substring(). Null when the string is null.",
        "reviews.select(F.col(\"asin\").substr(1, 3))"),
    COL("asc_nulls_first", "col.asc_nulls_first()",
        "An ascending sort key with nulls first (the ascending default).",
        "reviews.orderBy(F.col(\"reviewerName\").asc_nulls_first())"),
    COL("asc_nulls_last", "col.asc_nulls_last()",
        "An ascending sort key with nulls after every value.",
        "reviews.orderBy(F.col(\"reviewerName\").asc_nulls_last())"),
    COL("desc_nulls_first", "col.desc_nulls_first()",
        "A descending sort key with nulls before every value.",
        "reviews.orderBy(F.col(\"reviewerName\").desc_nulls_first())"),
    COL("desc_nulls_last", "col.desc_nulls_last()",
        "A descending sort key with nulls last (the descending default).",
        "reviews.orderBy(F.col(\"reviewerName\").desc_nulls_last())"),
    COL("over", "col.over(window)",
        "Evaluates a window function (row_number, rank, lag, ...) or an aggregate (count, sum, "
        "avg, min, max, stddev, first, last, ...) over a Window: every row keeps its own result, "
        "computed over the rows of its partition (partitionBy) in order (orderBy) within the "
        "frame (rowsBetween / rangeBetween). Without a frame, an ordered window aggregates from "
        "the partition's start to the row and its peers (a running total); an unordered one the "
        "whole partition. The rows come out ordered by the partition and order keys. Window "
        "functions may sit inside larger expressions, as in a z-score.",
        "from pyspark.sql.window import Window\n"
        "w = Window.partitionBy(\"asin\")\n"
        "reviews.withColumn(\"z\", (F.col(\"overall\") - F.avg(\"overall\").over(w)) / "
        "F.stddev(\"overall\").over(w))"),

    /* ---- Window and WindowSpec ------------------------------------------------------------- */
    {"Window", "from pyspark.sql.window import Window",
     "Builds window specifications for Column.over: Window.partitionBy(*cols), "
     "Window.orderBy(*cols), Window.rowsBetween(start, end), Window.rangeBetween(start, end), "
     "each returning a WindowSpec that has the same four methods. Window.unboundedPreceding, "
     "Window.unboundedFollowing and Window.currentRow are the frame bounds.",
     "from pyspark.sql.window import Window\n"
        "w = Window.partitionBy(\"reviewerID\").orderBy(\"unixReviewTime\")\n"
     "reviews.withColumn(\"n\", F.row_number().over(w))",
     "pyspark.sql.window.Window"},
    {"WindowSpec.partitionBy", "Window.partitionBy(*cols)",
     "The window's partitions: rows with equal values of cols (names or Columns; nulls form "
     "their own partition) are computed together. Without it the whole frame is one partition.",
     "from pyspark.sql.window import Window\n"
        "w = Window.partitionBy(\"asin\")\nreviews.withColumn(\"n\", F.count(\"*\").over(w))",
     "pyspark.sql.WindowSpec.partitionBy"},
    {"WindowSpec.orderBy", "Window.orderBy(*cols)",
     "The order of rows within each partition: names or Columns, with .desc() / F.desc() and "
     "the nulls_first/last forms as in orderBy. Ranking functions and lag/lead need it; with it "
     "an aggregate becomes a running aggregate (rows with equal keys count together).",
     "from pyspark.sql.window import Window\n"
        "w = Window.partitionBy(\"reviewerID\").orderBy(F.desc(\"unixReviewTime\"))\n"
     "reviews.withColumn(\"latest\", F.row_number().over(w) == 1)",
     "pyspark.sql.WindowSpec.orderBy"},
    {"WindowSpec.rowsBetween", "Window.rowsBetween(start, end)",
     "A frame of rows relative to the current one: start and end are offsets (-1 the row "
     "before, 0 the row itself, 1 the row after), or Window.unboundedPreceding / "
     "Window.unboundedFollowing. Aggregates over the window see only the frame's rows.",
     "from pyspark.sql.window import Window\n"
        "w = Window.orderBy(\"unixReviewTime\").rowsBetween(-2, 0)\n"
     "reviews.withColumn(\"avg3\", F.avg(\"overall\").over(w))",
     "pyspark.sql.WindowSpec.rowsBetween"},
    {"WindowSpec.rangeBetween", "Window.rangeBetween(start, end)",
     "A frame by value: the rows whose order key lies between key + start and key + end, for "
     "the one numeric, date (days) or timestamp (seconds) order key; 0 means the row's peers "
     "(rows with an equal key). Null keys frame only each other.",
     "from pyspark.sql.window import Window\n"
        "day = Window.partitionBy(\"reviewerID\").orderBy(\"unixReviewTime\").rangeBetween(-86400, 0)\n"
     "reviews.withColumn(\"in24h\", F.count(\"*\").over(day))",
     "pyspark.sql.WindowSpec.rangeBetween"},
    FN("row_number", "row_number()",
       "Window function: 1, 2, 3, ... in the window's order within each partition (ties in "
       "their input order). Needs an ordered window: F.row_number().over(w).",
       "from pyspark.sql.window import Window\n"
        "w = Window.partitionBy(\"asin\").orderBy(F.desc(\"overall\"))\n"
       "reviews.withColumn(\"k\", F.row_number().over(w)).filter(\"k <= 3\")"),
    FN("rank", "rank()",
       "Window function: 1 + the number of rows before the row's peers (equal order keys share "
       "a rank, and the next rank skips: 1, 1, 3). Needs an ordered window.",
       "from pyspark.sql.window import Window\n"
        "reviews.withColumn(\"r\", F.rank().over(Window.partitionBy(\"asin\").orderBy(\"overall\")))"),
    FN("dense_rank", "dense_rank()",
       "Window function: the rank without gaps (1, 1, 2): how many distinct order keys come "
       "before, plus one. Needs an ordered window.",
       "from pyspark.sql.window import Window\n"
        "reviews.withColumn(\"r\", F.dense_rank().over(Window.orderBy(\"overall\")))"),
    FN("percent_rank", "percent_rank()",
       "Window function: (rank - 1) / (rows in the partition - 1) as a double, 0 for a one-row "
       "partition. Needs an ordered window.",
       "from pyspark.sql.window import Window\n"
        "reviews.withColumn(\"p\", F.percent_rank().over(Window.orderBy(\"overall\")))"),
    FN("cume_dist", "cume_dist()",
       "Window function: the fraction of the partition's rows ordered before the row or equal "
       "to it, as a double. Needs an ordered window.",
       "from pyspark.sql.window import Window\n"
        "reviews.withColumn(\"c\", F.cume_dist().over(Window.orderBy(\"overall\")))"),
    FN("ntile", "ntile(n)",
       "Window function: splits each partition, in order, into n buckets numbered 1..n whose "
       "sizes differ by at most one (the first ones larger). Needs an ordered window.",
       "from pyspark.sql.window import Window\n"
        "reviews.withColumn(\"quartile\", F.ntile(4).over(Window.orderBy(\"overall\")))"),
    FN("lag", "lag(col, offset=1, default=None)",
       "Window function: the value of col offset rows before the current one in the window's "
       "order, or default (null when not given) when there is no such row in the partition. "
       "Needs an ordered window; a frame does not apply.",
       "from pyspark.sql.window import Window\n"
        "w = Window.partitionBy(\"reviewerID\").orderBy(\"unixReviewTime\")\n"
       "reviews.withColumn(\"gap\", F.col(\"unixReviewTime\") - F.lag(\"unixReviewTime\").over(w))"),
    FN("lead", "lead(col, offset=1, default=None)",
       "Window function: the value of col offset rows after the current one in the window's "
       "order, or default (null when not given) past the partition's end. Needs an ordered "
       "window.",
       "from pyspark.sql.window import Window\n"
        "w = Window.partitionBy(\"reviewerID\").orderBy(\"unixReviewTime\")\n"
       "reviews.withColumn(\"next\", F.lead(\"asin\").over(w))"),

    /* ---- functions: strings ---------------------------------------------------------------- */
    FN("ilike", "ilike(str, pattern)",
       "SQL LIKE ignoring case: true where the whole string matches pattern (% any run of "
       "characters, _ one character). Null when either is null.",
       "reviews.filter(F.ilike(\"summary\", F.lit(\"%great%\")))"),
    FN("length", "length(col)", S_LENGTH, "reviews.select(F.length(\"reviewText\").alias(\"chars\"))"),
    ALIAS("char_length", "length", "char_length(str)", S_LENGTH,
          "reviews.select(F.char_length(\"reviewText\"))", "pyspark.sql.functions.char_length"),
    ALIAS("character_length", "length", "character_length(str)", S_LENGTH,
          "reviews.select(F.character_length(\"reviewText\"))", "pyspark.sql.functions.character_length"),
    {"len", "len(x)",
     "An alias of length, with the same behaviour, in SQL and as F.len. " S_LENGTH
     " Called as Python's builtin len(x) it is the number of elements of a list, tuple, dict "
     "or string: len(df.columns).",
     "spark.sql(\"SELECT len(summary) FROM reviews\")\nlen(reviews.columns)",
     "pyspark.sql.functions.length (Spark SQL: len; Python: len)"},
    FN("lower", "lower(col)", S_LOWER, "reviews.select(F.lower(\"summary\"))"),
    ALIAS("lcase", "lower", "lcase(str)", S_LOWER, "reviews.select(F.lcase(\"summary\"))",
          "pyspark.sql.functions.lcase"),
    FN("upper", "upper(col)", S_UPPER, "reviews.select(F.upper(\"asin\"))"),
    ALIAS("ucase", "upper", "ucase(str)", S_UPPER, "reviews.select(F.ucase(\"asin\"))",
          "pyspark.sql.functions.ucase"),
    FN("trim", "trim(col[, trim])",
       "The string without leading and trailing spaces (only the space character), or without "
       "the characters of the string trim when it is given. Null when the string is null.",
       "reviews.select(F.trim(\"reviewerName\"))"),
    FN("ltrim", "ltrim(col[, trim])",
       "The string without leading spaces (or the characters of trim). Null when the string is "
       "null.",
       "reviews.select(F.ltrim(\"summary\"))"),
    FN("rtrim", "rtrim(col[, trim])",
       "The string without trailing spaces (or the characters of trim). Null when the string "
       "is null.",
       "reviews.select(F.rtrim(\"summary\"))"),
    FN("substring", "substring(str, pos[, len])", S_SUBSTRING,
       "reviews.select(F.substring(\"reviewTime\", -4, 4).alias(\"year\"))"),
    ALIAS("substr", "substring", "substr(str, pos[, len])", S_SUBSTRING,
          "reviews.select(F.substr(\"asin\", F.lit(1), F.lit(3)))", "pyspark.sql.functions.substr"),
    FN("concat", "concat(*cols)",
       "The strings joined end to end. Null when any of them is null (use concat_ws to skip "
       "nulls).",
       "reviews.select(F.concat(\"asin\", F.lit(\"/\"), \"reviewerID\"))"),
    FN("concat_ws", "concat_ws(sep, *cols)",
       "The strings (and the elements of string arrays) joined with sep between them; null "
       "values are skipped, so the result is null only when sep is null.",
       "reviews.select(F.concat_ws(\" - \", \"asin\", \"summary\"))"),
    FN("contains", "contains(left, right)",
       "True when the string left contains right as a substring (case-sensitive). Null when "
       "either is null.",
       "reviews.filter(F.contains(\"summary\", F.lit(\"battery\")))"),
    FN("startswith", "startswith(str, prefix)", S_STARTSWITH,
       "reviews.filter(F.startswith(\"asin\", F.lit(\"B00\")))"),
    ALIAS("starts_with", "startswith", "starts_with(str, prefix)", S_STARTSWITH,
          "spark.sql(\"SELECT * FROM reviews WHERE starts_with(asin, 'B00')\")",
          "pyspark.sql.functions.startswith"),
    FN("endswith", "endswith(str, suffix)", S_ENDSWITH,
       "reviews.filter(F.endswith(\"summary\", F.lit(\"!\")))"),
    ALIAS("ends_with", "endswith", "ends_with(str, suffix)", S_ENDSWITH,
          "spark.sql(\"SELECT * FROM reviews WHERE ends_with(summary, '!')\")",
          "pyspark.sql.functions.endswith"),
    FN("split", "split(str, pattern[, limit])",
       "The string cut around each match of the regular expression pattern, as an array of "
       "strings. With limit > 0 the array has at most limit elements, the last holding the "
       "rest; otherwise every piece is kept. Null when str is null.",
       "reviews.select(F.size(F.split(\"reviewText\", \"\\\\s+\")).alias(\"words\"))"),
    FN("regexp_extract", "regexp_extract(str, pattern, idx)",
       "The text of capture group idx (1 = the first group, 0 = the whole match) of the first "
       "match of pattern in str; the empty string when there is no match. Null when str is "
       "null.",
       "reviews.select(F.regexp_extract(\"reviewTime\", \"(\\\\d{4})$\", 1).alias(\"year\"))"),
    FN("regexp_replace", "regexp_replace(string, pattern, replacement)",
       "The string with every match of pattern replaced by replacement, which may refer to "
       "groups as $1, $2. Null when any argument is null.",
       "reviews.select(F.regexp_replace(\"summary\", \"[^a-zA-Z ]\", \"\"))"),
    FN("initcap", "initcap(col)",
       "The string with the first letter of each word in upper case and the rest in lower "
       "case (words are separated by spaces). Null when the string is null.",
       "reviews.select(F.initcap(\"reviewerName\"))"),
    FN("instr", "instr(str, substr)",
       "The 1-based position of the first occurrence of substr in str, 0 when it does not "
       "occur, as a bigint. Null when either is null.",
       "reviews.select(F.instr(\"reviewText\", \"great\"))"),
    FN("lpad", "lpad(col, len, pad)",
       "The string padded on the left with repetitions of pad (a space by default) to len "
       "characters; a longer string is cut to len. Null when any argument is null.",
       "reviews.select(F.lpad(\"asin\", 12, \"0\"))"),
    FN("rpad", "rpad(col, len, pad)",
       "The string padded on the right with repetitions of pad (a space by default) to len "
       "characters; a longer string is cut to len. Null when any argument is null.",
       "reviews.select(F.rpad(\"asin\", 12, \".\"))"),
    FN("reverse", "reverse(col)",
       "The string with its characters in reverse order. Null when the string is null.",
       "reviews.select(F.reverse(\"asin\"))"),

    /* ---- functions: math ------------------------------------------------------------------- */
    FN("isnan", "isnan(col)",
       "True when a double is NaN (not a number). Never null: isnan(null) is false.",
       "reviews.filter(F.isnan(\"overall\")).count()"),
    FN("signum", "signum(col)", S_SIGNUM, "reviews.select(F.signum(F.col(\"overall\") - 3))"),
    ALIAS("sign", "signum", "sign(col)", S_SIGNUM, "reviews.select(F.sign(F.col(\"overall\") - 3))",
          "pyspark.sql.functions.sign"),
    FN("abs", "abs(col)",
       "The absolute value, of the same type as the input. Null when the input is null.",
       "reviews.select(F.abs(F.col(\"overall\") - 3))"),
    FN("round", "round(col, scale=0)",
       "The number rounded to scale decimal places, halves away from zero (HALF_UP: "
       "round(2.5) is 3.0, round(2.675, 2) is 2.68), of the input's type. A negative scale "
       "rounds to tens, hundreds, ... Null when the input is null.",
       "reviews.groupBy(\"asin\").agg(F.round(F.avg(\"overall\"), 2).alias(\"rating\"))"),
    FN("bround", "bround(col, scale=0)",
       "The number rounded to scale decimal places, halves to the even neighbour (HALF_EVEN, "
       "banker's rounding: bround(2.5) is 2.0, bround(3.5) is 4.0). Null when the input is "
       "null.",
       "reviews.select(F.bround(F.col(\"overall\") / 2))"),
    FN("floor", "floor(col)",
       "The largest integer not greater than x, as a bigint. Null when x is null.",
       "reviews.select(F.floor(F.col(\"overall\") / 2))"),
    FN("ceil", "ceil(col)", S_CEIL, "reviews.select(F.ceil(F.col(\"overall\") / 2))"),
    ALIAS("ceiling", "ceil", "ceiling(col)", S_CEIL, "reviews.select(F.ceiling(F.col(\"overall\") / 2))",
          "pyspark.sql.functions.ceiling"),
    FN("sqrt", "sqrt(col)",
       "The square root, as a double; NaN for a negative number, null for null.",
       "reviews.select(F.sqrt(\"overall\"))"),
    FNP("log", "log([base,] col)", S_LOG, "reviews.select(F.log(10.0, F.length(\"reviewText\")))",
        "pyspark.sql.functions.log"),
    {"ln", "ln(col)",
     "An alias of log with one argument, with the same behaviour: the natural logarithm of x, "
     "as a double; null when x is zero or negative, or null.",
     "reviews.select(F.ln(F.length(\"reviewText\")))", "pyspark.sql.functions.ln"},
    FN("log10", "log10(col)",
       "The base-10 logarithm, as a double; null when x is zero, negative or null.",
       "reviews.select(F.log10(F.length(\"reviewText\")))"),
    FN("log2", "log2(col)",
       "The base-2 logarithm, as a double; null when x is zero, negative or null.",
       "reviews.select(F.log2(F.length(\"reviewText\")))"),
    FN("exp", "exp(col)",
       "e raised to the power x, as a double. Null when x is null.",
       "reviews.select(F.exp(\"overall\"))"),
    FN("pow", "pow(col1, col2)", S_POW, "reviews.select(F.pow(\"overall\", 2))"),
    ALIAS("power", "pow", "power(col1, col2)", S_POW, "reviews.select(F.power(\"overall\", 2))",
          "pyspark.sql.functions.power"),

    /* ---- functions: nulls ------------------------------------------------------------------ */
    FN("coalesce", "coalesce(*cols)",
       "The first argument that is not null, row by row; null when all are null. The "
       "arguments must have compatible types.",
       "reviews.select(F.coalesce(\"reviewerName\", F.lit(\"anonymous\")))"),
    FN("greatest", "greatest(*cols)",
       "The largest of the values, skipping nulls; null only when all are null. Takes at "
       "least two columns of compatible types.",
       "reviews.select(F.greatest(\"overall\", F.lit(3.0)))"),
    FN("least", "least(*cols)",
       "The smallest of the values, skipping nulls; null only when all are null. Takes at "
       "least two columns of compatible types.",
       "reviews.select(F.least(\"overall\", F.lit(3.0)))"),
    FN("nvl", "nvl(col1, col2)", S_NVL, "reviews.select(F.nvl(\"reviewerName\", F.lit(\"anonymous\")))"),
    ALIAS("ifnull", "nvl", "ifnull(col1, col2)", S_NVL,
          "reviews.select(F.ifnull(\"reviewerName\", F.lit(\"anonymous\")))", "pyspark.sql.functions.ifnull"),

    /* ---- functions: dates and times -------------------------------------------------------- */
    FN("to_date", "to_date(col[, format])",
       "The string parsed as a date with a Spark datetime pattern (\"yyyy-MM-dd\", \"MM dd, "
       "yyyy\"); without a format the lenient rules of cast('date'). Text that does not match "
       "becomes null, and Loupe warns how many values did. A timestamp keeps its date.",
       "reviews.select(F.to_date(\"reviewTime\", \"MM dd, yyyy\").alias(\"day\"))"),
    FN("to_timestamp", "to_timestamp(col[, format])",
       "The string parsed as a timestamp with a Spark datetime pattern (\"yyyy-MM-dd "
       "HH:mm:ss\"); text that does not match becomes null (Loupe warns how many did). Loupe "
       "works in UTC.",
       "reviews.select(F.to_timestamp(F.from_unixtime(\"unixReviewTime\")).alias(\"ts\"))"),
    FN("from_unixtime", "from_unixtime(timestamp, format=\"yyyy-MM-dd HH:mm:ss\")",
       "Seconds since 1970-01-01 UTC formatted as a string with the pattern. Loupe works in "
       "UTC (Spark uses the session time zone). Null when the input is null.",
       "reviews.select(F.from_unixtime(\"unixReviewTime\", \"yyyy-MM\").alias(\"month\"))"),
    FN("unix_timestamp", "unix_timestamp([timestamp[, format]])",
       "Seconds since 1970-01-01 UTC, as a bigint: of a date, a timestamp, or a string parsed "
       "with format (default \"yyyy-MM-dd HH:mm:ss\"; text that does not match gives null); "
       "with no argument, of the current time.",
       "reviews.select(F.unix_timestamp(F.to_date(\"reviewTime\", \"MM dd, yyyy\")))"),
    FN("year", "year(col)",
       "The year of a date or timestamp (a string is cast to a date first), as a bigint. Null "
       "when the value is null.",
       "reviews.groupBy(F.year(F.to_date(\"reviewTime\", \"MM dd, yyyy\")).alias(\"y\")).count()"),
    FN("month", "month(col)",
       "The month (1-12) of a date or timestamp. Null when the value is null.",
       "reviews.select(F.month(F.from_unixtime(\"unixReviewTime\")))"),
    FNP("day", "day(col)", S_DAY, "reviews.select(F.day(F.to_date(\"reviewTime\", \"MM dd, yyyy\")))",
        "pyspark.sql.functions.dayofmonth"),
    ALIAS("dayofmonth", "day", "dayofmonth(col)", S_DAY,
          "reviews.select(F.dayofmonth(F.to_date(\"reviewTime\", \"MM dd, yyyy\")))",
          "pyspark.sql.functions.dayofmonth"),
    FN("dayofweek", "dayofweek(col)",
       "The day of the week of a date or timestamp, from 1 = Sunday to 7 = Saturday. Null when "
       "the value is null.",
       "reviews.groupBy(F.dayofweek(F.from_unixtime(\"unixReviewTime\")).alias(\"dow\")).count()"),
    FN("hour", "hour(col)",
       "The hour (0-23, UTC) of a timestamp. Null when the value is null.",
       "reviews.select(F.hour(F.from_unixtime(\"unixReviewTime\")))"),
    FN("minute", "minute(col)",
       "The minute (0-59) of a timestamp. Null when the value is null.",
       "reviews.select(F.minute(F.from_unixtime(\"unixReviewTime\")))"),
    FN("second", "second(col)",
       "The second (0-59) of a timestamp. Null when the value is null.",
       "reviews.select(F.second(F.from_unixtime(\"unixReviewTime\")))"),
    FN("quarter", "quarter(col)",
       "The quarter of the year (1-4) of a date or timestamp. Null when the value is null.",
       "reviews.select(F.quarter(F.from_unixtime(\"unixReviewTime\")))"),
    FN("dayofyear", "dayofyear(col)",
       "The day of the year (1-366) of a date or timestamp. Null when the value is null.",
       "reviews.select(F.dayofyear(F.from_unixtime(\"unixReviewTime\")))"),
    FN("weekofyear", "weekofyear(col)",
       "The ISO 8601 week of the year (1-53) of a date or timestamp: weeks start on Monday and "
       "week 1 is the week with the year's first Thursday. Null when the value is null.",
       "reviews.select(F.weekofyear(F.from_unixtime(\"unixReviewTime\")))"),
    FN("date_trunc", "date_trunc(format, timestamp)",
       "The timestamp truncated to the unit format: \"year\", \"quarter\", \"month\", "
       "\"week\" (to Monday), \"day\", \"hour\", \"minute\", \"second\" (also \"yyyy\", \"mm\", "
       "\"dd\", ...). An unknown unit or a null gives null.",
       "reviews.groupBy(F.date_trunc(\"month\", F.from_unixtime(\"unixReviewTime\")).alias(\"m\")).count()"),
    FN("datediff", "datediff(end, start)",
       "The number of days from start to end (end - start; negative when end is earlier), as "
       "a bigint. Timestamps count by their date; strings are cast to dates. Null when either "
       "is null.",
       "reviews.select(F.datediff(F.current_date(), F.to_date(\"reviewTime\", \"MM dd, yyyy\")))"),
    FN("date_add", "date_add(start, days)",
       "The date days days after start (before it when days is negative). Null when either "
       "is null.",
       "reviews.select(F.date_add(F.to_date(\"reviewTime\", \"MM dd, yyyy\"), 30))"),
    FN("date_sub", "date_sub(start, days)",
       "The date days days before start. Null when either is null.",
       "reviews.select(F.date_sub(F.to_date(\"reviewTime\", \"MM dd, yyyy\"), 7))"),
    FN("current_date", "current_date()",
       "Today's date (UTC) as a date.",
       "reviews.select(F.datediff(F.current_date(), F.to_date(\"reviewTime\", \"MM dd, yyyy\")))"),

    /* ---- functions: arrays ----------------------------------------------------------------- */
    FN("size", "size(col)", S_SIZE, "reviews.select(F.size(F.split(\"reviewText\", \" \")).alias(\"words\"))"),
    ALIAS("cardinality", "size", "cardinality(col)", S_SIZE, "reviews.select(F.cardinality(\"helpful\"))",
          "pyspark.sql.functions.cardinality"),
    FN("explode", "explode(col)",
       "One row per element of an array column, the other columns repeated; rows whose array is "
       "null or empty give no row. The new column is named col unless aliased. Only as a column "
       "of its own in select() (one per select), as in Spark.",
       "reviews.select(\"asin\", F.explode(F.split(\"summary\", \" \")).alias(\"word\"))"),
    FN("explode_outer", "explode_outer(col)",
       "As explode, but a row whose array is null or empty gives one row with a null element "
       "instead of none.",
       "reviews.select(\"asin\", F.explode_outer(\"helpful\"))"),
    FN("posexplode", "posexplode(col)",
       "As explode, with the element's 0-based position first: two columns, pos and col.",
       "reviews.select(\"asin\", F.posexplode(\"helpful\"))"),
    FN("posexplode_outer", "posexplode_outer(col)",
       "As posexplode, but a null or empty array gives one row with null pos and col.",
       "reviews.select(\"asin\", F.posexplode_outer(\"helpful\"))"),
    FN("struct", "struct(*cols)",
       "A struct column holding the given columns as named fields (each field is named after its "
       "column, its alias, or col1, col2, ... for other expressions). show() prints {a, b}; reach "
       "a field with s.field, s['field'], col('s.field') or s.getField('field').",
       "reviews.select(F.struct(\"asin\", F.col(\"overall\").alias(\"stars\")).alias(\"item\"))"),
    FNP("named_struct", "named_struct(name1, value1, ...)",
        "A struct column from pairs of a field name (a string) and a value, as SQL writes it: "
        "named_struct('a', x, 'b', y).",
        "spark.sql(\"SELECT named_struct('stars', overall, 'asin', asin) AS item FROM reviews\")",
        "pyspark.sql.functions.named_struct (SQL)"),
    FN("window", "window(timeColumn, windowDuration, slideDuration=None, startTime=None)",
       "Event-time windows, as Spark Structured Streaming has them: a struct column `window` with "
       "fields start and end (timestamps, [start, end) half-open). Durations are strings such as "
       "'10 minutes', '1 hour', '3 days', '1 week'. Without a slide the windows tumble (each row in "
       "one window); with a shorter slide they overlap and groupBy puts a row in every window "
       "that covers it. Windows are aligned to 1970-01-01 plus startTime. Rows with a null time "
       "belong to no window.",
       "reviews.withColumn(\"ts\", F.col(\"unixReviewTime\").cast(\"timestamp\"))"
       ".groupBy(F.window(\"ts\", \"3 days\", \"1 day\"), \"asin\").count()"),
    FN("array_contains", "array_contains(col, value)",
       "True when the array contains value, false when it does not; null when the array or "
       "value is null, or when value is not found but the array holds a null.",
       "reviews.filter(F.array_contains(\"helpful\", 0))"),
    FN("element_at", "element_at(col, extraction)",
       "The element at a 1-based index of an array; a negative index counts from the end "
       "(-1 is the last). Out of range, or index 0, gives null (Spark raises an error for 0).",
       "reviews.select(F.element_at(\"helpful\", 2).alias(\"votes\"))"),

    /* ---- functions: aggregates ------------------------------------------------------------- */
    FN("count", "count(col)",
       "Aggregate: the number of rows in each group where col is not null, as a bigint; "
       "count(\"*\") or count(1) counts every row.",
       "reviews.groupBy(\"asin\").agg(F.count(\"*\").alias(\"n\"))"),
    FN("count_distinct", "count_distinct(col)", S_COUNT_DISTINCT, E_COUNT_DISTINCT),
    ALIAS("countdistinct", "count_distinct", "countDistinct(col)", S_COUNT_DISTINCT,
          "reviews.agg(F.countDistinct(\"reviewerID\"))", "pyspark.sql.functions.countDistinct"),
    ALIAS("countDistinct", "count_distinct", "countDistinct(col)", S_COUNT_DISTINCT,
          "reviews.agg(F.countDistinct(\"reviewerID\"))", "pyspark.sql.functions.countDistinct"),
    FN("sum", "sum(col)",
       "Aggregate: the sum of the non-null values of a numeric column (bigint for integers, "
       "double otherwise); null when a group has no non-null value.",
       "reviews.groupBy(\"reviewerID\").agg(F.sum(F.col(\"helpful\")[0]).alias(\"votes\"))"),
    FN("avg", "avg(col)", S_AVG, E_AVG),
    ALIAS("mean", "avg", "mean(col)", S_AVG, "reviews.groupBy(\"asin\").agg(F.mean(\"overall\"))",
          "pyspark.sql.functions.mean"),
    FN("min", "min(col)",
       "Aggregate: the smallest non-null value of the column in each group (numbers, strings in "
       "byte order, dates); null when there is none.",
       "reviews.groupBy(\"asin\").agg(F.min(\"unixReviewTime\").alias(\"first_review\"))"),
    FN("max", "max(col)",
       "Aggregate: the largest non-null value of the column in each group; null when there is "
       "none.",
       "reviews.groupBy(\"asin\").agg(F.max(\"unixReviewTime\").alias(\"last_review\"))"),
    FN("stddev", "stddev(col)", S_STDDEV, "reviews.groupBy(\"asin\").agg(F.stddev(\"overall\"))"),
    ALIAS("stddev_samp", "stddev", "stddev_samp(col)", S_STDDEV,
          "reviews.groupBy(\"asin\").agg(F.stddev_samp(\"overall\"))", "pyspark.sql.functions.stddev_samp"),
    ALIAS("std", "stddev", "std(col)", S_STDDEV, "reviews.groupBy(\"asin\").agg(F.std(\"overall\"))",
          "pyspark.sql.functions.std"),
    FN("stddev_pop", "stddev_pop(col)",
       "Aggregate: the population standard deviation (dividing by n) of the non-null values, as "
       "a double; null when a group has no non-null value.",
       "reviews.groupBy(\"asin\").agg(F.stddev_pop(\"overall\"))"),
    FN("variance", "variance(col)", S_VARIANCE, "reviews.groupBy(\"asin\").agg(F.variance(\"overall\"))"),
    ALIAS("var_samp", "variance", "var_samp(col)", S_VARIANCE,
          "reviews.groupBy(\"asin\").agg(F.var_samp(\"overall\"))", "pyspark.sql.functions.var_samp"),
    FN("var_pop", "var_pop(col)",
       "Aggregate: the population variance (dividing by n) of the non-null values, as a double; "
       "null when a group has no non-null value.",
       "reviews.groupBy(\"asin\").agg(F.var_pop(\"overall\"))"),
    FN("first", "first(col, ignorenulls=False)",
       "Aggregate: the value of col in the first row of each group, in the input's order (in "
       "Spark the order can depend on partitioning, so sort or use min when it matters). With "
       "ignorenulls=True the first non-null value.",
       "reviews.groupBy(\"asin\").agg(F.first(\"summary\", ignorenulls=True))"),
    FN("last", "last(col, ignorenulls=False)",
       "Aggregate: the value of col in the last row of each group, in the input's order; with "
       "ignorenulls=True the last non-null value.",
       "reviews.groupBy(\"asin\").agg(F.last(\"summary\"))"),
    FN("median", "median(col)",
       "Aggregate: the exact median of the non-null values of a numeric column, as a double "
       "(the mean of the two middle values for an even count, as percentile(col, 0.5)); null "
       "when there is none.",
       "reviews.groupBy(\"asin\").agg(F.median(\"overall\").alias(\"median\"))"),
    FN("percentile", "percentile(col, percentage)",
       "Aggregate: the exact percentile of the non-null values of a numeric column at "
       "percentage (0.0 to 1.0), interpolating linearly between neighbouring values, as a "
       "double; null when there is none.",
       "reviews.agg(F.percentile(\"unixReviewTime\", 0.9))"),
    FN("percentile_approx", "percentile_approx(col, percentage, accuracy=10000)", S_PCT_APPROX,
       "reviews.groupBy(\"asin\").agg(F.percentile_approx(\"overall\", 0.5).alias(\"p50\"))"),
    ALIAS("approx_percentile", "percentile_approx", "approx_percentile(col, percentage, accuracy=10000)",
          S_PCT_APPROX, "reviews.agg(F.approx_percentile(\"overall\", 0.5))",
          "pyspark.sql.functions.approx_percentile"),
    FN("collect_list", "collect_list(col)",
       "Aggregate: the non-null values of col in each group as an array (nulls are left out), "
       "in the input's order.",
       "reviews.groupBy(\"reviewerID\").agg(F.collect_list(\"asin\").alias(\"products\"))"),
};

const lp_help *lp_help_lookup(const char *topic) {
    if (!topic) return NULL;
    for (size_t i = 0; i < LP_ARRAY_LEN(entries); i++)
        if (strcmp(entries[i].topic, topic) == 0) return &entries[i];
    return NULL;
}

int lp_help_count(void) { return (int)LP_ARRAY_LEN(entries); }

const lp_help *lp_help_at(int i) { return i >= 0 && i < lp_help_count() ? &entries[i] : NULL; }

/* Appends text word-wrapped at `width` columns (bytes; the texts are ASCII), words separated
 * by single spaces. A word longer than the width gets a line of its own. */
static void wrap(lp_strbuf *out, const char *s, size_t width) {
    size_t col = 0;
    while (*s) {
        while (*s == ' ') s++;
        if (!*s) break;
        size_t n = strcspn(s, " ");
        if (col > 0 && col + 1 + n > width) {
            lp_strbuf_putc(out, '\n');
            col = 0;
        } else if (col > 0) {
            lp_strbuf_putc(out, ' ');
            col++;
        }
        lp_strbuf_append(out, s, n);
        col += n;
        s += n;
    }
    lp_strbuf_putc(out, '\n');
}

void lp_help_format(const lp_help *h, lp_strbuf *out) {
    lp_strbuf_puts(out, h->signature);
    lp_strbuf_puts(out, "\n\n");
    wrap(out, h->summary, 78);
    lp_strbuf_puts(out, "\nExample:\n");
    for (const char *line = h->example; *line;) {
        size_t n = strcspn(line, "\n");
        lp_strbuf_puts(out, "    ");
        lp_strbuf_append(out, line, n);
        lp_strbuf_putc(out, '\n');
        line += n;
        if (*line == '\n') line++;
    }
    lp_strbuf_printf(out, "\nPySpark: %s\n", h->pyspark);
}
