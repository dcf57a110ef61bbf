"""A first network, Keras style: Iris (150 flowers, 4 measurements, 3 species), 16 ReLU units, softmax.

    python examples/keras_iris.py --out iris

Prints the model summary and the test accuracy; writes history.png (loss and accuracy, training vs
validation) when matplotlib is installed, and says so when it is not.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from gradviz import keras
from gradviz.data import Standardizer, load_iris, train_test_split


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("examples-out/keras_iris"), help="folder for history.png")
    parser.add_argument("--epochs", type=int, default=100)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    X, y = load_iris()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, seed=1)
    scaler = Standardizer().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    model = keras.Sequential(
        [keras.Dense(16, activation="relu", input_dim=4), keras.Dense(3, activation="softmax")], seed=0
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], learning_rate=0.01)
    model.summary()
    history = model.fit(X_train, y_train, epochs=args.epochs, batch_size=16, validation_split=0.2, verbose=0)
    loss, accuracy = model.evaluate(X_test, y_test, verbose=0)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f} ({len(y_test)} flowers)")

    if importlib.util.find_spec("matplotlib") is None:
        print('skipped history.png: matplotlib is not installed (pip install "gradviz[notebook]")')
        return 0
    import matplotlib

    matplotlib.use("Agg")  # headless: never opens a window
    figure = history.plot()
    path = args.out / "history.png"
    figure.savefig(path, dpi=100, bbox_inches="tight")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
