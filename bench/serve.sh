#!/usr/bin/env bash
# Serving throughput on loopback: the MNIST MLP (784-500-100-10) served by
# dl4c serve with and without dynamic batching, hit by wrk with batch-1
# requests (one image of 784 pixel values per request), against in-process
# batch-1 prediction of the same model (bench_serve_inproc). Runs
# alternate (in-process, batched, unbatched, ...) as ../shared/BENCHMARKING.md
# asks; prints medians, ranges and served / in-process ratios.
# Usage: bench/serve.sh [BUILD_DIR] [ROUNDS] [SECONDS] [CONNECTIONS]
set -euo pipefail
build=${1:-build}
rounds=${2:-5}
secs=${3:-3}
conns=${4:-8}
here=$(cd "$(dirname "$0")" && pwd)
lua="$here/../tests/cli/serve_load.lua"
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
export DL4C_HOME="$tmp/home" OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }

data="$here/../data/mnist-small"
"$build/dl4c" train --preset mnist-mlp --data "$data" --num-classes 10 \
    --epochs 1 --no-eval --no-register --out "$tmp/mnist.dl4c" >/dev/null 2>&1
WRK_BODY=$(awk 'BEGIN {printf "{\"instances\": [["; for (i = 0; i < 784; i++)
    printf "%s%d", i ? ", " : "", (i * 37) % 256; print "]]}"}')
export WRK_BODY

serve() { # NAME ARGS...: starts a server, sets port_NAME
    local name=$1
    shift
    "$build/dl4c" serve --host 127.0.0.1 --port 0 --model "$tmp/mnist.dl4c" \
        --poll-seconds 0 "$@" >"$tmp/$name.log" 2>&1 &
    pids+=($!)
    local port=""
    for _ in $(seq 1 200); do
        port=$(sed -n 's/.*listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$tmp/$name.log")
        [[ -n $port ]] && curl -sf "http://127.0.0.1:$port/v2/health/ready" >/dev/null && break
        sleep 0.05
    done
    eval "port_$name=$port"
}
serve batched --max-batch-size 32
serve unbatched --no-batching

served() { # PORT: "<req/s> <p50 us> <p99 us>"
    wrk -t1 -c"$conns" -d"${secs}s" -s "$lua" \
        "http://127.0.0.1:$1/v1/models/mnist:predict" >"$tmp/wrk" 2>&1
    local rps p50 p99 bad
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$tmp/wrk")
    read -r p50 p99 < <(sed -n 's/^latency p50 \([0-9]*\) us, p99 \([0-9]*\) us/\1 \2/p' "$tmp/wrk")
    bad=$(sed -n 's/^bad answers: //p' "$tmp/wrk")
    [[ $bad == 0 ]] || { echo "wrong answers: $bad" >&2; cat "$tmp/wrk" >&2; exit 1; }
    echo "$rps $p50 $p99"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc --all) cores"
echo "date: $(date -u +%Y-%m-%d); wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2); $conns connections, ${secs} s per run"
echo "rounds: $rounds (after one warm-up round); OMP_NUM_THREADS=$OMP_NUM_THREADS"
: >"$tmp/results"
for round in $(seq 0 "$rounds"); do
    r1=$("$build/bench_serve_inproc" "$tmp/mnist.dl4c" "$secs")
    r2=$(served "$port_batched")
    r3=$(served "$port_unbatched")
    if ((round > 0)); then
        echo "inproc $r1" >>"$tmp/results"
        echo "batched $r2" >>"$tmp/results"
        echo "unbatched $r3" >>"$tmp/results"
    fi
done
awk '
function median(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
        if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ n[$1]++; r[$1, n[$1]] = $2; p[$1, n[$1]] = $3; q[$1, n[$1]] = $4 }
END {
    printf "%-10s %14s %18s %10s %10s\n", "run", "per second", "range", "p50 us", "p99 us"
    split("inproc batched unbatched", names, " ")
    for (k = 1; k <= 3; k++) {
        m = names[k]
        for (i = 1; i <= n[m]; i++) { a[i] = r[m, i]; b[i] = p[m, i]; c[i] = q[m, i] }
        lo = a[1]; hi = a[1]
        for (i = 1; i <= n[m]; i++) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
        med[m] = median(a, n[m])
        printf "%-10s %14.0f %8.0f-%-9.0f %10.0f %10.0f\n", m, med[m], lo, hi, median(b, n[m]), median(c, n[m])
    }
    printf "served / in-process: batched %.2f, unbatched %.2f (target >= 0.5)\n",
        med["batched"] / med["inproc"], med["unbatched"] / med["inproc"]
}' "$tmp/results"
