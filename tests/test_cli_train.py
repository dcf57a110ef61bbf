"""`gradviz train`: the files it writes, its summary, and the messages for bad options."""

from __future__ import annotations

import json
import sys

import pytest

from gradviz.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main

QUICK = ["--epochs", "3", "--samples", "60", "--hidden", "8", "--batch-size", "16", "--quiet"]


def train(tmp_path, *options: str) -> tuple[int, dict | None]:
    out = tmp_path / "run"
    code = main(["train", "--out", str(out), *options])
    summary = out / "summary.json"
    return code, (json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else None)


def test_train_on_moons_writes_curves_boundary_and_summary(tmp_path, capsys):
    code, summary = train(tmp_path, "--dataset", "moons", "--epochs", "3", "--samples", "60", "--hidden", "8,4")
    assert code == EXIT_OK
    out = tmp_path / "run"
    for name in ("curves.png", "boundary.png", "summary.json"):
        assert (out / name).exists(), name
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"
    printed = capsys.readouterr().out
    assert "MLP 2-8-4-1 relu" in printed and f"wrote {out / 'boundary.png'}" in printed
    assert summary["dataset"]["name"] == "moons" and summary["dataset"]["samples"] == 60
    assert summary["model"]["layers"] == [2, 8, 4, 1] and summary["model"]["loss"] == "binary_crossentropy"
    assert summary["model"]["parameters"] == 2 * 8 + 8 + 8 * 4 + 4 + 4 + 1
    assert summary["epochs"] == 3 and len(summary["history"]["loss"]) == 3
    assert 0.0 <= summary["final"]["test_accuracy"] <= 1.0 and summary["final"]["loss"] > 0
    assert summary["optimizer"] == {"name": "adam", "lr": 0.01} and summary["time_s"] >= 0
    assert summary["files"] == ["curves.png", "boundary.png", "summary.json"]


def test_train_on_iris_uses_softmax_and_draws_no_boundary(tmp_path):
    code, summary = train(tmp_path, "--dataset", "iris", "--optimizer", "sgd", "--lr", "0.1", *QUICK)
    assert code == EXIT_OK
    assert summary["model"]["layers"] == [4, 8, 3] and summary["model"]["output_activation"] == "softmax"
    assert summary["dataset"]["classes"] == ["setosa", "versicolor", "virginica"]
    assert summary["dataset"]["test_samples"] == 30 and summary["optimizer"] == {"name": "sgd", "lr": 0.1}
    assert not (tmp_path / "run" / "boundary.png").exists() and (tmp_path / "run" / "curves.png").exists()


def test_train_learns_xor_well_enough(tmp_path):
    code, summary = train(
        tmp_path,
        "--dataset",
        "xor",
        "--epochs",
        "40",
        "--samples",
        "200",
        "--hidden",
        "16",
        "--activation",
        "tanh",
        "-q",
    )
    assert code == EXIT_OK and summary["final"]["train_accuracy"] >= 0.9


def test_train_is_reproducible_with_a_seed(tmp_path):
    first = train(tmp_path / "a", "--dataset", "circles", "--seed", "3", *QUICK)[1]
    second = train(tmp_path / "b", "--dataset", "circles", "--seed", "3", *QUICK)[1]
    other = train(tmp_path / "c", "--dataset", "circles", "--seed", "4", *QUICK)[1]
    assert first["history"] == second["history"]
    assert first["history"] != other["history"]


def test_train_without_matplotlib_writes_the_summary_and_says_how_to_get_plots(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now raises ImportError
    code, summary = train(tmp_path, "--dataset", "blobs", *QUICK)
    assert code == EXIT_OK and summary is not None and summary["files"] == ["summary.json"]
    assert not (tmp_path / "run" / "curves.png").exists()
    assert 'pip install "gradviz[notebook]"' in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--dataset", "mnist", "the datasets are moons, circles, spirals, xor, blobs, iris, digits"),
        ("--optimizer", "lbfgs", "the optimizers are sgd, momentum, nesterov"),
        ("--activation", "swish", "the activations are"),
        ("--hidden", "16,x", "'x' is not one"),
        ("--hidden", "16,-3", "positive whole numbers"),
        ("--epochs", "0", "--epochs 0"),
        ("--lr", "-1", "positive number"),
        ("--test-size", "1.5", "between 0 and 1"),
    ],
)
def test_bad_options_exit_2_with_a_message_and_write_nothing(tmp_path, capsys, option, value, expected):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), option, value]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert expected in error and error.startswith("gradviz train:")
    assert not out.exists()


def test_a_non_number_option_is_an_argparse_usage_error(tmp_path, capsys):
    assert main(["train", "--out", str(tmp_path), "--epochs", "many"]) == EXIT_USAGE
    assert "--epochs" in capsys.readouterr().err


def test_a_diverging_run_stops_with_the_epoch_and_exit_1(tmp_path, capsys):
    code, summary = train(
        tmp_path, "--dataset", "moons", "--optimizer", "sgd", "--lr", "1e300", "--epochs", "5", "--samples", "60", "-q"
    )
    assert code == EXIT_FAILURE and summary is None
    assert "at epoch" in capsys.readouterr().err


def test_train_is_listed_in_the_help(capsys):
    assert main(["--help"]) == 0
    assert "train" in capsys.readouterr().out
