#!/usr/bin/env bash
# labels: cli
# A transform process from the command line: fitted on raw rows (missing
# and invalid values, categories, a date-time, derived and scaled
# columns), round-tripped through JSON, carried in the model; dl4c predict
# on raw rows gives exactly the predictions of the transformed rows.
dl4c=$1
source "$(dirname "$0")/lib.sh"
raw=data/iris-raw.csv
tp=data/iris-transform.json

expect 0 "10 output columns" -- "$dl4c" data transform $raw --transform $tp \
    --fit --out "$tmp/clean.csv" --save "$tmp/fitted.json"
check "the fitted process holds the statistics" grep -q '"mean"' "$tmp/fitted.json"
# the fitted process, used without --fit, reproduces the rows exactly
expect 0 "" -- "$dl4c" data transform $raw --transform "$tmp/fitted.json" \
    --out "$tmp/clean2.csv"
check "a parsed fitted process gives the same rows" cmp -s "$tmp/clean.csv" "$tmp/clean2.csv"
expect 1 "step 1 (replace_missing): not fitted" -- "$dl4c" data transform $raw \
    --transform $tp --out "$tmp/x.csv"

expect 0 "Accuracy" -- "$dl4c" train --data $raw --transform $tp --preset mlp \
    --hidden 16 --split 0.8 --epochs 60 --batch 16 --seed 3 --no-register \
    --out "$tmp/iris.dl4c"
# raw rows (no label column) through the model's own transform ...
cut -d, -f1-4,6- $raw | tail -n +2 >"$tmp/raw-rows.csv"
"$dl4c" predict --model "$tmp/iris.dl4c" --input "$tmp/raw-rows.csv" \
    --format probabilities >"$tmp/p-raw.txt"
# ... and the rows transformed at training time, without it
cut -d, -f1-4,6- "$tmp/clean.csv" | tail -n +2 >"$tmp/clean-rows.csv"
"$dl4c" predict --model "$tmp/iris.dl4c" --input "$tmp/clean-rows.csv" \
    --no-transform --format probabilities >"$tmp/p-clean.txt"
check "150 predictions" test "$(wc -l <"$tmp/p-raw.txt")" = 150
check "raw rows predict exactly as the transformed rows" cmp -s "$tmp/p-raw.txt" "$tmp/p-clean.txt"
# dl4c evaluate reads raw rows through the model's transform too: the
# same statistics as the transformed rows evaluated without it
"$dl4c" evaluate --model "$tmp/iris.dl4c" --data $raw >"$tmp/ev-raw.txt" 2>&1
"$dl4c" evaluate --model "$tmp/iris.dl4c" --data "$tmp/clean.csv" --no-transform \
    --skip-lines 1 --label-index 4 >"$tmp/ev-clean.txt" 2>&1
check "evaluate on raw rows: accuracy printed" grep -q "Accuracy:" "$tmp/ev-raw.txt"
check "raw rows evaluate exactly as the transformed rows" cmp -s "$tmp/ev-raw.txt" "$tmp/ev-clean.txt"
expect 2 "drop --label-index" -- "$dl4c" evaluate --model "$tmp/iris.dl4c" \
    --data $raw --label-index 4
expect 1 "column 'measured_hour': 'yesterday' is not a date-time" -- bash -c \
    "{ head -2 $raw; echo '5.1,3.5,1.4,0.2,setosa,south,yesterday'; } >'$tmp/badraw.csv' &&
     '$dl4c' evaluate --model '$tmp/iris.dl4c' --data '$tmp/badraw.csv'"
# one raw row from a pipe, with and without its label
row=$(sed -n 2p $raw)
a=$(echo "$row" | "$dl4c" predict --model "$tmp/iris.dl4c" --format probabilities)
b=$(echo "$row" | cut -d, -f1-4,6- | "$dl4c" predict --model "$tmp/iris.dl4c" --format probabilities)
check "a raw row with its label predicts as without" test "$a" = "$b"
check "the first row's prediction matches the file's" awk -v a="$b" \
    -v b="$(head -1 "$tmp/p-raw.txt")" 'BEGIN {n = split(a, x, ","); split(b, y, ",");
    for (i = 1; i <= n; i++) if (x[i] - y[i] > 1e-5 || y[i] - x[i] > 1e-5) exit 1}'
expect 0 "setosa" -- bash -c "sed -n 2p $raw | '$dl4c' predict --model '$tmp/iris.dl4c' --format class"
# a row the filter removes answers with an empty line
out=$(printf '5.1,3.5,1.4,0.2,south,2024-03-02 05:13:00\n0,3.5,1.4,0.2,south,2024-03-02 05:13:00\n' |
    "$dl4c" predict --model "$tmp/iris.dl4c" --format class)
check "filtered row: empty line ($out)" test "$(echo "$out" | sed -n 2p)" = ""
expect 1 "column 'measured_hour': 'yesterday' is not a date-time" -- bash -c \
    "echo '5.1,3.5,1.4,0.2,south,yesterday' | '$dl4c' predict --model '$tmp/iris.dl4c'"
expect 1 "stdin:1: 3 values in the row; the transform reads 7" -- bash -c \
    "echo '5.1,3.5,1.4' | '$dl4c' predict --model '$tmp/iris.dl4c'"
expect 1 "'west' is not a known category" -- bash -c \
    "echo '5.1,3.5,1.4,0.2,west,2024-03-02' | '$dl4c' predict --model '$tmp/iris.dl4c'"

# bad processes and data
printf '{"schema": [{"name": "a", "type": "double"}], "steps": [{"op": "minmax", "column": "b"}]}' >"$tmp/bad.json"
expect 1 "step 1 (minmax): no column 'b' (columns: a)" -- "$dl4c" data transform \
    $raw --transform "$tmp/bad.json" --out "$tmp/x.csv"
printf 'sepal_length,sepal_width,petal_length,petal_width,species,site,measured\n1,2,3,4,setosa,east,2024-01-01\n1,2,3\n' >"$tmp/short.csv"
expect 1 "short.csv:3: expected 7 columns, found 3" -- "$dl4c" data transform \
    "$tmp/short.csv" --transform "$tmp/fitted.json" --out "$tmp/x.csv"
expect 2 "--data is required (or --dataset)" -- "$dl4c" train --transform $tp --preset mlp
grep -v '"label"' $tp >"$tmp/nolabel.json"
expect 2 "say which column is the label" -- "$dl4c" train --data $raw \
    --transform "$tmp/nolabel.json" --preset mlp
finish
