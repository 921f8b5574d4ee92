#!/usr/bin/env bash
# tests/limits/limits.sh LOUPE -- the limits too big for the sanitizer build, on the plain build:
# a JSON lines file whose first record is one 2 GB line. The read must give the right lengths
# (or a clear error), never a crash or a hang; the peak memory is printed for the record.
# The smaller hostile inputs are in tests/engine/test_limits.c.
set -euo pipefail
loupe=$(realpath "${1:?usage: limits.sh LOUPE}")
dir=$(mktemp -d /tmp/loupe-limits.XXXXXX)
trap 'rm -rf "$dir"' EXIT
big=$((2 * 1024 * 1024 * 1024))
{ printf '{"t": "'; head -c "$big" /dev/zero | tr '\0' x; printf '"}\n{"t": "short"}\n'; } >"$dir/line.json"
out=$( cd "$dir" && /usr/bin/time -f 'limits: %e s wall, %M KB peak' "$loupe" -c \
    'd = spark.read.json("line.json")
print(d.select(F.length("t").alias("n")).collect())' 2>"$dir/err" ) || { cat "$dir/err" >&2; exit 1; }
cat "$dir/err" >&2
want="[Row(n=$big), Row(n=5)]"
if [ "$out" != "$want" ]; then
    echo "limits.sh: a 2 GB line read as '$out', want '$want'" >&2
    exit 1
fi
echo "limits.sh: a 2 GB single JSON line read correctly"
