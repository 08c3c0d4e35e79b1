#!/usr/bin/env python3
"""Regenerates the ONNX fixtures of @rnnkit/onnx from PyTorch.

Usage (from the repository root; needs PyTorch and the onnx Python package, e.g. Debian's
python3-torch and python3-onnx):

    /usr/bin/python3 packages/onnx/scripts/make-fixtures.py

Writes packages/onnx/fixtures/<name>.onnx and <name>.json for every model below. The JSON
holds the model's description, a seeded input ([batch, time, features], or token ids for
the embedding model) and PyTorch's output for it, so the tests (which run without Python)
can check that rnnkit's import predicts the same. Everything is seeded: rerunning the script
with the same PyTorch version writes the same numbers.
"""
import json
import os
import sys
import zlib

import onnx
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
OPSET = 14
FEATURES, UNITS, OUTPUTS, BATCH, TIME = 3, 4, 2, 2, 5


class Recurrent(nn.Module):
    """An nn.LSTM/GRU/RNN (batch_first) with a Linear head on the last step or every step."""

    def __init__(self, kind, layers, every_step, bidirectional=False, head=None):
        super().__init__()
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[kind]
        self.rnn = rnn(FEATURES, UNITS, num_layers=layers, batch_first=True, bidirectional=bidirectional)
        width = UNITS * (2 if bidirectional else 1)
        self.head = head if head is not None else nn.Linear(width, OUTPUTS)
        self.every_step = every_step

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out if self.every_step else out[:, -1])


class LastStepVariants(nn.Module):
    """The last step read two other ways: the final hidden state h_n, or out[:, -1:] (picked after the head)."""

    def __init__(self, kind, use_final_state, layers=1):
        super().__init__()
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[kind](FEATURES, UNITS, num_layers=layers, batch_first=True)
        self.head = nn.Linear(UNITS, OUTPUTS)
        self.use_final_state = use_final_state

    def forward(self, x):
        out, state = self.rnn(x)
        if self.use_final_state:
            h = state[0] if isinstance(state, tuple) else state
            return self.head(h[-1])
        # (squeeze(1) would export as an If node on the dynamic time axis; indexing does not.)
        return self.head(out[:, -1:])[:, 0]


class BidirectionalFinalStates(nn.Module):
    """A bidirectional nn.LSTM/GRU with a Linear head on both directions' final hidden states."""

    def __init__(self, kind, layers=1):
        super().__init__()
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[kind](FEATURES, UNITS, num_layers=layers, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * UNITS, OUTPUTS)

    def forward(self, x):
        _, state = self.rnn(x)
        h = state[0] if isinstance(state, tuple) else state
        # The last layer's forward direction's last step and its reverse direction's (after reading step 0).
        return self.head(torch.cat([h[-2], h[-1]], dim=1))


class Embedded(nn.Module):
    """Token ids → nn.Embedding → nn.LSTM → Linear on the last step."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(10, FEATURES)
        self.rnn = nn.LSTM(FEATURES, UNITS, batch_first=True)
        self.head = nn.Linear(UNITS, OUTPUTS)

    def forward(self, tokens):
        out, _ = self.rnn(self.embedding(tokens))
        return self.head(out[:, -1])


def every_step_of(module):
    """Whether the model's output has a time axis (its length then follows the input's)."""
    return getattr(module, "every_step", False)


def models():
    """(name, description, module, importable) for every fixture."""
    for kind in ("lstm", "gru", "rnn"):
        for layers in (1, 2):
            for every_step in (False, True):
                step = "seq" if every_step else "last"
                what = f"nn.{kind.upper() if kind != 'rnn' else 'RNN'}({FEATURES}, {UNITS}, num_layers={layers}, batch_first=True)"
                head = "Linear on every step" if every_step else "Linear on out[:, -1]"
                yield f"{kind}_{layers}layer_{step}", f"{what} → {head}", Recurrent(kind, layers, every_step), True
    mlp = nn.Sequential(nn.Linear(UNITS, 6), nn.ReLU(), nn.Linear(6, 1), nn.Sigmoid())
    yield "gru_mlp_head", "nn.GRU(3, 4) → Linear → ReLU → Linear → Sigmoid on out[:, -1]", Recurrent("gru", 1, False, head=mlp), True
    tanh_head = nn.Sequential(nn.Linear(UNITS, OUTPUTS), nn.Tanh())
    yield "lstm_tanh_head_seq", "nn.LSTM(3, 4) → Linear → Tanh on every step", Recurrent("lstm", 1, True, head=tanh_head), True
    yield "lstm_final_state", "nn.LSTM(3, 4) → Linear on h_n[-1]", LastStepVariants("lstm", True), True
    yield "gru_slice_last", "nn.GRU(3, 4) → Linear on out[:, -1:] → [:, 0]", LastStepVariants("gru", False), True
    for kind in ("lstm", "gru"):
        yield f"{kind}_bidirectional", f"bidirectional nn.{kind.upper()}(3, 4) → Linear on out[:, -1]", Recurrent(kind, 1, False, bidirectional=True), False
    yield "embedding_lstm", "nn.Embedding(10, 3) → nn.LSTM(3, 4) → Linear on out[:, -1]", Embedded(), True
    for kind in ("lstm", "gru"):
        what = f"bidirectional nn.{kind.upper()}(3, 4)"
        yield f"{kind}_bidirectional_seq", f"{what} → Linear on every step", Recurrent(kind, 1, True, bidirectional=True), True
        yield f"{kind}_bidirectional_final_state", f"{what} → Linear on torch.cat([h_n[-2], h_n[-1]], dim=1)", BidirectionalFinalStates(kind), True
    yield "lstm_2layer_bidirectional_seq", "bidirectional nn.LSTM(3, 4, num_layers=2) → Linear on every step", Recurrent("lstm", 2, True, bidirectional=True), True
    # h_n of stacked layers is exported as a Concat of every layer's final states.
    yield "lstm_2layer_bidirectional_final_state", "bidirectional nn.LSTM(3, 4, num_layers=2) → Linear on torch.cat([h_n[-2], h_n[-1]], dim=1)", BidirectionalFinalStates("lstm", 2), True
    yield "gru_2layer_final_state", "nn.GRU(3, 4, num_layers=2) → Linear on h_n[-1]", LastStepVariants("gru", True, layers=2), True


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, description, module, importable in models():
        # Re-initialise under a seed made from the fixture's name, so adding a model changes no other.
        torch.manual_seed(zlib.crc32(name.encode()))
        for m in module.modules():
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()
        module.eval()
        if name == "embedding_lstm":
            x = torch.randint(0, 10, (BATCH, TIME))
        else:
            x = torch.randn(BATCH, TIME, FEATURES)
        with torch.no_grad():
            y = module(x)
        path = os.path.join(OUT, f"{name}.onnx")
        torch.onnx.export(
            module,
            (x,),
            path,
            opset_version=OPSET,
            input_names=["input"],
            output_names=["output"],
            # Batch and time are dynamic: the models take any number of sequences of any length.
            dynamic_axes={"input": {0: "batch", 1: "time"}, "output": {0: "batch"} if not every_step_of(module) else {0: "batch", 1: "time"}},
            do_constant_folding=True,
        )
        onnx.checker.check_model(onnx.load(path))
        facts = {
            "description": description,
            "importable": importable,
            "torch": torch.__version__,
            "opset": OPSET,
            "input": {"shape": list(x.shape), "data": [float(v) for v in x.flatten().tolist()]},
            "output": {"shape": list(y.shape), "data": [float(v) for v in y.flatten().tolist()]},
        }
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(facts, f, indent=1)
            f.write("\n")
        print(f"{name}: {os.path.getsize(path)} bytes, output {list(y.shape)}", file=sys.stderr)


if __name__ == "__main__":
    main()
