"""PyTorch CPU as a bench contender (apps/bench/src/contenders/pytorch.ts starts it).

Speaks JSON lines on stdin/stdout, one request, one reply:
  {"op": "setup", "case": <BenchCase>, "threads": n, "lengths": [...] | null}
                                                      -> {"ok": true, "torch": "<version>", "blas": "<library>"}
  {"op": "time", "runs": n}                           -> {"ms": <milliseconds for n runs>}
  {"op": "close"}                                     -> (exits)
Errors come back as {"error": "<one line>"}. The work is timed here, with
time.perf_counter, so the pipe between the processes is not part of the figures.

Each row's model is built the way a PyTorch user would write it: nn.LSTM with
batch_first for the LSTM rows; W3's SimpleRNN has a sigmoid activation, which nn.RNN
does not offer, so it runs the step h = sigmoid(x W + h U + b) in a Python loop over the
8 steps. W6 (Masking + Bidirectional(LSTM) + Dense) is nn.LSTM(bidirectional=True) over
pack_padded_sequence with each batch's lengths (the bench's, sent in "lengths"), the
forward direction's state at each sequence's last step and the backward one's at its
first step concatenated (Keras' Bidirectional, merge "concat"), then nn.Linear; its batches
are taken in turn, as the other contenders take theirs. Data are random: only the speed is
measured (the sizes and the lengths are the row's). A model option this script does not
know, or a value it cannot build, is refused with an error rather than run as other work.
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


# Every field of the bench's BenchCase and ModelSpec (apps/bench/src/workloads.ts) this script knows.
CASE_KEYS = {"id", "workload", "title", "phase", "model", "batch", "time", "features", "optimizer", "learningRate", "loss", "samples", "target"}
MODEL_KEYS = {"cell", "units", "activation", "returnSequences", "dense", "bidirectional", "masking"}


def check_case(case):
    """Raises ValueError on a case field or model option this script does not build as the other contenders do."""
    for kind, given, known in (("case field", case, CASE_KEYS), ("model option", case["model"], MODEL_KEYS)):
        unknown = sorted(set(given) - known)
        if unknown:
            raise ValueError(f"{kind}(s) {', '.join(unknown)} not built by torch_contender.py")
    for field, allowed in (("phase", ("train", "predict")), ("optimizer", ("adam", "rmsprop", "sgd")), ("loss", ("mse", "bce"))):
        if case[field] not in allowed:
            raise ValueError(f"expected {field} {' or '.join(allowed)}, got {case[field]!r}")
    model = case["model"]
    cell, activation = model["cell"], model["activation"]
    if (cell, activation) not in (("lstm", "tanh"), ("simpleRNN", "sigmoid")):
        raise ValueError(f"expected an LSTM with tanh or a SimpleRNN with sigmoid, got {cell} with {activation}")
    if model.get("bidirectional", False) and cell != "lstm":
        raise ValueError(f"Bidirectional is built for the LSTM only, got {cell}")
    if model.get("masking", False) and (cell != "lstm" or model["returnSequences"]):
        raise ValueError("Masking is built for an LSTM returning its last step only")
    dense = model["dense"]
    if dense is not None and dense["activation"] not in ("linear", "sigmoid"):
        raise ValueError(f"expected a Dense activation linear or sigmoid, got {dense['activation']}")


class LastOrEvery(nn.Module):
    """A recurrent layer (one direction or both), then a Dense on the last step (or on every step)."""

    def __init__(self, spec, features):
        super().__init__()
        model = spec["model"]
        self.every = model["returnSequences"]
        self.cell = model["cell"]
        self.both = model.get("bidirectional", False)
        units = model["units"]
        self.units = units
        if self.cell == "lstm":
            self.rnn = nn.LSTM(features, units, batch_first=True, bidirectional=self.both)
        else:
            self.kernel = nn.Parameter(torch.randn(features, units) * 0.3)
            self.recurrent = nn.Parameter(torch.randn(units, units) * 0.3)
            self.bias = nn.Parameter(torch.zeros(units))
        width = 2 * units if self.both else units
        dense = model["dense"]
        self.dense = None if dense is None else nn.Linear(width, dense["units"])
        self.dense_sigmoid = dense is not None and dense["activation"] == "sigmoid"

    def forward(self, x, lengths=None):
        if lengths is not None:
            # Padded sequences: the LSTM runs each one over its own steps only. h holds each
            # direction's final state: forward at the sequence's last step, backward at its first.
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            _, (h, _) = self.rnn(packed)
            out = torch.cat([h[-2], h[-1]], 1) if self.both else h[-1]
        else:
            out = self.sequence(x)
            if not self.every:
                # Both directions' final states: forward's at the last step, backward's at the first.
                out = torch.cat([out[:, -1, : self.units], out[:, 0, self.units :]], 1) if self.both else out[:, -1]
        if self.dense is None:
            return out
        y = self.dense(out)
        return torch.sigmoid(y) if self.dense_sigmoid else y

    def sequence(self, x):
        if self.cell == "lstm":
            out, _ = self.rnn(x)
            return out
        h = x.new_zeros(x.shape[0], self.units)
        projected = x @ self.kernel + self.bias
        steps = []
        for t in range(x.shape[1]):
            h = torch.sigmoid(projected[:, t] + h @ self.recurrent)
            steps.append(h)
        return torch.stack(steps, 1)


def padded_batches(case, lengths):
    """The row's samples cut into batches of its batch size, as the bench cuts its data: inputs
    random over each sequence's steps and zero after them, with the batch's lengths."""
    if lengths is None or len(lengths) != case["samples"]:
        raise ValueError(f"a masked row needs \"lengths\", one per sample ({case['samples']}), got {None if lengths is None else len(lengths)}")
    time_steps, features = case["time"], case["features"]
    if not all(isinstance(n, int) and 1 <= n <= time_steps for n in lengths):
        raise ValueError(f"expected lengths from 1 to {time_steps}")
    batches = []
    for start in range(0, case["samples"], case["batch"]):
        chunk = torch.tensor(lengths[start : start + case["batch"]], dtype=torch.int64)
        x = torch.rand(len(chunk), time_steps, features)
        x[torch.arange(time_steps)[None, :] >= chunk[:, None]] = 0
        batches.append((x, chunk))
    return batches


class Row:
    def __init__(self, case, lengths=None):
        check_case(case)
        self.case = case
        batch, time_steps, features = case["batch"], case["time"], case["features"]
        torch.manual_seed(0)
        self.model = LastOrEvery(case, features)
        out_units = case["model"]["dense"]["units"] if case["model"]["dense"] else case["model"]["units"]
        self.train = case["phase"] == "train"
        # W5 trains one window at a time over the whole data set: a run is a pass.
        self.per_run = case["samples"] if case["workload"] == "W5" else 1
        if case["model"].get("masking", False):
            self.batches = [(x, n, torch.rand(len(n), out_units)) for x, n in padded_batches(case, lengths)]
        else:
            x = torch.rand(batch, time_steps, features)
            target_shape = (batch, time_steps, out_units) if case["model"]["returnSequences"] else (batch, out_units)
            self.batches = [(x, None, torch.rand(*target_shape))]
        self.next = 0
        if case["loss"] == "bce":
            self.batches = [(x, n, (y > 0.5).float()) for x, n, y in self.batches]
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
        elif name == "sgd":
            self.optimizer = torch.optim.SGD(params, lr=lr)
        if not self.train:
            self.model.eval()

    def run(self):
        x, lengths, y = self.batches[self.next % len(self.batches)]
        self.next += 1
        if not self.train:
            with torch.no_grad():
                self.model(x, lengths)
            return
        for _ in range(self.per_run):
            self.optimizer.zero_grad()
            loss = self.loss(self.model(x, lengths), y)
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
                row = Row(request["case"], request.get("lengths"))
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
