#!/usr/bin/env bash
# Runs dl4c's benchmarks (MLP, LSTM, CNN) and the PyTorch peers alternately
# (A B A B ...) in one session, as ../shared/BENCHMARKING.md asks, and
# prints medians, ranges and ratios.
# Usage: bench/run.sh [BUILD_DIR] [ROUNDS] [SUITES, default "mlp lstm cnn"]
set -euo pipefail
build=${1:-build}
rounds=${2:-5}
suites=" ${3:-mlp lstm cnn} "
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
out=$(mktemp)
trap 'rm -f "$out"' EXIT

record() { # name command...
    local name=$1
    shift
    local v
    v=$("$@")
    echo "$name $v" >>"$out"
}

# PyTorch calls the same Debian OpenBLAS; its best setting includes the
# kernels dl4c picks for this CPU (OPENBLAS_CORETYPE), so it gets them too.
core=$("$build/dl4c" version | sed -n 's/.*kernels: \([A-Za-z0-9]*\).*/\1/p')
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "date: $(date -u +%Y-%m-%d)"
echo "torch: $($py -c 'import torch; print(torch.__version__)')"
echo "rounds: $rounds (after one warm-up round); OpenBLAS kernels: ${core:-default}"
"$build/sgemm_ceiling" | sed 's/^/ceiling /'

for round in $(seq 0 "$rounds"); do
    if [[ $suites == *" mlp "* ]]; then
        for batch in 128 64; do
            record "dl4c-train-$batch" env OMP_NUM_THREADS=2 "$build/bench_mlp" train $batch
            record "torch2-train-$batch" env OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE $py "$here/torch_mlp.py" train $batch 2
            record "torch2k-train-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE $py "$here/torch_mlp.py" train $batch 2
            record "torch1k-train-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=1 $py "$here/torch_mlp.py" train $batch 1
        done
        for batch in 1 256; do
            record "dl4c-infer-$batch" env OMP_NUM_THREADS=2 "$build/bench_mlp" infer $batch
            record "torch2-infer-$batch" env OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE $py "$here/torch_mlp.py" infer $batch 2
            record "torch2k-infer-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE $py "$here/torch_mlp.py" infer $batch 2
            record "torch1k-infer-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=1 $py "$here/torch_mlp.py" infer $batch 1
        done
    fi
    if [[ $suites == *" lstm "* ]]; then
        # torch2 (OpenBLAS' own kernel choice) is left out: the MLP runs show
        # it slower than torch2k on this CPU, and an LSTM epoch is long
        for batch in 64; do
            record "dl4c-lstm-train-$batch" env OMP_NUM_THREADS=2 "$build/bench_lstm" train $batch
            record "torch2k-lstm-train-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE $py "$here/torch_lstm.py" train $batch 2
            record "torch1k-lstm-train-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=1 $py "$here/torch_lstm.py" train $batch 1
        done
        for batch in 1 256; do
            record "dl4c-lstm-infer-$batch" env OMP_NUM_THREADS=2 "$build/bench_lstm" infer $batch
            record "torch2k-lstm-infer-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE $py "$here/torch_lstm.py" infer $batch 2
            record "torch1k-lstm-infer-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=1 $py "$here/torch_lstm.py" infer $batch 1
        done
    fi
    if [[ $suites == *" cnn "* ]]; then
        for batch in 64; do
            record "dl4c-cnn-train-$batch" env OMP_NUM_THREADS=2 "$build/bench_cnn" train $batch
            record "torch2-cnn-train-$batch" env OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE $py "$here/torch_cnn.py" train $batch 2
            record "torch2k-cnn-train-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE $py "$here/torch_cnn.py" train $batch 2
            record "torch1k-cnn-train-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=1 $py "$here/torch_cnn.py" train $batch 1
        done
        for batch in 1 256; do
            record "dl4c-cnn-infer-$batch" env OMP_NUM_THREADS=2 "$build/bench_cnn" infer $batch
            record "torch2-cnn-infer-$batch" env OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE $py "$here/torch_cnn.py" infer $batch 2
            record "torch2k-cnn-infer-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE $py "$here/torch_cnn.py" infer $batch 2
            record "torch1k-cnn-infer-$batch" env OPENBLAS_CORETYPE=$core OMP_NUM_THREADS=1 $py "$here/torch_cnn.py" infer $batch 1
        done
    fi
    if [[ $round == 0 ]]; then
        : >"$out" # the first round is a warm-up
    fi
done
$py "$here/report.py" "$out"
