#!/usr/bin/env bash
# labels: cli serve
# dl4c serve on loopback, talked to with curl: every endpoint, both JSON
# formats, the request bodies of TensorFlow Serving's REST documentation,
# every error status, bad bodies that must each get a 4xx while the server
# keeps serving, bearer tokens, a new store version picked up while
# serving, Prometheus metrics checked by promtool, the prediction log and
# the training/serving skew check, and a clean exit on SIGTERM.
dl4c=$1
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_helpers.bash"
iris=data/iris.csv
export OMP_NUM_THREADS=1

# models: an Iris classifier, TensorFlow Serving's half_plus_three example
# (y = 0.5 x + 3) and a [1, 2] -> sum model for the nested-list example
expect 0 "registered iris:1" -- "$dl4c" train --preset mlp --hidden 8 \
    --data $iris --label-index 4 --num-classes 3 --epochs 40 --batch 16 \
    --seed 5 --out "$tmp/iris.dl4c"
cat >"$tmp/half.json" <<'JSON'
{"inputs": [{"name": "x", "shape": [1]}],
 "layers": [{"name": "y", "type": "Output", "units": 1, "activation": "identity",
             "loss": "mse", "weight_init": 0.5, "bias_init": 3}]}
JSON
cat >"$tmp/pair.json" <<'JSON'
{"inputs": [{"name": "x", "shape": [1, 2]}],
 "layers": [{"type": "Flatten"},
            {"name": "sum", "type": "Output", "units": 1, "activation": "identity",
             "loss": "mse", "weight_init": 1, "bias_init": 0}]}
JSON
printf '1,3.5\n2,4\n' >"$tmp/half.csv"
printf '1,2,3\n3,4,7\n' >"$tmp/pair.csv"
expect 0 "registered half_plus_three:1" -- "$dl4c" train --config "$tmp/half.json" \
    --data "$tmp/half.csv" --num-classes 0 --epochs 0 --normalize none --no-eval \
    --name half_plus_three
expect 0 "registered pair:1" -- "$dl4c" train --config "$tmp/pair.json" \
    --data "$tmp/pair.csv" --num-classes 0 --epochs 0 --normalize none --no-eval \
    --name pair
expect 0 "iris@stable" -- "$dl4c" models label iris:1 stable

cat >"$tmp/models.json" <<'JSON'
{"models": [
  {"name": "iris", "store": "iris", "log_sample_rate": 1.0,
   "batching": {"max_batch_size": 16, "batch_timeout_micros": 200}},
  {"name": "half_plus_three", "store": "half_plus_three"},
  {"name": "pair", "store": "pair"},
  {"name": "secret", "store": "half_plus_three", "auth_token": "s3cret"}
]}
JSON
start_server "$tmp/serve.log" --config "$tmp/models.json" --poll-seconds 0.2 \
    --max-body-bytes 65536 || { finish; exit 1; }

# ---- status and metadata
http 200 '"state": "AVAILABLE"' GET /v1/models/half_plus_three
http 200 '"version": "1"' GET /v1/models/half_plus_three/versions/1
http 200 '"version": "1"' GET /v1/models/iris/labels/stable
http 200 '"dtype": "DT_FLOAT"' GET /v1/models/iris/metadata
check "metadata names input and output" grep -q '"features"' <(echo "$body")
http 200 '"size": "-1"' GET /v1/models/half_plus_three/versions/1/metadata
http 200 '"ready": true' GET /v2/health/ready
http 200 '"live": true' GET /v2/health/live

# ---- TensorFlow Serving's documented request bodies, unchanged
http 200 '{"predictions": [[3.5], [4], [5.5]]}' POST \
    /v1/models/half_plus_three:predict '{"instances": [1.0,2.0,5.0]}'
http 200 '{"results": [3.5, 4]}' POST /v1/models/half_plus_three:regress \
    '{"signature_name": "tensorflow/serving/regress", "examples": [{"x": 1.0}, {"x": 2.0}]}'
http 404 'Servable not found' POST /v1/models/half:predict '{"instances": [1.0,5.0]}'
http 200 '{"predictions": [[3], [7]]}' POST /v1/models/pair:predict \
    '{"instances": [ [[1, 2]], [[3, 4]] ]}'
http 400 'signature' POST /v1/models/iris:classify \
    '{"signature_name": "classify_objects", "examples": [{"image": { "b64": "aW1hZ2UgYnl0ZXM=" }, "caption": "seaside"}]}'

# ---- both formats, named and unnamed inputs, versions and labels
row1='[5.1, 3.5, 1.4, 0.2]'
row2='[6.7, 3.0, 5.2, 2.3]'
http 200 '"predictions": [[' POST /v1/models/iris:predict "{\"instances\": [$row1, $row2]}"
rows=$body
http 200 '"outputs": [[' POST /v1/models/iris:predict "{\"inputs\": [$row1, $row2]}"
check "columnar and row answers agree" test "${body#*: }" = "${rows#*: }"
http 200 '"predictions": [[' POST /v1/models/iris:predict \
    "{\"instances\": [{\"features\": $row1}, {\"features\": $row2}]}"
check "named and unnamed instances agree" test "${body#*: }" = "${rows#*: }"
http 200 '"outputs": [[' POST /v1/models/iris:predict "{\"inputs\": {\"features\": [$row1, $row2]}}"
http 200 '"predictions"' POST /v1/models/iris/versions/1:predict "{\"instances\": [$row1]}"
http 200 '"predictions"' POST /v1/models/iris/labels/stable:predict "{\"instances\": [$row1]}"
http 200 '"results": [[["0", ' POST /v1/models/iris:classify \
    "{\"examples\": [{\"features\": $row1}, {\"features\": $row2}]}"
# the served probabilities are those of dl4c predict
want=$(printf '5.1,3.5,1.4,0.2\n' | "$dl4c" predict --model "$tmp/iris.dl4c" --format probabilities)
http 200 '' POST /v1/models/iris:predict "{\"instances\": [$row1]}"
got=$(echo "$body" | tr -d '{}[]"a-z: ' | tr -s ' ')
check "served = dl4c predict ($got vs $want)" awk -v a="$got" -v b="$want" \
    'BEGIN {n = split(a, x, ","); split(b, y, ","); ok = n == 3;
            for (i = 1; i <= n; i++) if (x[i] - y[i] > 1e-5 || y[i] - x[i] > 1e-5) ok = 0;
            exit !ok}'

# ---- errors: status and a message that says what is wrong
http 400 "takes shape [4] per example, got [3]" POST /v1/models/iris:predict \
    '{"instances": [[5.1, 3.5, 1.4]]}'
http 400 "not a classifier" POST /v1/models/half_plus_three:classify '{"examples": [{"x": 1}]}'
http 400 "one output value per example" POST /v1/models/iris:regress \
    "{\"examples\": [{\"features\": $row1}]}"
http 404 "no model 'nope'" GET /v1/models/nope
http 404 "no version 7 being served" POST /v1/models/iris/versions/7:predict "{\"instances\": [$row1]}"
http 404 "no label 'canary'" GET /v1/models/iris/labels/canary
http 405 "use POST" GET /v1/models/iris:predict
http 404 "no such endpoint" GET /v1/nothing
big=$(head -c 70000 /dev/zero | tr '\0' ' ')
http 413 "over the limit of 65536" POST /v1/models/iris:predict "{\"instances\": [$row1]}$big"

# ---- bad bodies: each a 4xx, and the server keeps serving
deep=$(printf '[%.0s' $(seq 1 100))
bad_bodies=(
    ''
    '{"instances": [[5.1, 3.5'
    '{"instances": [[5.1, 3.5, 1.4, 0.2]]'
    "{\"instances\": $deep"
    '{"instances": [[1e999, 3.5, 1.4, 0.2]]}'
    '{"instances": [[1e39, 3.5, 1.4, 0.2]]}'
    '{"instances": [[123456789012345678901234567890, 3.5, 1.4, 0.2]]}'
    '{"instances": [[NaN, 3.5, 1.4, 0.2]]}'
    '{"instances": [[Infinity, 3.5, 1.4, 0.2]]}'
    '{"instances": [[-Infinity, 3.5, 1.4, 0.2]]}'
    '{"instances": [["5.1", 3.5, 1.4, 0.2]]}'
    '{"instances": [[true, 3.5, 1.4, 0.2]]}'
    '{"instances": [[null, 3.5, 1.4, 0.2]]}'
    '{"instances": {"features": 1}}'
    '{"instances": [[5.1, 3.5, 1.4, 0.2], [1, 2]]}'
    '{"instances": [[[5.1, 3.5], [1.4]]]}'
    '{"inputs": {"features": [[5.1, 3.5, 1.4, 0.2]], "other": [[1]]}}'
    '{"instances": [], "inputs": []}'
    '{"instances": []}'
    '[1, 2, 3]'
    '"just a string"'
    '{"instances": [[5.1, 3.5, 1.4, 0.2]], "instances": [[1, 2, 3, 4]]}'
    "$(printf '{"instances": [["\xff\xfe"]]}')"
    "$(printf '{"instances": [[5.1, 3.5, 1.4, 0.2]], "signature_name": "\xc3\x28"}')"
)
for b in "${bad_bodies[@]}"; do
    req POST /v1/models/iris:predict "$b"
    if [[ $code =~ ^4[0-9][0-9]$ && $body == *'"error"'* ]]; then
        echo "ok: bad body -> $code ${body:0:90}"
    else
        echo "FAIL: bad body '${b:0:60}' -> $code $body"
        failures=$((failures + 1))
    fi
done
printf '{"instances": [[5.1, 3.5, 1.4, 0.2]]}\xff\xff' >"$tmp/trailing"
req POST /v1/models/iris:predict "" --data-binary @"$tmp/trailing"
check "trailing bytes -> 400 ($code)" test "$code" = 400
printf '{"instances": [[5.1,\x00 3.5, 1.4, 0.2]]}' >"$tmp/nul"
req POST /v1/models/iris:predict "" --data-binary @"$tmp/nul"
check "a NUL byte -> 400 ($code)" test "$code" = 400
http 200 '"predictions"' POST /v1/models/iris:predict "{\"instances\": [$row1]}"
http 200 '"ready": true' GET /v2/health/ready

# ---- bearer token per model
http 401 'Authorization: Bearer' POST /v1/models/secret:predict '{"instances": [1.0]}'
check "401 carries WWW-Authenticate" grep -qi 'www-authenticate: bearer' \
    <(curl -s -i -X POST -d '{"instances": [1.0]}' "$base/v1/models/secret:predict")
http 401 'not valid' POST /v1/models/secret:predict '{"instances": [1.0]}' \
    -H 'Authorization: Bearer nope'
http 200 '[[3.5]]' POST /v1/models/secret:predict '{"instances": [1.0]}' \
    -H 'Authorization: Bearer s3cret'

# ---- a new version registered while serving is loaded and swapped in;
# the labelled version 1 stays
expect 0 "registered iris:2" -- "$dl4c" train --model iris --data $iris \
    --label-index 4 --num-classes 3 --epochs 2 --batch 16 --no-eval
for _ in $(seq 1 100); do
    req GET /v1/models/iris
    [[ $body == *'"version": "2"'* ]] && break
    sleep 0.05
done
http 200 '"version": "2"' GET /v1/models/iris
check "labelled version 1 still served" grep -q '"version": "1"' <(echo "$body")
http 200 '"version": "2"' GET /v1/models/iris/metadata

# ---- metrics
curl -s "$base/metrics" >"$tmp/metrics"
check "promtool accepts /metrics" promtool check metrics <"$tmp/metrics"
for series in 'dl4c_serving_requests_total{model="iris",version="1",method="predict",code="200"}' \
    'dl4c_serving_requests_total{model="iris",version="1",method="predict",code="400"}' \
    'dl4c_serving_requests_total{model="iris",version="",method="predict",code="404"}' \
    'dl4c_serving_request_duration_seconds_bucket{model="iris",version="1",method="predict",le="+Inf"}' \
    'dl4c_serving_batch_size_count{model="iris",version="1"}' \
    'dl4c_serving_queue_depth{model="iris",version="2"}' \
    'dl4c_serving_model_load_seconds{model="iris",version="2"}' \
    'dl4c_serving_model_version{model="iris"} 2'; do
    check "metrics have $series" grep -qF "$series" "$tmp/metrics"
done

# ---- prediction log and training/serving skew
all_rows=$(awk -F, 'BEGIN {printf "{\"instances\": ["} {printf "%s[%s,%s,%s,%s]", (NR > 1 ? "," : ""), $1, $2, $3, $4} END {print "]}"}' $iris)
for _ in 1 2 3; do
    http 200 '"predictions"' POST /v1/models/iris/versions/1:predict "$all_rows"
done
stop_server
check "server log says stopped" grep -q "stopped" "$tmp/serve.log"
expect 0 "max PSI" -- "$dl4c" monitor skew iris:1
out=$("$dl4c" monitor skew iris:1 2>&1)
check "no skew against the training data" grep -q "max PSI .*: none shift" <(echo "$out")
awk -F, '{printf "%s,%s,%.1f,%s,%s\n", $1, $2, $3 + 3, $4, $5}' $iris >"$tmp/shifted.csv"
expect 1 "above the threshold" -- "$dl4c" monitor skew iris:1 --dataset "$tmp/shifted.csv" \
    --threshold 0.25
expect 0 "significant" -- "$dl4c" monitor skew iris:1 --dataset "$tmp/shifted.csv"
expect 1 "no predictions logged for half_plus_three" -- "$dl4c" monitor skew half_plus_three \
    --dataset "$tmp/half.csv"

# ---- a model trained on a dataset of the store: the skew check reads the
# training set back from the store with the run's query
(echo "sl,sw,pl,pw,species"; cat $iris) >"$tmp/iris_header.csv"
expect 0 "150 added" -- "$dl4c" data ingest "$tmp/iris_header.csv" --dataset irisds \
    --label-column species
expect 0 "registered irisds:1" -- "$dl4c" train --dataset irisds --where "sl > 0" \
    --preset mlp --hidden 8 --epochs 3 --no-eval
start_server "$tmp/ds.log" --model irisds --log-sample-rate 1 || { finish; exit 1; }
http 200 '"predictions"' POST /v1/models/irisds:predict "$all_rows"
stop_server
expect 0 "150 training examples (irisds), 150 logged" -- "$dl4c" monitor skew irisds
expect 0 "max PSI 0.0000" -- "$dl4c" monitor skew irisds

# ---- usage errors
expect 2 "exactly one of --model" -- "$dl4c" serve --port 0
expect 1 "neither a file nor a model store name" -- "$dl4c" serve --port 0 --model 'no such/file'
expect 1 "no model 'ghost'" -- "$dl4c" serve --port 0 --host 127.0.0.1 --model ghost
expect 1 "not a folder" -- "$dl4c" serve --port 0 --model-dir "$tmp/nope"
expect 2 "--max-batch-size" -- "$dl4c" serve --port 0 --model iris --max-batch-size 0
expect 2 "" -- "$dl4c" serve --port 0 --model iris --config "$tmp/models.json"

finish
