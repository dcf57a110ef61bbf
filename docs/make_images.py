"""Regenerate the README's pictures: python docs/make_images.py [--out docs/img].

Rendered through graphviz-pure (the renderer every `pip install` has) so the files do not depend
on which Graphviz a machine happens to have.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gradviz import Value, nn, trace
from gradviz.viz import frames, render, to_dot


def worked_example():
    """f = (x + y)·z at x = −2, y = 5, z = −4, traced forward and backward."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    with trace() as t:
        q = x + y
        q.label = "q"
        f = q * z
        f.label = "f"
        f.backward()
    return t


def worked_example_backward(out: Path) -> Path:
    t = worked_example()
    # the step where f hands its gradient back to q and z: the chain rule on both edges
    frame = next(fr for fr in frames(t) if fr.kind == "backward" and fr.step == 1)
    path = out / "worked-example-backward.png"
    path.write_bytes(render(to_dot(frame, caption=True), "png", engine="graphviz-pure"))
    return path


def mlp_collapsed(out: Path) -> Path:
    nn.manual_seed(0)
    model = nn.ScalarMLP(2, [4, 4, 1])
    score = model([Value(1.0, label="x1"), Value(-0.5, label="x2")])
    score.label = "score"
    score.backward()
    path = out / "mlp-collapsed.png"
    path.write_bytes(render(to_dot(score, collapse=True), "png", engine="graphviz-pure"))
    return path


def training(out: Path) -> Path:
    """A 2-16-16-2 ReLU net learning the moons: its decision boundary next to its loss and accuracy curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gradviz import keras
    from gradviz.data import make_moons
    from gradviz.viz.plots import plot_decision_boundary, plot_history

    X, y = make_moons(200, noise=0.15, seed=0)
    model = keras.Sequential(
        [
            keras.Dense(16, activation="relu", input_dim=2),
            keras.Dense(16, activation="relu"),
            keras.Dense(2, activation="softmax"),
        ],
        seed=0,
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], learning_rate=0.02)
    history = model.fit(X, y, epochs=60, batch_size=32, seed=0, verbose=0)
    figure, (boundary, curves) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [1.1, 1]})
    plot_decision_boundary(model, X, y, ax=boundary, title="decision boundary after 60 epochs")
    plot_history(history, metrics=["loss", "accuracy"], ax=curves)
    curves.set_title("loss and accuracy per epoch")
    figure.tight_layout()
    path = out / "training.png"
    figure.savefig(path, dpi=90, metadata={"Software": None})
    plt.close(figure)
    return path


def lessons(out: Path) -> list[Path]:
    """The three lessons of issue 14 as a slide shows them — a forward step, a backward step and the last frame
    of each, one layout per lesson (the worked example drawn whole, the neuron and the MLP in focus view)."""
    from gradviz.nn.scalar import MLP
    from gradviz.viz import fixed_layout

    x1, x2 = Value(1.0, label="x₁", requires_grad=False), Value(-2.0, label="x₂", requires_grad=False)
    w1, w2, b = Value(0.5, label="w₁"), Value(-0.3, label="w₂"), Value(0.1, label="b")
    y = Value(1.0, label="y", requires_grad=False)
    with trace() as neuron:
        z = x1 * w1 + x2 * w2 + b
        z.label = "z"
        p = z.sigmoid()
        p.label = "p"
        loss = -(y * p.log() + (1 - y) * (1 - p).log())
        loss.label = "L"
        loss.backward()
    model = MLP(2, [2, 1], seed=0)
    inputs = [Value(1.0, label="x₁", requires_grad=False), Value(-1.0, label="x₂", requires_grad=False)]
    with trace() as mlp:
        loss = (model(inputs) - Value(1.0, label="y", requires_grad=False)) ** 2
        loss.label = "L"
        loss.backward()
    written = []
    for name, lesson in (("worked-example", worked_example()), ("sigmoid-neuron", neuron), ("mlp-step", mlp)):
        steps = frames(lesson)
        layout = fixed_layout(steps, engine="graphviz-pure", caption=True)
        forward = next(k for k, frame in enumerate(steps) if frame.kind == "forward")
        backward = [k for k, frame in enumerate(steps) if frame.kind == "backward"]
        for k in (forward, backward[len(backward) // 2], len(steps) - 1):
            path = out / f"lesson-{name}-step-{k:03d}.png"
            dot = to_dot(steps[k], layout=layout, caption=True)
            path.write_bytes(render(dot, "png", engine="graphviz-pure"))
            written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).parent / "img"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for path in (worked_example_backward(out), mlp_collapsed(out), training(out), *lessons(out)):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
