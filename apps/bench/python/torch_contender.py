"""PyTorch CPU as a bench contender (apps/bench/src/contenders/pytorch.ts starts it).

Speaks JSON lines on stdin/stdout, one request, one reply:
  {"op": "setup", "case": <BenchCase>, "threads": n}  -> {"ok": true, "torch": "<version>", "blas": "<library>"}
  {"op": "time", "runs": n}                           -> {"ms": <milliseconds for n runs>}
  {"op": "close"}                                     -> (exits)
Errors come back as {"error": "<one line>"}. The work is timed here, with
time.perf_counter, so the pipe between the processes is not part of the figures.

Each row's model is built the way a PyTorch user would write it: nn.LSTM with
batch_first for the LSTM rows; W3's SimpleRNN has a sigmoid activation, which nn.RNN
does not offer, so it runs the step h = sigmoid(x W + h U + b) in a Python loop over the
8 steps. Data are random: only the speed is measured (the sizes are the row's).
"""
import json
import sys
import time

import torch
from torch import nn


def blas_library():
    """The BLAS library this process has loaded, after a product that needs one (Linux), else "unknown".

    Debian's python3-torch calls whatever libblas.so.3 points at; without an optimised one
    (libopenblas0-pthread) that is the reference BLAS, 10-30x slower, not a fair yardstick.
    """
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open("/proc/self/maps") as maps:
            names = {line.split()[-1] for line in maps if ".so" in line}
    except OSError:
        return "unknown"
    for name in sorted(names):
        for library in ("openblas", "mkl", "blis", "atlas"):
            if library in name:
                return library
    if any("/blas/libblas.so" in name for name in names):
        return "reference"
    return "unknown"


class LastOrEvery(nn.Module):
    """A recurrent layer, then a Dense on the last step (or on every step)."""

    def __init__(self, spec, features):
        super().__init__()
        model = spec["model"]
        self.every = model["returnSequences"]
        self.cell = model["cell"]
        units = model["units"]
        if self.cell == "lstm":
            self.rnn = nn.LSTM(features, units, batch_first=True)
        else:
            self.kernel = nn.Parameter(torch.randn(features, units) * 0.3)
            self.recurrent = nn.Parameter(torch.randn(units, units) * 0.3)
            self.bias = nn.Parameter(torch.zeros(units))
            self.units = units
        dense = model["dense"]
        self.dense = None if dense is None else nn.Linear(units, dense["units"])
        self.dense_sigmoid = dense is not None and dense["activation"] == "sigmoid"

    def forward(self, x):
        if self.cell == "lstm":
            out, _ = self.rnn(x)
        else:
            h = x.new_zeros(x.shape[0], self.units)
            projected = x @ self.kernel + self.bias
            steps = []
            for t in range(x.shape[1]):
                h = torch.sigmoid(projected[:, t] + h @ self.recurrent)
                steps.append(h)
            out = torch.stack(steps, 1)
        if not self.every:
            out = out[:, -1]
        if self.dense is None:
            return out
        y = self.dense(out)
        return torch.sigmoid(y) if self.dense_sigmoid else y


class Row:
    def __init__(self, case):
        self.case = case
        batch, time_steps, features = case["batch"], case["time"], case["features"]
        torch.manual_seed(0)
        self.model = LastOrEvery(case, features)
        out_units = case["model"]["dense"]["units"] if case["model"]["dense"] else case["model"]["units"]
        self.train = case["phase"] == "train"
        # W5 trains one window at a time over the whole data set: a run is a pass.
        self.per_run = case["samples"] if case["workload"] == "W5" else 1
        self.x = torch.rand(batch, time_steps, features)
        target_shape = (batch, time_steps, out_units) if case["model"]["returnSequences"] else (batch, out_units)
        self.y = torch.rand(*target_shape)
        if case["loss"] == "bce":
            self.y = (self.y > 0.5).float()
            self.loss = nn.BCELoss()
        else:
            self.loss = nn.MSELoss()
        params = self.model.parameters()
        lr = case["learningRate"]
        name = case["optimizer"]
        if name == "adam":
            self.optimizer = torch.optim.Adam(params, lr=lr, eps=1e-7)
        elif name == "rmsprop":
            self.optimizer = torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-7)
        else:
            self.optimizer = torch.optim.SGD(params, lr=lr)
        if not self.train:
            self.model.eval()

    def run(self):
        if not self.train:
            with torch.no_grad():
                self.model(self.x)
            return
        for _ in range(self.per_run):
            self.optimizer.zero_grad()
            loss = self.loss(self.model(self.x), self.y)
            loss.backward()
            self.optimizer.step()


def main():
    row = None
    for line in sys.stdin:
        try:
            request = json.loads(line)
            op = request.get("op")
            if op == "setup":
                torch.set_num_threads(int(request.get("threads", 1)))
                row = Row(request["case"])
                reply = {"ok": True, "torch": torch.__version__, "blas": blas_library()}
            elif op == "time":
                if row is None:
                    raise ValueError("time before setup")
                runs = int(request["runs"])
                started = time.perf_counter()
                for _ in range(runs):
                    row.run()
                reply = {"ms": (time.perf_counter() - started) * 1000}
            elif op == "close":
                return
            else:
                raise ValueError(f"unknown op {op!r}")
        except Exception as error:  # the reply names the failure; the bench marks the row n/a
            reply = {"error": f"{type(error).__name__}: {error}".splitlines()[0][:200]}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
