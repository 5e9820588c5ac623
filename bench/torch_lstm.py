#!/usr/bin/python3
"""The PyTorch peer of bench_lstm.c: the same 2-layer LSTM(128) over 28
steps of 28 features and a 10-way softmax output, the same work (Adam
0.001, cross-entropy), printed the same way.

    torch_lstm.py train BATCH THREADS   seconds for one epoch of 60,000
    torch_lstm.py infer BATCH THREADS   microseconds per forward pass

Data are in-memory tensors (no DataLoader); inference runs under
torch.inference_mode(). Run with OMP_WAIT_POLICY=PASSIVE for 2 threads,
as ../shared/BENCHMARKING.md recommends.
"""
import sys
import time

import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(28, 128, num_layers=2, batch_first=True)
        self.out = torch.nn.Linear(128, 10)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.out(y[:, -1])


def main():
    mode, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = Net()
    if mode == "train":
        n = 60000
        x = torch.rand(n, 28, 28)
        y = torch.randint(0, 10, (n,))
        opt = torch.optim.Adam(model.parameters(), lr=0.001)
        loss_fn = torch.nn.CrossEntropyLoss()

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
        xb = torch.rand(batch, 28, 28)
        reps = 2000 if batch == 1 else 50
        with torch.inference_mode():
            for _ in range(reps // 10):
                model(xb)
            t0 = time.perf_counter()
            for _ in range(reps):
                model(xb)
        print("%.3f" % ((time.perf_counter() - t0) / reps * 1e6))


if __name__ == "__main__":
    main()
