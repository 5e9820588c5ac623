#!/usr/bin/env bash
# labels: cli
# The model store from the command line: dl4c train registers every run,
# models list/show/compare/label/rm/add, store references wherever a model
# file is accepted, lineage, clear errors, and parallel training runs
# registering at once without losing or repeating a version.
dl4c=$1
source "$(dirname "$0")/lib.sh"
iris=data/iris.csv
export OMP_NUM_THREADS=1
common=(--data $iris --label-index 4 --num-classes 3 --batch 16)

expect 0 "registered iris:1" -- "$dl4c" train --preset mlp --hidden 8 "${common[@]}" \
    --split 0.8 --epochs 20 --seed 1 --out "$tmp/iris.dl4c"
expect 0 "registered flowers:1" -- "$dl4c" train --preset mlp --hidden 8 "${common[@]}" \
    --split 0.8 --epochs 20 --seed 2 --name flowers
expect 0 "registered iris:2 in the model store $DL4C_HOME (parent iris:1)" -- \
    "$dl4c" train --model iris "${common[@]}" --split 0.8 --epochs 5
out=$("$dl4c" train --preset mlp --hidden 8 "${common[@]}" --epochs 1 --no-eval \
    --no-register 2>&1)
check "--no-register registers nothing" test "$(grep -c registered <<<"$out")" = 0
# a saved file continues training: its parent is found by the file's hash
expect 0 "(parent iris:1)" -- "$dl4c" train --model "$tmp/iris.dl4c" "${common[@]}" \
    --epochs 1 --no-eval --name iris

# ---- list, show, compare
expect 0 "flowers" -- "$dl4c" models list
out=$("$dl4c" models list iris)
check "list iris shows 3 versions" test "$(grep -c '^iris ' <<<"$out")" = 3
check "list shows the accuracy" grep -q "accuracy 0\.[0-9]" <<<"$out"
expect 0 '"version": 3' -- "$dl4c" models list iris --json
out=$("$dl4c" models show iris:2)
for want in "Model:           iris:2" "Parent:          iris:1" "Dataset:         /" \
    "Accuracy:" "epochs               5" "Output     units=3 activation=softmax" \
    "dl4c version:" "SHA-256:" "Wall time:"; do
    check "show has '$want'" grep -qF "$want" <<<"$out"
done
expect 0 '"accuracy"' -- "$dl4c" models show iris:2 --json
expect 0 '"layers"' -- "$dl4c" models show iris:1 --json --config
out=$("$dl4c" models compare iris:1 iris:2)
check "compare marks differing epochs" grep -q '^\* epochs *20 *5' <<<"$out"
check "compare has accuracies" grep -q 'accuracy *0\.[0-9]* *0\.[0-9]' <<<"$out"
check "compare shows the parent" grep -q 'parent *- *iris:1' <<<"$out"

# ---- labels
expect 0 "iris@stable -> iris:1" -- "$dl4c" models label iris:1 stable
expect 0 "iris@canary -> iris:2" -- "$dl4c" models label iris:2 canary
expect 0 "stable" -- "$dl4c" models show iris@stable
expect 0 "iris@stable -> iris:2" -- "$dl4c" models label iris:2 stable
expect 0 "removed label canary" -- "$dl4c" models label iris canary --remove
expect 1 "no label 'canary' (labels: stable)" -- "$dl4c" models show iris@canary
expect 1 "'1x' is not a label" -- "$dl4c" models label iris:1 1x
expect 2 "NAME:VERSION" -- "$dl4c" models label iris stable
expect 1 "has no version 9" -- "$dl4c" models label iris:9 stable

# ---- references wherever a model file goes
expect 0 "Total params" -- "$dl4c" summary iris@stable
expect 0 "Accuracy" -- "$dl4c" evaluate --model iris:1 "${common[@]}"
a=$(head -3 $iris | cut -d, -f1-4 | "$dl4c" predict --model iris:1)
b=$(head -3 $iris | cut -d, -f1-4 | "$dl4c" predict --model "$tmp/iris.dl4c")
check "iris:1 predicts as the file it was saved from" test "$a" = "$b"
expect 1 "no model 'nope' in the store" -- "$dl4c" predict --model nope
expect 1 "model 'iris' has no version 42 (versions: 1, 2, 3)" -- "$dl4c" summary iris:42
expect 1 "cannot open" -- "$dl4c" summary "$tmp/missing.dl4c"

# ---- add and rm
expect 0 "registered imported:1" -- "$dl4c" models add imported "$tmp/iris.dl4c" \
    --dataset "iris, by hand" --parent iris:1
expect 0 "Parent:          iris:1" -- "$dl4c" models show imported
expect 1 "not a safetensors file" -- "$dl4c" models add broken $iris
expect 1 "no model 'broken'" -- "$dl4c" models show broken
expect 0 "removed iris:3" -- "$dl4c" models rm iris:3
expect 1 "has no version 3" -- "$dl4c" models show iris:3
expect 2 "NAME --all" -- "$dl4c" models rm flowers
expect 0 "removed every version of flowers" -- "$dl4c" models rm flowers --all
expect 1 "no model 'flowers'" -- "$dl4c" models show flowers
expect 0 "registered iris:4" -- "$dl4c" train --model iris "${common[@]}" --epochs 1 --no-eval
expect 2 "usage" -- "$dl4c" models frobnicate
expect 1 "not a model reference" -- "$dl4c" models show 'bad name'

# ---- several training runs registering at once
for i in 1 2 3 4; do
    "$dl4c" train --preset mlp --hidden 4 "${common[@]}" --epochs 2 --seed $i \
        --no-eval --name par >"$tmp/par$i.log" 2>&1 &
done
wait
out=$("$dl4c" models list par)
check "4 parallel runs, 4 versions" test "$(grep -c '^par ' <<<"$out")" = 4
check "versions 1 to 4, none repeated" test \
    "$(awk '/^par / {print $2}' <<<"$out" | sort -n | tr '\n' ' ')" = "1 2 3 4 "

finish
