#!/usr/bin/env bash
# labels: cli
# The dataset store from the command line: ingest the Fashion-MNIST PNG
# folders (again: nothing changes), query a subset by label, refuse
# conditions that try to write, train the MLP and a small CNN on the
# query's items and evaluate on the dataset's test split; corrupt images
# skipped with their paths, images of another size without --resize, a
# CSV whose column count changes.
dl4c=$1
source "$(dirname "$0")/lib.sh"
shared=${DL4C_SHARED_DIR:-../shared}/data
pngs=$shared/fashion-mnist-png
if [[ ! -d $pngs ]]; then
    echo "SKIP: $pngs absent"
    exit 77
fi

expect 0 "350 added, 0 already there, 0 skipped" -- \
    "$dl4c" data ingest "$pngs" --dataset fashion --attr source=zalando
expect 0 "0 added, 350 already there" -- "$dl4c" data ingest "$pngs" --dataset fashion
expect 0 "fashion" -- "$dl4c" data list
expect 0 '"train":250' -- "$dl4c" data info fashion
expect 0 "70" -- "$dl4c" data query fashion \
    --where "label IN ('bag', 'trouser') AND width >= 28" --count
expect 0 "bag" -- "$dl4c" data query fashion --where "label = 'bag'" --limit 2
expect 0 '"source":"zalando"' -- "$dl4c" data query fashion --where "id = 1" --json

# conditions that try to do more than read are refused; nothing changes
expect 1 "query refused: a second statement" -- "$dl4c" data query fashion \
    --where "1; DELETE FROM dataset_items" --count
expect 1 "query refused: a second statement" -- "$dl4c" data query fashion \
    --where "1; ATTACH DATABASE '$tmp/evil.db' AS evil" --count
expect 1 "query refused: it reads table 'datasets'" -- "$dl4c" data query \
    fashion --where "label IN (SELECT name FROM datasets)" --count
expect 1 "syntax error" -- "$dl4c" data query fashion --where "DELETE FROM datasets" --count
expect 0 "350" -- "$dl4c" data query fashion --count
check "no database was attached" test ! -e "$tmp/evil.db"

# train on three classes chosen by a query; the test split evaluates
expect 0 "Accuracy" -- "$dl4c" train --dataset fashion \
    --where "label IN ('bag', 'trouser', 'sneaker')" --preset mlp \
    --epochs 8 --batch 16 --seed 5 --out "$tmp/fashion3.dl4c" --no-register
# the small CNN (LeNet) on the same query, fed by the prefetching iterator
out=$("$dl4c" train --dataset fashion --where "label IN ('bag', 'trouser', 'sneaker')" \
    --preset lenet --epochs 8 --batch 16 --seed 5 --no-register --prefetch 2 \
    --out "$tmp/cnn.dl4c" 2>&1)
acc=$(echo "$out" | awk '/ Accuracy:/ {print $2}')
check "CNN accuracy on the 30 test images ($acc) >= 0.9" awk -v a="$acc" 'BEGIN {exit !(a >= 0.9)}'

# evaluated again on the query's test split: the figure training printed
ev=$("$dl4c" evaluate --model "$tmp/cnn.dl4c" --dataset fashion \
    --where "label IN ('bag', 'trouser', 'sneaker')" 2>&1)
check "30 test items chosen" grep -q "30 items (test)" <<<"$ev"
check "evaluate gives training's accuracy ($acc)" test \
    "$(awk '/ Accuracy:/ {print $2}' <<<"$ev")" = "$acc"
expect 1 "label 'ankle_boot', which is not one of the 3 classes" -- \
    "$dl4c" evaluate --model "$tmp/cnn.dl4c" --dataset fashion
expect 1 "query refused: a second statement" -- "$dl4c" evaluate \
    --model "$tmp/cnn.dl4c" --dataset fashion --where "1; DELETE FROM dataset_items"
expect 2 "go with --dataset" -- "$dl4c" evaluate --model "$tmp/cnn.dl4c" \
    --data "$tmp/x.csv" --where "label = 'bag'"

# the CNN predicts raw image files, a line per image starting with its path
n=$(find "$pngs/test/bag" -name '*.png' | wc -l)
pred=$("$dl4c" predict --model "$tmp/cnn.dl4c" --input "$pngs/test/bag" --format class)
check "one line per image ($n)" test "$(grep -c '\.png,' <<<"$pred")" -eq "$n"
right=$(grep -c ',bag$' <<<"$pred")
check "most test bags are called bags ($right of $n)" test $((right * 10)) -ge $((n * 8))
one=$(find "$pngs/test/bag" -name '*.png' | sort | head -1)
all=$("$dl4c" predict --model "$tmp/cnn.dl4c" --input "$pngs/test/bag" | grep "^$one,")
single=$("$dl4c" predict --model "$tmp/cnn.dl4c" --input "$one")
# (the same class and probabilities, up to float rounding between batch sizes)
check "a file alone gets what it gets in its folder" awk -v a="$all" -v b="$single" '
    BEGIN { n = split(a, x, ","); if (split(b, y, ",") != n || n < 5) exit 1
            if (x[1] != y[1] || x[2] != y[2]) exit 1
            for (i = 3; i <= n; i++) if ((x[i] - y[i]) ^ 2 > 1e-10) exit 1 }'
expect 0 "path,class,p_bag,p_sneaker,p_trouser" -- "$dl4c" predict \
    --model "$tmp/cnn.dl4c" --input "$one" --header
# a colour photo of another size: made gray and resized to the model's 28x28
expect 0 "flower.jpg," -- "$dl4c" predict --model "$tmp/cnn.dl4c" \
    --input "$shared/sample-images/flower.jpg"
# shrinking 640x427 to 28x28: area averaging (the default, as the store
# resizes) and bilinear sampling see different pixels
a=$("$dl4c" predict --model "$tmp/cnn.dl4c" --input "$shared/sample-images/flower.jpg")
b=$("$dl4c" predict --model "$tmp/cnn.dl4c" --input "$shared/sample-images/flower.jpg" \
    --resize-mode area)
c=$("$dl4c" predict --model "$tmp/cnn.dl4c" --input "$shared/sample-images/flower.jpg" \
    --resize-mode bilinear)
check "area is the default resize" test "$a" = "$b"
check "bilinear gives other probabilities" test "$a" != "$c"
expect 2 "--resize-mode must be area, bilinear or nearest" -- "$dl4c" predict \
    --model "$tmp/cnn.dl4c" --input "$shared/sample-images/flower.jpg" --resize-mode cubic
mkdir -p "$tmp/badimg"
head -c 200 "$one" >"$tmp/badimg/broken.png"
expect 1 "broken.png: corrupt PNG" -- "$dl4c" predict --model "$tmp/cnn.dl4c" \
    --input "$tmp/badimg"
"$dl4c" train --preset mlp --data data/iris.csv --label-index 4 --num-classes 3 \
    --epochs 1 --no-eval --no-register --out "$tmp/iris.dl4c" >/dev/null 2>&1
expect 1 "the model takes [4], not images" -- "$dl4c" predict \
    --model "$tmp/iris.dl4c" --input "$one"
check "evaluated on the test split" grep -q "test data: 30 examples" <<<"$out"
expect 0 "3 classes" -- "$dl4c" train --dataset fashion \
    --where "label IN ('bag', 'trouser', 'sneaker')" --preset mlp --epochs 1 \
    --no-register --augment hflip,rotate=10 --prefetch 2
expect 2 "crop changes the image size" -- "$dl4c" train --dataset fashion \
    --preset mlp --epochs 1 --no-register --augment crop=24x24
expect 0 "Trained: 8 epochs" -- "$dl4c" summary "$tmp/fashion3.dl4c"

# stored splits: stratified, repeatable
expect 0 "210 train, 70 validation, 70 test" -- "$dl4c" data split fashion \
    --train 0.6 --validation 0.2 --seed 3
a=$("$dl4c" data query fashion --where "split = 'test'" 2>/dev/null | cut -f1)
"$dl4c" data split fashion --train 0.5 --seed 4 >/dev/null
"$dl4c" data split fashion --train 0.6 --validation 0.2 --seed 3 >/dev/null
b=$("$dl4c" data query fashion --where "split = 'test'" 2>/dev/null | cut -f1)
check "the same seed gives the same split" test "$a" = "$b"

# a corrupt PNG and a fake JPEG are skipped and named
mkdir -p "$tmp/mixed/bag"
cp "$pngs/test/bag/t10k_00018.png" "$pngs/test/bag/t10k_00030.png" "$tmp/mixed/bag/"
head -c 200 "$pngs/test/bag/t10k_00031.png" >"$tmp/mixed/bag/broken.png"
printf '\xff\xd8\xff\xe0 not a jpeg' >"$tmp/mixed/bag/fake.jpg"
expect 0 "skipped: $tmp/mixed/bag/broken.png: corrupt PNG" -- \
    "$dl4c" data ingest "$tmp/mixed" --dataset mixed
expect 0 "2 added, 0 already there, 2 skipped" -- \
    "$dl4c" data ingest "$tmp/mixed" --dataset mixed2 --quiet
expect 0 "fake.jpg: corrupt JPEG" -- "$dl4c" data ingest "$tmp/mixed" --dataset mixed3

# an image of another size, and no --resize
mkdir -p "$tmp/sizes/cat" "$tmp/sizes/dog"
cp "$pngs/test/bag/t10k_00018.png" "$tmp/sizes/cat/"
printf 'P5\n30 28\n255\n' >"$tmp/sizes/dog/big.pgm"
head -c 840 /dev/zero >>"$tmp/sizes/dog/big.pgm"
expect 0 "2 added" -- "$dl4c" data ingest "$tmp/sizes" --dataset sizes
expect 1 "the selected images have different sizes" -- "$dl4c" train \
    --dataset sizes --preset mlp --epochs 1 --no-register
expect 1 "dl4c train --resize HxW" -- "$dl4c" train \
    --dataset sizes --preset mlp --epochs 1 --no-register
expect 0 "" -- "$dl4c" train --dataset sizes --resize 28x28 --preset mlp \
    --epochs 1 --no-register --no-eval
expect 0 "2 added" -- "$dl4c" data ingest "$tmp/sizes" --dataset sizes28 --resize 28x28
expect 1 "stores images with channels 0 and size 28x28" -- \
    "$dl4c" data ingest "$tmp/sizes" --dataset sizes28 --resize 32x32

# CSV rows: a column count that changes names the line
printf 'a,b,label\n1,2,x\n3,4,y\n5,6\n' >"$tmp/bad.csv"
expect 1 "bad.csv:4: expected 3 columns, found 2" -- \
    "$dl4c" data ingest "$tmp/bad.csv" --dataset rows --label-column label
printf 'a,b,label\n1,2,x\n3,4,y\n' >"$tmp/good.csv"
expect 0 "2 added" -- "$dl4c" data ingest "$tmp/good.csv" --dataset rows --label-column label
expect 0 "1" -- "$dl4c" data query rows --where "a > 2 AND label = 'y'" --count
expect 1 "holds rows; cannot add images" -- "$dl4c" data ingest "$tmp/sizes" --dataset rows

expect 0 "removed dataset 'mixed'" -- "$dl4c" data remove mixed
expect 1 "no dataset 'mixed'" -- "$dl4c" data query mixed --count
expect 2 "give a SOURCE and --dataset NAME" -- "$dl4c" data ingest "$pngs"
expect 2 "unknown subcommand" -- "$dl4c" data frobnicate
finish
