#!/usr/bin/env bash
# The data pipeline benchmarks, alternating dl4c and Python's PIL in one
# session (../shared/BENCHMARKING.md): images decoded + resized per second
# on 2 threads (JPEG photos to 224x224, Fashion-MNIST PNGs to 32x32), and
# the fraction of MLP step time spent waiting for data with and without
# the prefetching iterator. Usage: bench/run_data.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
build=${1:-build}
rounds=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
shared=${DL4C_SHARED_DIR:-$here/../../shared}/data
py=/usr/bin/python3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE

jpegs=("$shared/sample-images/china.jpg" "$shared/sample-images/flower.jpg")
mapfile -t pngs < <(ls "$shared"/fashion-mnist-png/*/*/*.png)

record() { # name command...
    local name=$1
    shift
    echo "$name $("$@" 2>/dev/null)" >>"$out"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "date: $(date -u +%Y-%m-%d); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "PIL: $($py -c 'import PIL; print(PIL.__version__)')"
echo "rounds: $rounds (after one warm-up round); OMP_NUM_THREADS=2, OMP_WAIT_POLICY=PASSIVE"
for round in $(seq 0 "$rounds"); do
    for mode in bilinear area; do
        record "dl4c-jpeg224-$mode" "$build/bench_image" $mode 224 224 3 50 "${jpegs[@]}"
        record "pil-jpeg224-$mode" $py "$here/pil_image.py" $mode 224 224 3 50 2 "${jpegs[@]}"
    done
    record "dl4c-png32-bilinear" "$build/bench_image" bilinear 32 32 1 10 "${pngs[@]}"
    record "pil-png32-bilinear" $py "$here/pil_image.py" bilinear 32 32 1 10 2 "${pngs[@]}"
    for src in memory files; do
        for mode in plain prefetch; do
            record "wait-$src-$mode" "$build/bench_prefetch" $src $mode 100 "${pngs[@]}"
        done
    done
    if [[ $round == 0 ]]; then
        : >"$out" # the first round is a warm-up
    fi
done
$py - "$out" <<'PY'
import statistics, sys
from collections import defaultdict
s = defaultdict(list)
for line in open(sys.argv[1]):
    parts = line.split()
    s[parts[0]].append([float(v) for v in parts[1:]])
def med(k, i=0):
    v = [r[i] for r in s[k]]
    return statistics.median(v), min(v), max(v)
print("\nimages decoded + resized per second (2 threads), median (range):")
for case in ("jpeg224-bilinear", "jpeg224-area", "png32-bilinear"):
    d, p = med("dl4c-" + case), med("pil-" + case)
    print("  %-18s dl4c %8.1f (%.1f-%.1f)  PIL %8.1f (%.1f-%.1f)  dl4c/PIL %.2f"
          % (case, *d, *p, d[0] / p[0]))
print("\nMLP 784-500-100-10, batch 64, one epoch of 35,000 images: fraction of"
      " step time waiting for data, epoch seconds; median (range):")
for src in ("memory", "files"):
    for mode in ("plain", "prefetch"):
        k = "wait-%s-%s" % (src, mode)
        w, e = med(k, 0), med(k, 1)
        print("  %-8s %-9s wait %5.1f%% (%.1f-%.1f)  epoch %.3f s (%.3f-%.3f)"
              % (src, mode, 100 * w[0], 100 * w[1], 100 * w[2], *e))
PY
