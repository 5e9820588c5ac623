#!/usr/bin/env bash
# labels: cli serve
# Hot reload and graceful stop under load (wrk on loopback): a new numbered
# version folder is loaded and swapped in while requests keep coming, with
# no failed or wrong answer; SIGTERM during load stops accepting, finishes
# what is in flight and exits 0 without cutting off a request; the
# connection limit holds clients back beyond it.
dl4c=$1
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve_helpers.bash"
lua="$(cd "$(dirname "$0")" && pwd)/serve_load.lua"
iris=data/iris.csv
export OMP_NUM_THREADS=1
if ! command -v wrk >/dev/null; then
    echo "FAIL: wrk is not installed (scripts/install-deps.sh installs it)"
    exit 1
fi

# wrk_errors FILE: socket read/write/timeout errors and non-2xx answers
# (connect errors are expected once a stopping server stops accepting)
wrk_errors() {
    local f=$1
    local sock non2xx bad
    sock=$(sed -n 's/.*Socket errors: connect [0-9]*, read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3/p' "$f")
    non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p' "$f")
    bad=$(sed -n 's/^bad answers: \([0-9]*\).*/\1/p' "$f")
    echo "${sock:-0 0 0} ${non2xx:-0} ${bad:-missing}"
}

mkdir -p "$tmp/models/mlp/1" "$tmp/incoming"
expect 0 "" -- "$dl4c" train --preset mlp --hidden 8 --data $iris --label-index 4 \
    --num-classes 3 --epochs 5 --seed 1 --no-eval --no-register \
    --out "$tmp/models/mlp/1/model.dl4c"
expect 0 "" -- "$dl4c" train --preset mlp --hidden 8 --data $iris --label-index 4 \
    --num-classes 3 --epochs 5 --seed 2 --no-eval --no-register \
    --out "$tmp/incoming/model.dl4c"

start_server "$tmp/serve.log" --model-dir "$tmp/models/mlp" --poll-seconds 0.1 \
    --max-batch-size 8 || { finish; exit 1; }
http 200 '"version": "1"' GET /v1/models/mlp

# ---- swap under load
wrk -t1 -c4 -d3s --timeout 2s -s "$lua" "$base/v1/models/mlp:predict" >"$tmp/wrk1" 2>&1 &
wrk_pid=$!
sleep 1
mv "$tmp/incoming" "$tmp/models/mlp/2"
wait $wrk_pid
cat "$tmp/wrk1"
read -r rd wr to non2xx bad <<<"$(wrk_errors "$tmp/wrk1")"
check "no failed request during the swap (read $rd write $wr timeout $to non-2xx $non2xx bad $bad)" \
    test "$rd $wr $to $non2xx $bad" = "0 0 0 0 0"
check "the swap happened" grep -q "version 1 unloaded" "$tmp/serve.log"
http 200 '"version": "2"' GET /v1/models/mlp
check "only version 2 is served" test "$(grep -c '"version"' <<<"$body")" = 1
curl -s "$base/metrics" >"$tmp/metrics"
v1=$(sed -n 's/^dl4c_serving_requests_total{model="mlp",version="1",method="predict",code="200"} //p' "$tmp/metrics")
v2=$(sed -n 's/^dl4c_serving_requests_total{model="mlp",version="2",method="predict",code="200"} //p' "$tmp/metrics")
check "both versions answered during the run (v1 ${v1:-0}, v2 ${v2:-0})" \
    test "${v1:-0}" -gt 0 -a "${v2:-0}" -gt 0

# ---- SIGTERM under load: clients on keep-alive connections (curl, one
# line per request: status and curl's exit code) until the server is gone.
# Every request must be answered (200 0) or refused before it was sent
# (000 7: the server no longer accepts); anything else was cut off.
urls=()
for _ in $(seq 1 50); do urls+=(-o /dev/null "$base/v1/models/mlp:predict"); done
client() {
    while :; do
        curl -s -w '%{http_code} %{exitcode}\n' -X POST \
            -H 'Content-Type: application/json' \
            --data '{"instances": [[5.1, 3.5, 1.4, 0.2]]}' "${urls[@]}" >>"$1"
        grep -q '^000 7$' "$1" && return
    done
}
for i in 1 2 3 4; do client "$tmp/client$i" & done
sleep 1
stop_server
wait
cat "$tmp"/client? | sort | uniq -c
answered=$(cat "$tmp"/client? | grep -c '^200 0$')
cut=$(cat "$tmp"/client? | grep -vc -e '^200 0$' -e '^000 7$')
check "requests answered before and during the stop ($answered)" test "$answered" -gt 0
check "no request cut off by SIGTERM ($cut)" test "$cut" = 0
check "server log says stopped" grep -q "stopped" "$tmp/serve.log"

# ---- connection limit: with two idle connections open, a third client is
# not served (it waits in the listen queue); once they close, it is
start_server "$tmp/limit.log" --model-dir "$tmp/models/mlp" --max-connections 2 \
    --poll-seconds 0 || { finish; exit 1; }
exec 3<>"/dev/tcp/127.0.0.1/$port" 4<>"/dev/tcp/127.0.0.1/$port"
sleep 0.2
rc=0
curl -s -o /dev/null --max-time 1 "$base/v2/health/live" || rc=$?
check "a third connection is not served (curl exit $rc)" test "$rc" != 0
exec 3>&- 4>&-
sleep 0.2
http 200 '"live": true' GET /v2/health/live
stop_server

finish
