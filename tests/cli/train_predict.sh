#!/usr/bin/env bash
# labels: cli
# dl4c train / evaluate / predict / summary on Iris, as a user types them;
# a checkpointed run resumed from the middle ends with the same model as an
# uninterrupted one.
dl4c=$1
source "$(dirname "$0")/lib.sh"
iris=data/iris.csv

expect 0 "Accuracy" -- "$dl4c" train --preset mlp --hidden 16,16 --data $iris \
    --label-index 4 --num-classes 3 --split 0.8 --epochs 80 --batch 16 --seed 7 \
    --out "$tmp/iris.dl4c"
check "model file written" test -s "$tmp/iris.dl4c"

out=$("$dl4c" evaluate --model "$tmp/iris.dl4c" --data $iris --label-index 4 --num-classes 3)
acc=$(echo "$out" | awk '/ Accuracy:/ {print $2}')
check "evaluate accuracy $acc >= 0.95" awk -v a="$acc" 'BEGIN {exit !(a >= 0.95)}'
expect 0 '"accuracy"' -- "$dl4c" evaluate --model "$tmp/iris.dl4c" --data $iris --json

# predict: one line per input row from a pipe, rows with labels skipped by index
lines=$(cut -d, -f1-4 $iris | "$dl4c" predict --model "$tmp/iris.dl4c" --format class | wc -l)
check "predict wrote 150 lines ($lines)" test "$lines" = 150
right=$(paste -d, <(cut -d, -f5 $iris) <("$dl4c" predict --model "$tmp/iris.dl4c" \
    --input $iris --label-index 4 --format class) | awk -F, '$1 == $2' | wc -l)
check "predicted classes agree with labels ($right of 150)" test "$right" -ge 140
first=$(head -1 $iris | cut -d, -f1-4 | "$dl4c" predict --model "$tmp/iris.dl4c" --format probabilities)
check "probabilities sum to 1 ($first)" awk -v l="$first" 'BEGIN {n = split(l, p, ","); s = 0; for (i = 1; i <= n; i++) s += p[i]; exit !(n == 3 && s > 0.999 && s < 1.001)}'
expect 0 "Total params: 403" -- "$dl4c" summary "$tmp/iris.dl4c"

# libsvm: a test file without class 2 keeps the training file's numbering
awk -F, '{printf "%d 1:%s 2:%s 3:%s 4:%s\n", $5 + 1, $1, $2, $3, $4}' $iris >"$tmp/iris.svm"
grep -v '^2 ' "$tmp/iris.svm" >"$tmp/iris-no2.svm"
out=$("$dl4c" train --preset mlp --hidden 16 --data "$tmp/iris.svm" --test "$tmp/iris-no2.svm" \
    --num-classes 3 --epochs 60 --batch 16 --seed 3 --no-register --out "$tmp/isvm.dl4c" 2>&1)
check "libsvm test file: 100 examples of the 3 classes" \
    grep -q "test data: 100 examples, features \[4\], 3 classes" <<<"$out"
acc=$("$dl4c" evaluate --model "$tmp/isvm.dl4c" --data "$tmp/iris-no2.svm" | awk '/ Accuracy:/ {print $2}')
check "libsvm evaluation keeps the classes apart ($acc >= 0.9)" awk -v a="$acc" 'BEGIN {exit !(a >= 0.9)}'
echo '9 1:1' >"$tmp/nine.svm"
expect 1 "example 1 has label 9, which is not one of the 3 classes" -- \
    "$dl4c" evaluate --model "$tmp/isvm.dl4c" --data "$tmp/nine.svm"

# resume: 6 epochs straight vs 6 epochs stopped after 3 and resumed
common=(--preset mlp --hidden 8 --data $iris --label-index 4 --num-classes 3
        --batch 16 --seed 3 --no-eval)
expect 0 "" -- "$dl4c" train "${common[@]}" --epochs 6 --out "$tmp/straight.dl4c"
expect 0 "" -- "$dl4c" train "${common[@]}" --epochs 3 --checkpoint-dir "$tmp/ckpt" \
    --checkpoint-epochs 1 --out "$tmp/half.dl4c"
check "three checkpoints kept" test "$(ls "$tmp/ckpt" | wc -l)" = 3
expect 0 "resuming" -- "$dl4c" train --resume "$tmp/ckpt" --data $iris --label-index 4 \
    --num-classes 3 --batch 16 --seed 3 --epochs 6 --no-eval --out "$tmp/resumed.dl4c"
a=$(cut -d, -f1-4 $iris | "$dl4c" predict --model "$tmp/straight.dl4c")
b=$(cut -d, -f1-4 $iris | "$dl4c" predict --model "$tmp/resumed.dl4c")
check "resumed model predicts exactly as the uninterrupted one" test "$a" = "$b"

# a saved model continues training: its loss goes down
expect 0 "" -- "$dl4c" train --model "$tmp/half.dl4c" --data $iris --label-index 4 \
    --num-classes 3 --batch 16 --epochs 3 --no-eval --out "$tmp/more.dl4c"
expect 0 "Trained: 6 epochs" -- "$dl4c" summary "$tmp/more.dl4c"

finish
