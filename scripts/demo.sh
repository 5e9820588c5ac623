#!/usr/bin/env bash
# The end-to-end demo: train the 784-500-100-10 MLP of DL4J's MNIST example,
# evaluate it, save it, reload it and predict with it; then the same for
# Iris from the CSV shipped in data/. Usage: scripts/demo.sh [DL4C_BINARY]
# MNIST comes from $DL4C_MNIST_DIR, else ../shared/data/mnist, else the
# 2,000-image subset in data/mnist-small.
set -euo pipefail
cd "$(dirname "$0")/.."
dl4c=${1:-build/dl4c}
out=demo-out
mkdir -p "$out"

mnist=${DL4C_MNIST_DIR:-../shared/data/mnist}
if [[ ! -f "$mnist/train-images-idx3-ubyte.gz" && ! -f "$mnist/train-images-idx3-ubyte" ]]; then
    echo "(full MNIST not found at $mnist: using the subset in data/mnist-small)"
    mnist=data/mnist-small
fi
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "dl4c: $("$dl4c" version | tr '\n' ' ')"

step "MNIST: train the 784-500-100-10 MLP (ReLU, softmax + NLL, Nesterov momentum 0.98, L2), 15 epochs"
"$dl4c" train --preset mnist-mlp --data "$mnist" --test "$mnist" --num-classes 10 \
    --epochs 15 --batch 64 --seed 123 --out "$out/mnist.dl4c"

step "MNIST: the saved model"
"$dl4c" summary "$out/mnist.dl4c"

step "MNIST: reload it and evaluate on the test set"
"$dl4c" evaluate --model "$out/mnist.dl4c" --data "$mnist" --top-n 2

step "MNIST: predict the first 5 test images (class, then the 10 probabilities)"
"$dl4c" predict --model "$out/mnist.dl4c" --input "$mnist" --limit 5

step "Iris: train an MLP on data/iris.csv, holding 20% out for testing"
"$dl4c" train --preset mlp --hidden 16,16 --data data/iris.csv --label-index 4 \
    --num-classes 3 --split 0.8 --epochs 100 --batch 16 --seed 7 --out "$out/iris.dl4c"

step "Iris: reload and evaluate on all 150 rows"
"$dl4c" evaluate --model "$out/iris.dl4c" --data data/iris.csv --label-index 4 --num-classes 3

step "Iris: predict rows from stdin (a pipe)"
printf '5.1,3.5,1.4,0.2\n5.7,2.8,4.1,1.3\n6.7,3.0,5.2,2.3\n' |
    "$dl4c" predict --model "$out/iris.dl4c" --header

# The data pipeline: a dataset store of its own under demo-out/, so the
# demo starts from nothing every time
export DL4C_HOME="$out/dl4c-home"
rm -rf "$DL4C_HOME"
pngs=${DL4C_SHARED_DIR:-../shared}/data/fashion-mnist-png
if [[ -d $pngs ]]; then
    step "Fashion-MNIST PNGs: ingest the folders into the dataset store (labels from folders)"
    "$dl4c" data ingest "$pngs" --dataset fashion --attr source=zalando
    "$dl4c" data ingest "$pngs" --dataset fashion # again: nothing changes

    step "Fashion-MNIST: choose items with SQL"
    "$dl4c" data query fashion --where "label IN ('bag', 'trouser', 'sneaker') AND width >= 28" --count
    "$dl4c" data query fashion --where "label = 'bag' AND split = 'test'" --limit 3
    "$dl4c" data query fashion --where "1; DELETE FROM dataset_items" --count ||
        echo "(refused, as it should be)"

    step "Fashion-MNIST: train a small CNN (LeNet) on the query's items, evaluate on the test split"
    "$dl4c" train --dataset fashion --where "label IN ('bag', 'trouser', 'sneaker')" \
        --preset lenet --epochs 8 --batch 16 --seed 5 --prefetch 2 --out "$out/fashion3.dl4c"

    step "Fashion-MNIST: the CNN predicts raw image files (path, class, probabilities)"
    "$dl4c" predict --model "$out/fashion3.dl4c" --input "$pngs/test/sneaker" --header --limit 5

    step "Fashion-MNIST: a data report of the store (train split vs test split)"
    "$dl4c" data analyze --dataset fashion --out "$out/fashion-report.html"
else
    echo "(no $pngs: skipping the Fashion-MNIST dataset store demo)"
fi

step "Raw Iris rows through a transform process: fit, train, predict on raw rows"
"$dl4c" data transform data/iris-raw.csv --transform data/iris-transform.json \
    --fit --out "$out/iris-clean.csv" --save "$out/iris-transform-fitted.json"
"$dl4c" train --data data/iris-raw.csv --transform data/iris-transform.json \
    --preset mlp --hidden 16 --split 0.8 --epochs 60 --batch 16 --seed 3 \
    --out "$out/iris-raw.dl4c"
printf '5.1,3.5,1.4,0.2,south,2024-03-02 05:13:00\n6.3,2.9,5.6,1.8,north,2024-03-05 14:30:00\n' |
    "$dl4c" predict --model "$out/iris-raw.dl4c" --header

step "Iris: a data report, first half against second half (drift per column)"
{ head -76 data/iris-raw.csv > "$out/iris-a.csv"; }
{ head -1 data/iris-raw.csv; tail -75 data/iris-raw.csv; } > "$out/iris-b.csv"
"$dl4c" data analyze "$out/iris-a.csv" --vs "$out/iris-b.csv" --out "$out/iris-report.html"

step "done: models and reports are in $out/"
