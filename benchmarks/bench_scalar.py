"""The scalar engine against micrograd on micrograd's own demo step.

One full-batch training step of MLP(2, [16, 16, 1]) on 100 two-moons points: forward, hinge loss
mean((1 - y·score).relu()) + 1e-4·Σp², backward, SGD update — about 66 thousand scalar nodes.
micrograd runs its own micrograd.nn.MLP; gradviz runs the same network written over gradviz.Value
(the same code as micrograd.nn, the same initial weights, the same data).

    .venv/bin/python benchmarks/bench_scalar.py            # full (20 interleaved runs each)
    .venv/bin/python benchmarks/bench_scalar.py --quick    # a smoke run
    .venv/bin/python benchmarks/bench_scalar.py --check    # only check both compute the same step
"""

from __future__ import annotations

import gc
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import close, fmt_ms, fmt_ratio, make_moons, measure, optional, parse_args, print_table  # noqa: E402

import gradviz  # noqa: E402

__all__ = ["ScalarMLP", "initial_weights", "moons", "build_loss", "make_step", "gradviz_model", "micrograd_model"]

SIZES = (2, [16, 16, 1])
ALPHA = 1e-4
LEARNING_RATE = 1.0


class ScalarNeuron:
    """micrograd.nn.Neuron, over any scalar class with the micrograd interface."""

    def __init__(self, weights: Sequence[float], bias: float, nonlin: bool, value_class):
        self.w = [value_class(w) for w in weights]
        self.b = value_class(bias)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)  # noqa: B905  (micrograd.nn verbatim)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list:
        return self.w + [self.b]


class ScalarMLP:
    """micrograd.nn.MLP built from a flat list of initial weights (in micrograd's parameter order)."""

    def __init__(self, nin: int, nouts: list[int], flat_weights: Sequence[float], value_class):
        sizes = [nin] + nouts
        weights = iter(flat_weights)
        self.layers = []
        for i in range(len(nouts)):
            neurons = []
            for _ in range(sizes[i + 1]):
                w = [next(weights) for _ in range(sizes[i])]
                neurons.append(ScalarNeuron(w, next(weights), nonlin=i != len(nouts) - 1, value_class=value_class))
            self.layers.append(neurons)

    def __call__(self, x):
        for layer in self.layers:
            out = [neuron(x) for neuron in layer]
            x = out[0] if len(out) == 1 else out
        return x

    def parameters(self) -> list:
        return [p for layer in self.layers for neuron in layer for p in neuron.parameters()]


def initial_weights(seed: int = 1337) -> list[float]:
    """micrograd's init (weights uniform in [-1, 1], biases 0), flat in micrograd's parameter order."""
    rng = random.Random(seed)
    nin, nouts = SIZES
    sizes = [nin] + nouts
    flat = []
    for i in range(len(nouts)):
        for _ in range(sizes[i + 1]):
            flat.extend(rng.uniform(-1, 1) for _ in range(sizes[i]))
            flat.append(0.0)
    return flat


def moons(n_samples: int = 100) -> tuple[list[list[float]], list[float]]:
    """The demo's data as Python floats (numpy floats inside micrograd's Values would slow it down)."""
    X, y = make_moons(n_samples, noise=0.1, seed=1)
    return X.tolist(), y.tolist()


def gradviz_model(flat: Sequence[float]) -> ScalarMLP:
    return ScalarMLP(SIZES[0], SIZES[1], flat, gradviz.Value)


def micrograd_model(flat: Sequence[float]):
    """micrograd.nn.MLP(2, [16, 16, 1]) with its parameters set to `flat`."""
    from micrograd.nn import MLP

    model = MLP(SIZES[0], list(SIZES[1]))
    params = model.parameters()
    assert len(params) == len(flat)
    for p, w in zip(params, flat, strict=True):
        p.data = w
    return model


def build_loss(model, value_class, X, y):
    """The demo's loss: mean hinge loss (1 - y·score).relu() plus 1e-4·Σp² (micrograd's demo.ipynb)."""
    inputs = [[value_class(a), value_class(b)] for a, b in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * score).relu() for yi, score in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def make_step(model, value_class, X, y, zero_grad: Callable[[list], None]) -> Callable[[], float]:
    """One full-batch step: forward, backward, SGD update; returns the loss before the update."""
    params = model.parameters()

    def step() -> float:
        total = build_loss(model, value_class, X, y)
        zero_grad(params)
        total.backward()
        for p in params:
            p.data -= LEARNING_RATE * p.grad
        return total.data

    step.params = params  # type: ignore[attr-defined]
    step.forward = lambda: build_loss(model, value_class, X, y)  # type: ignore[attr-defined]
    return step


def _zero_gradviz(params) -> None:
    for p in params:
        p.grad = None


def _zero_micrograd(params) -> None:
    for p in params:
        p.grad = 0


def count_nodes(root) -> int:
    """Distinct nodes reachable from `root` (micrograd's `_prev` or gradviz's `inputs`), iteratively."""
    seen = {id(root)}
    stack = [root]
    while stack:
        node = stack.pop()
        parents = node.inputs if isinstance(node, gradviz.Value) else node._prev
        for parent in parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def check(n_samples: int = 100) -> list[str]:
    """gradviz and micrograd compute the same first step: loss, every gradient, every updated weight."""
    flat = initial_weights()
    X, y = moons(n_samples)
    ours = gradviz_model(flat)
    loss = make_step(ours, gradviz.Value, X, y, _zero_gradviz)()
    lines = [f"gradviz loss at step 1: {loss:.10g}"]
    micrograd = optional("micrograd")
    if micrograd is None:
        return lines + ["micrograd is not installed: nothing to compare with"]
    theirs = micrograd_model(flat)
    from micrograd.engine import Value as MicrogradValue

    their_loss = make_step(theirs, MicrogradValue, X, y, _zero_micrograd)()
    lines.append(close("micrograd loss at step 1", loss, their_loss, rtol=1e-12))
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        close("gradient", q.grad, p.grad, rtol=1e-9, atol=1e-12)
        close("updated weight", q.data, p.data, rtol=1e-9, atol=1e-12)
    lines.append(f"all {len(flat)} gradients and updated weights agree")
    return lines


def _gc_paused(step: Callable[[], float]) -> Callable[[], float]:
    def paused() -> float:
        gc.disable()
        try:
            return step()
        finally:
            gc.enable()

    return paused


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv, repeats=20)
    n_samples = 20 if args.quick else 100
    for line in check(n_samples):
        print(line)
    if args.check:
        return 0

    flat = initial_weights()
    X, y = moons(n_samples)
    ours = gradviz_model(flat)
    nodes = count_nodes(build_loss(ours, gradviz.Value, X, y))
    contenders = {"gradviz (GC on)": make_step(ours, gradviz.Value, X, y, _zero_gradviz)}
    contenders["gradviz (GC paused in the step)"] = _gc_paused(
        make_step(gradviz_model(flat), gradviz.Value, X, y, _zero_gradviz)
    )
    if optional("micrograd") is not None:
        from micrograd.engine import Value as MicrogradValue

        contenders["micrograd as shipped (GC on)"] = make_step(
            micrograd_model(flat), MicrogradValue, X, y, _zero_micrograd
        )
        contenders["micrograd (GC paused in the step)"] = _gc_paused(
            make_step(micrograd_model(flat), MicrogradValue, X, y, _zero_micrograd)
        )
    timings = measure(contenders, repeats=args.repeats, warmup=1)
    base = timings["gradviz (GC on)"]
    goals = {"micrograd as shipped (GC on)": 10.0, "micrograd (GC paused in the step)": 2.0}  # issue 20
    rows = []
    for name, t in timings.items():
        ratio = t.median / base.median
        goal = goals.get(name)
        rows.append(
            [
                name,
                fmt_ms(t.median),
                fmt_ms(t.best),
                fmt_ratio(ratio),
                fmt_ratio(t.best / base.best),
                "" if goal is None else f"≥ {goal:g}× {'met' if ratio >= goal else 'NOT met'}",
            ]
        )
    print_table(
        f"Scalar step: MLP(2, [16, 16, 1]), {n_samples} moons points, {nodes} gradviz nodes, "
        f"{args.repeats} interleaved runs (Python {sys.version.split()[0]})",
        ["contender", "median ms/step", "min ms/step", "gradviz speed ÷ its speed (median)", "(min)", "goal"],
        rows,
    )
    if "micrograd as shipped (GC on)" not in timings:
        print("\nmicrograd is not installed (pip install micrograd==0.1.0): only gradviz was timed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
