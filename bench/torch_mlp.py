#!/usr/bin/python3
"""The PyTorch peer of bench_mlp.c: the same 784-500-100-10 MLP, the same
work, printed the same way.

    torch_mlp.py train BATCH THREADS   seconds for one epoch of 60,000
    torch_mlp.py infer BATCH THREADS   microseconds per forward pass

Data are in-memory tensors (no DataLoader); inference runs under
torch.inference_mode(). Run with OMP_WAIT_POLICY=PASSIVE for 2 threads,
as ../shared/BENCHMARKING.md recommends.
"""
import sys
import time

import torch


def main():
    mode, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    n = 60000
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 500), torch.nn.ReLU(),
        torch.nn.Linear(500, 100), torch.nn.ReLU(),
        torch.nn.Linear(100, 10), torch.nn.LogSoftmax(dim=1))
    if mode == "train":
        x = torch.rand(n, 784)
        y = torch.randint(0, 10, (n,))
        opt = torch.optim.SGD(model.parameters(), lr=0.0015, momentum=0.98,
                              nesterov=True, weight_decay=7.5e-6)
        loss_fn = torch.nn.NLLLoss()

        def step(xb, yb):
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()

        for i in range(20):  # warm-up
            step(x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch])
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        for start in range(0, n, batch):
            idx = perm[start:start + batch]
            step(x[idx], y[idx])
        print("%.6f" % (time.perf_counter() - t0))
    else:
        xb = torch.rand(batch, 784)
        reps = 20000 if batch == 1 else 200
        with torch.inference_mode():
            for _ in range(reps // 10):
                model(xb)
            t0 = time.perf_counter()
            for _ in range(reps):
                model(xb)
        print("%.3f" % ((time.perf_counter() - t0) / reps * 1e6))


if __name__ == "__main__":
    main()
