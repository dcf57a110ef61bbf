"""One Keras-style model trained on both backends — gradviz's numpy engine and JAX — then looked at.

    python examples/jax_backend.py --out jax-backend

The digits (1,797 handwritten 8×8 digits) train a 64-32-10 ReLU/softmax network twice from the same
initial weights: ``fit(backend="numpy")`` and ``fit(backend="jax")`` (one jitted step per batch).
The script prints both test accuracies and times, saves the JAX-trained weights and loads them into a
fresh numpy model, traces one sample through it and writes its backward pass, step by step, as SVG
(``backward/step-000.svg`` …), and writes the program JAX runs — the jaxpr of the loss — collapsed to
one box per layer (``jaxpr.svg``). Without JAX it says so and exits 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np

from gradviz import keras

EPOCHS = 15
BATCH = 32


def make_model(seed: int = 0) -> keras.Sequential:
    """The same architecture each time; the same seed gives the same initial weights."""
    model = keras.Sequential(
        [keras.Dense(32, activation="relu", input_dim=64), keras.Dense(10, activation="softmax")], seed=seed
    )
    return model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("examples-out/jax_backend"), help="folder for the pictures")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    if importlib.util.find_spec("jax") is None:
        print('skipped: JAX is not installed, so there is no jax backend to compare (pip install "gradviz[jax]")')
        return 0
    args.out.mkdir(parents=True, exist_ok=True)

    import gradviz
    import gradviz.functional as F
    from gradviz.backends.jax import loss_function
    from gradviz.backends.jaxpr import jaxpr_graph
    from gradviz.data import Standardizer, load_digits, train_test_split

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, seed=1)
    scaler = Standardizer().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    trained = {}
    for backend in ("numpy", "jax"):
        model = make_model()
        began = time.perf_counter()
        model.fit(X_train, y_train, epochs=args.epochs, batch_size=BATCH, verbose=0, seed=0, backend=backend)
        seconds = time.perf_counter() - began
        _, accuracy = model.evaluate(X_test, y_test, verbose=0)
        trained[backend] = model
        print(f"{backend:>5} backend: test accuracy {accuracy:.4f} after {args.epochs} epochs in {seconds:.2f} s")
    print("(the jax time includes compiling the step, once per batch shape)")

    weights = args.out / "jax-weights.npz"
    trained["jax"].save_weights(weights)
    print(f"wrote {weights}")
    model = make_model(seed=1)  # other initial weights, replaced by the loaded ones
    model.build(64)
    model.load_weights(weights)
    same = np.allclose(model.predict(X_test, verbose=0), trained["jax"].predict(X_test, verbose=0))
    _, accuracy = model.evaluate(X_test, y_test, verbose=0)
    print(f"jax-trained weights loaded into a fresh numpy model: test accuracy {accuracy:.4f} (same outputs: {same})")

    # one sample, traced by the numpy engine: every backward step of the loss as a picture
    sample, label = X_test[:1], y_test[:1]
    with gradviz.trace() as t:
        loss = F.cross_entropy(model(sample, logits=True), label)
        loss.label = "loss"
        loss.backward()
    result = gradviz.export(t, args.out / "backward", mode="backward")
    print(f"one test digit (label {int(label[0])}): loss {loss.item():.4f}, {len(result.files)} backward frames")
    print(f"wrote {args.out / 'backward'}")

    # the program JAX compiles for a batch of the loss: one box per layer
    loss_of, params = loss_function(model, X_test[:BATCH], y_test[:BATCH])
    graph = jaxpr_graph(loss_of, params, X_test[:BATCH].astype(np.float32), y_test[:BATCH])
    print(f"the jaxpr of the loss: {len(graph.jaxpr.jaxpr.eqns)} equations, scopes {sorted(graph.scopes())}")
    path = gradviz.draw(graph, collapse=True, title="The program JAX runs for the loss of a batch of 32").save(
        args.out / "jaxpr.svg"
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
