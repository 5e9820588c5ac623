#!/usr/bin/env bash
# labels: cli badinput
# Bad input gets a clear message and a non-zero exit, never a crash: 1 for
# bad data or files, 2 for usage errors.
dl4c=$1
source "$(dirname "$0")/lib.sh"
iris=data/iris.csv
"$dl4c" train --preset mlp --hidden 8 --data $iris --label-index 4 --num-classes 3 \
    --epochs 2 --no-eval --out "$tmp/m.dl4c" >/dev/null 2>&1

printf '5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2,0\n4.7,abc,1.3,0.2,0\n' >"$tmp/bad.csv"
expect 1 "bad.csv:3: column 2: 'abc' is not a number" -- \
    "$dl4c" train --preset mlp --data "$tmp/bad.csv" --label-index 4 --num-classes 3
printf '5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2,3\n' >"$tmp/label.csv"
expect 1 "label.csv:2: column 5: label 3 outside 0..2" -- \
    "$dl4c" train --preset mlp --data "$tmp/label.csv" --label-index 4 --num-classes 3
expect 1 "label 3 outside 0..2" -- \
    "$dl4c" evaluate --model "$tmp/m.dl4c" --data "$tmp/label.csv" --label-index 4

size=$(stat -c %s "$tmp/m.dl4c")
head -c $((size / 2)) "$tmp/m.dl4c" >"$tmp/truncated.dl4c"
expect 1 "truncated" -- "$dl4c" evaluate --model "$tmp/truncated.dl4c" --data $iris
cp "$tmp/m.dl4c" "$tmp/altered.dl4c"
printf '\x7f' | dd of="$tmp/altered.dl4c" bs=1 seek=$((size - 10)) conv=notrunc 2>/dev/null
expect 1 "checksum mismatch" -- "$dl4c" predict --model "$tmp/altered.dl4c" </dev/null
expect 1 "not-there.dl4c" -- "$dl4c" summary "$tmp/not-there.dl4c"

cat >"$tmp/net.json" <<'JSON'
{"inputs": [{"shape": [4]}], "layers": [
 {"name": "hidden", "type": "Dense", "units": 8, "activation": "relux"},
 {"type": "Output", "units": 3}]}
JSON
expect 1 "layer 'hidden': key 'activation': unknown activation 'relux'" -- \
    "$dl4c" train --config "$tmp/net.json" --data $iris --num-classes 3
expect 1 "not valid JSON" -- "$dl4c" summary --config "$tmp/bad.csv"

expect 1 "stdin:1: 5 values, the model takes 4" -- \
    sh -c "echo 1,2,3,4,5 | '$dl4c' predict --model '$tmp/m.dl4c'"
expect 1 "stdin:2: column 3: 'x' is not a number" -- \
    sh -c "printf '1,2,3,4\n1,2,x,4\n' | '$dl4c' predict --model '$tmp/m.dl4c'"

expect 2 "unknown option '--epoch'" -- "$dl4c" train --epoch 3
expect 2 "--data is required" -- "$dl4c" train --preset mlp --num-classes 3
expect 2 "needs a value" -- "$dl4c" train --preset
expect 2 "not a whole number" -- "$dl4c" train --preset mlp --data $iris --num-classes 3 --epochs x
expect 2 "unknown command 'fly'" -- "$dl4c" fly
expect 2 "" -- "$dl4c"
for cmd in train evaluate predict summary; do
    expect 0 "usage: dl4c $cmd" -- "$dl4c" $cmd --help
done
expect 0 "dl4c 0." -- "$dl4c" version

finish
