/* ml_lsh.c -- MinHashLSH and BucketedRandomProjectionLSH (placeholders until the operator lands). */
#include "lang/ml.h"

const lp_mlclass lp_ml_minhash = {.name = "MinHashLSH", .module = "pyspark.ml.feature", .role = LP_ML_ESTIMATOR};
const lp_mlclass lp_ml_minhash_model = {.name = "MinHashLSHModel", .module = "pyspark.ml.feature", .role = LP_ML_MODEL};
const lp_mlclass lp_ml_brp = {.name = "BucketedRandomProjectionLSH", .module = "pyspark.ml.feature", .role = LP_ML_ESTIMATOR};
const lp_mlclass lp_ml_brp_model = {.name = "BucketedRandomProjectionLSHModel", .module = "pyspark.ml.feature", .role = LP_ML_MODEL};
