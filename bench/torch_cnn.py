#!/usr/bin/python3
"""The PyTorch peer of bench_cnn.c: the same LeNet-style CNN (conv 5x5x20
relu, maxpool 2, conv 5x5x50 relu, maxpool 2, dense 500 relu, dense 10
log-softmax), the same work, printed the same way.

    torch_cnn.py train BATCH THREADS   seconds for one epoch of 60,000
    torch_cnn.py infer BATCH THREADS   microseconds per forward pass

PyTorch's own NCHW layout (its convolutions run through oneDNN). Data are
in-memory tensors (no DataLoader); inference runs under
torch.inference_mode(). Run with OMP_WAIT_POLICY=PASSIVE for 2 threads,
as ../shared/BENCHMARKING.md recommends.
"""
import sys
import time

import torch


def lenet():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 20, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(20, 50, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(800, 500), torch.nn.ReLU(),
        torch.nn.Linear(500, 10), torch.nn.LogSoftmax(dim=1))


def main():
    mode, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    n = 60000
    model = lenet()
    if mode == "train":
        x = torch.rand(n, 1, 28, 28)
        y = torch.randint(0, 10, (n,))
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9,
                              nesterov=True, weight_decay=5e-4)
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
        xb = torch.rand(batch, 1, 28, 28)
        reps = 5000 if batch == 1 else 50
        with torch.inference_mode():
            for _ in range(reps // 10):
                model(xb)
            t0 = time.perf_counter()
            for _ in range(reps):
                model(xb)
        print("%.3f" % ((time.perf_counter() - t0) / reps * 1e6))


if __name__ == "__main__":
    main()
