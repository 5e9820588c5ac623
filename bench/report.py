#!/usr/bin/python3
"""Summarizes bench/run.sh measurements: median and range per series, and
dl4c's median over the fastest PyTorch setting's median (torch2: 2 threads,
OMP_WAIT_POLICY=PASSIVE; torch2k: the same with the OpenBLAS kernels dl4c
picks; torch1k: 1 thread with them)."""
import statistics
import sys
from collections import defaultdict

# FLOPs of one training example of the 784-500-100-10 MLP: forward
# 2*(784*500 + 500*100 + 100*10), backward about twice that.
TRAIN_FLOP_PER_EXAMPLE = 3 * 2 * (784 * 500 + 500 * 100 + 100 * 10)
PEAK_GFLOPS = 300.0  # 2 cores of this machine kind (BENCHMARKING.md)
# The 2-layer LSTM(128) over 28 steps of 28 features + dense 10: forward
# 2*(28*(28+128)*512 + 28*(128+128)*512 + 128*10), backward about twice.
LSTM_TRAIN_FLOP_PER_EXAMPLE = 3 * 2 * (28 * (28 + 128) * 512 +
                                       28 * (128 + 128) * 512 + 128 * 10)
# The LeNet-style CNN: multiply-adds of conv1 (24*24 outputs x 20 filters x
# 25 taps), conv2 (8*8 x 50 x 500), dense 800x500 and 500x10. Forward is
# 2 FLOPs per multiply-add; backward computes the kernel gradients of all
# four and the input gradients of all but conv1 (its input is the image).
CNN_MACS = (576 * 20 * 25, 64 * 50 * 500, 800 * 500, 500 * 10)
CNN_TRAIN_FLOP_PER_EXAMPLE = 2 * (3 * sum(CNN_MACS) - CNN_MACS[0])


def main():
    series = defaultdict(list)
    for line in open(sys.argv[1]):
        name, value = line.split()
        series[name].append(float(value))
    med = {k: statistics.median(v) for k, v in series.items()}
    for k in sorted(series):
        v = series[k]
        print("%-22s median %10.4f  range %.4f..%.4f  (n=%d)" %
              (k, med[k], min(v), max(v), len(v)))
    print()
    for kind, unit in (("train-128", "s/epoch"), ("train-64", "s/epoch"),
                       ("infer-1", "us/call"), ("infer-256", "us/call"),
                       ("lstm-train-64", "s/epoch"),
                       ("lstm-infer-1", "us/call"),
                       ("lstm-infer-256", "us/call"),
                       ("cnn-train-64", "s/epoch"),
                       ("cnn-infer-1", "us/call"),
                       ("cnn-infer-256", "us/call")):
        d = med.get("dl4c-" + kind)
        t = [med[p + "-" + kind] for p in ("torch2", "torch2k", "torch1k")
             if p + "-" + kind in med]
        if d is None or not t:
            continue
        best = min(t)
        line = "%-10s dl4c %.4f %s, PyTorch best %.4f: ratio %.3f" % (
            kind, d, unit, best, d / best)
        if "train" in kind:
            flop = (LSTM_TRAIN_FLOP_PER_EXAMPLE if kind.startswith("lstm")
                    else CNN_TRAIN_FLOP_PER_EXAMPLE if kind.startswith("cnn")
                    else TRAIN_FLOP_PER_EXAMPLE)
            gflops = flop * 60000 / d / 1e9
            line += "  (dl4c %.1f GFLOP/s = %.0f%% of peak)" % (
                gflops, 100 * gflops / PEAK_GFLOPS)
        print(line)


if __name__ == "__main__":
    main()
