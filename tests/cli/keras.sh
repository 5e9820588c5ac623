#!/usr/bin/env bash
# labels: cli
# Keras models at the command line, as a user types it: import an .h5 to a
# dl4c model, evaluate and summarize the .h5 directly, predict on NumPy
# arrays (several inputs and outputs), continue training, and the errors.
dl4c=$1
source "$(dirname "$0")/lib.sh"
iris=data/iris.csv
fx=tests/fixtures/keras

expect 0 "imported $fx/iris_mlp.h5 (Keras 2.3.1, tensorflow): 2 layers" -- \
    "$dl4c" import $fx/iris_mlp.h5 --out "$tmp/iris.dl4c"
check "model file written" test -s "$tmp/iris.dl4c"
expect 0 "updater: adam, learning rate 0.01, iteration 1500" -- \
    "$dl4c" import $fx/iris_mlp.h5

# every --model takes the .h5 as it is
out=$("$dl4c" evaluate --model $fx/iris_mlp.h5 --data $iris --label-index 4 \
    --num-classes 3)
acc=$(echo "$out" | awk '/ Accuracy:/ {print $2}')
check "evaluate accuracy $acc >= 0.95" awk -v a="$acc" 'BEGIN {exit !(a >= 0.95)}'
expect 0 "Total params: 83" -- "$dl4c" summary $fx/iris_mlp.h5
expect 0 "dense_2 (Output)" -- "$dl4c" summary --model $fx/iris_mlp.h5
lines=$(cut -d, -f1-4 $iris | "$dl4c" predict --model $fx/iris_mlp.h5 \
    --format class | wc -l)
check "CSV predict from the .h5 wrote 150 lines ($lines)" test "$lines" = 150

# NumPy in and out: the .h5 and its imported .dl4c give the same bytes
mkdir -p "$tmp/a" "$tmp/b" "$tmp/c"
expect 0 "" -- "$dl4c" predict --model $fx/iris_mlp.h5 \
    --input $fx/iris_features.npy --output-dir "$tmp/a"
expect 0 "" -- "$dl4c" predict --model "$tmp/iris.dl4c" \
    --input $fx/iris_features.npy --output-dir "$tmp/b" --batch 7
check "output_0.npy holds (150, 3)" grep -q "'shape': (150, 3)" "$tmp/a/output_0.npy"
check ".h5 and .dl4c predict the same bytes" cmp -s "$tmp/a/output_0.npy" \
    "$tmp/b/output_0.npy"
# two outputs, in the model's order
expect 0 "" -- "$dl4c" predict --model $fx/nested_functional.h5 \
    --input $fx/iris_features.npy --output-dir "$tmp/c"
check "output_0.npy is (150, 2)" grep -q "'shape': (150, 2)" "$tmp/c/output_0.npy"
check "output_1.npy is (150, 2)" grep -q "'shape': (150, 2)" "$tmp/c/output_1.npy"

# training continues from Keras' weights and optimizer state
out=$("$dl4c" train --model $fx/iris_mlp.h5 --data $iris --label-index 4 \
    --num-classes 3 --normalize none --batch 150 --epochs 4 --no-register \
    --no-eval --out "$tmp/more.dl4c" 2>&1)
first=$(echo "$out" | awk '/^epoch 1\// {print $4}')
last=$(echo "$out" | awk '/^epoch 4\// {print $4}')
check "loss goes down ($first -> $last)" awk -v a="$first" -v b="$last" \
    'BEGIN {exit !(a > 0 && b < a && a < 0.05)}'

# architecture JSON plus weights file
shared=${DL4C_SHARED_DIR:-../shared}/conformance/keras/dl4j/mnist_mlp_tf_keras_2
if [[ -f $shared/mnist_mlp_tf_keras_2_config.json ]]; then
    expect 0 "669706 parameters" -- "$dl4c" import \
        --config $shared/mnist_mlp_tf_keras_2_config.json \
        --weights $shared/mnist_mlp_tf_keras_2_weights.h5
fi
expect 0 "imported $fx/functional.keras (Keras 3.2.1" -- \
    "$dl4c" import $fx/functional.keras --out "$tmp/k3.dl4c"

# inputs with None dims take the shape given
shared12=${DL4C_SHARED_DIR:-../shared}/conformance/keras/dl4j/examples/12net.h5
if [[ -f $shared12 ]]; then
    expect 1 "give the input's shape" -- "$dl4c" import $shared12
    expect 0 "imported" -- "$dl4c" import $shared12 --input-shape 24,24,3 \
        --out "$tmp/12net.dl4c"
    expect 0 "(None, 7, 7, 32)" -- "$dl4c" summary "$tmp/12net.dl4c"
fi
expect 2 "is not like" -- "$dl4c" import $fx/iris_mlp.h5 --input-shape 4,x

# errors: every unsupported layer at once, wrong files, wrong arrays
expect 1 "2 layers cannot be imported" -- "$dl4c" import $fx/custom_layers.h5
expect 1 "'fancy_1' (FancyScale)" -- "$dl4c" import $fx/custom_layers.h5
expect 1 "not a Keras model" -- "$dl4c" import $iris
expect 1 "holds nan" -- "$dl4c" import $fx/nan_weights.h5
expect 0 "imported" -- "$dl4c" import $fx/nan_weights.h5 --allow-nonfinite
expect 2 "give one Keras model file" -- "$dl4c" import
expect 1 "the model has 1 inputs (x), got 2 --input files" -- \
    "$dl4c" predict --model $fx/nested_functional.h5 \
    --input $fx/iris_features.npy --input $fx/iris_features.npy
expect 1 "without a Keras model" -- "$dl4c" predict \
    --model $fx/custom_layers_ref.h5 --input $fx/iris_features.npy
expect 1 "input 0 ('dense_1_input'): expected [150, 4], got [150, 3]" -- \
    "$dl4c" predict --model $fx/iris_mlp.h5 --input $fx/iris_expected.npy \
    --output-dir "$tmp/a"
expect 1 "is not a directory" -- "$dl4c" predict --model $fx/iris_mlp.h5 \
    --input $fx/iris_features.npy --output-dir "$tmp/none"
cp $iris "$tmp/iris.npy"
expect 1 "iris.npy: not a .npy file" -- "$dl4c" predict \
    --model $fx/iris_mlp.h5 --input "$tmp/iris.npy" --output-dir "$tmp/a"
finish
