"""notebooks/: the course, each notebook executed top to bottom on a real kernel and checked on what it prints.

The stored notebooks carry no outputs, and notebooks/README.md lists every one of them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from jupyter_support import MISSING_KERNEL, execute_notebook, jupyter_environment

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
COURSE = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"
NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


def stored(path: Path) -> dict:
    """The notebook file as JSON, with no Jupyter package needed."""
    return json.loads(path.read_text(encoding="utf-8"))


def printed(notebook) -> str:
    """Everything the notebook's cells wrote to stdout, in order."""
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stdout"
    )


def shown(notebook, mimetype: str) -> int:
    """How many displayed outputs carry `mimetype` (image/png, image/svg+xml, a widget view...)."""
    return sum(
        mimetype in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def number_after(text: str, prefix: str) -> float:
    """The number printed right after `prefix` (the first occurrence)."""
    found = re.search(re.escape(prefix) + r"\s*(" + NUMBER + ")", text)
    assert found, f"the notebook did not print {prefix!r} followed by a number; it printed:\n{text}"
    return float(found.group(1))


def run(name: str, tmp_path: Path, env: dict[str, str] | None = None):
    """Execute notebooks/NAME.ipynb in tmp_path (its files land there, never in the repository); `env` adds
    variables for the kernel. Each cell may take up to 3 minutes on a loaded machine."""
    return execute_notebook(
        NOTEBOOKS / f"{name}.ipynb",
        tmp_path,
        timeout=180,
        env={**jupyter_environment(tmp_path / "jupyter"), **(env or {})},
    )


# -- what each notebook must show -----------------------------------------------------------------------


def check_computational_graph(notebook, text: str, cwd: Path) -> None:
    assert "q = 3.0, f = -12.0" in text
    assert "∂f/∂x = -4.0, ∂f/∂y = -4.0, ∂f/∂z = 3.0" in text
    assert "to q: upstream 1.0 × local -4.0 = -4.0" in text and "to z: upstream 1.0 × local 3.0 = 3.0" in text
    assert "∂f/∂x = ∂f/∂q · ∂q/∂x = (−4) · 1 = −4" in text
    assert "u → x: contribution +2, x.grad is now 3" in text and "∂g/∂x = 3.0" in text
    assert shown(notebook, WIDGET) == 1, "the stepper widget is not displayed"
    assert shown(notebook, "image/svg+xml") >= 5
    assert (cwd / "out" / "walkthrough.html").stat().st_size > 1000


def check_linear_regression(notebook, text: str, cwd: Path) -> None:
    # one flat: ∂L/∂w = 2·error·size is size (42.45) times ∂L/∂b = 2·error
    assert number_after(text, "∂L/∂w = 2·error·size =") == pytest.approx(
        42.45 * number_after(text, "∂L/∂b = 2·error ="), rel=1e-3
    )
    descent = re.search(r"i\.e\. price ≈ (" + NUMBER + r")·size \+ (" + NUMBER + ")", text)
    exact = re.search(r"least squares:\s+price ≈ (" + NUMBER + r")·size \+ (" + NUMBER + ")", text)
    assert descent and exact
    assert float(descent.group(1)) == pytest.approx(float(exact.group(1)), abs=2e-3)
    assert float(descent.group(2)) == pytest.approx(float(exact.group(2)), abs=0.1)
    rows = re.findall(r"(\w+): gradient descent\s+(" + NUMBER + r") €\s+least squares\s+(" + NUMBER + ") €", text)
    assert [name for name, _, _ in rows] == ["size_m2", "rooms", "floors", "age_years"]
    for name, learned, exact_weight in rows:
        assert float(learned) == pytest.approx(float(exact_weight), abs=2), name
    assert shown(notebook, "image/png") >= 3


def check_perceptron_logistic(notebook, text: str, cwd: Path) -> None:
    assert re.search(r"epoch \d+: 0 mistakes", text), "the perceptron did not separate the two clouds"
    assert number_after(text, "largest slope:") == pytest.approx(0.25, abs=1e-3)
    assert number_after(text, "accuracy:") >= 0.95
    p = number_after(text, "p =")
    assert number_after(text, "∂L/∂z = p − y =") == pytest.approx(p - 1.0, abs=2e-3)
    assert shown(notebook, "image/png") == 4


def check_mlp_activations(notebook, text: str, cwd: Path) -> None:
    assert number_after(text, "one neuron: accuracy") < 0.7
    assert number_after(text, "MLP 2-8-1: accuracy") > 0.9
    assert "probabilities [0.659 0.242 0.099] sum 1.0" in text
    assert shown(notebook, "image/svg+xml") == 2  # the MLP collapsed, then with one layer open
    assert shown(notebook, "image/png") == 4


def check_losses_gradient_descent(notebook, text: str, cwd: Path) -> None:
    softmax = [float(v) for v in re.findall(NUMBER, text.split("softmax", 1)[1].split("\n", 1)[0])]
    gradient = [float(v) for v in re.findall(NUMBER, text.split("∂CE/∂scores", 1)[1].split("\n", 1)[0])]
    assert gradient == pytest.approx([softmax[0] - 1.0, *softmax[1:]], abs=2e-4)
    assert "η = 0.4 : w = 0.00, 2.40, 2.88, 2.98" in text
    assert "η = 1.05: w = 0.00, 6.30, -0.63, 6.99" in text  # every step overshoots further
    assert "w ← w − η·∂L/∂w = 0 − 0.4 · (−6) = 2.4" in text  # the recorded update, with its numbers
    assert "The loss per iteration: 9 → 0.36 (2 iterations)." in text
    assert shown(notebook, "image/png") == 4


def check_backprop_mlp(notebook, text: str, cwd: Path) -> None:
    assert number_after(text, "their sum") == pytest.approx(number_after(text, "backward() gives"), abs=1e-6)
    assert number_after(text, "numeric") == pytest.approx(number_after(text, "analytic"), abs=1e-7)
    assert "all agree: True" in text and "BAD" not in text
    assert number_after(text, "sigmoid: epoch 1, first layer") < number_after(text, "relu: epoch 1, first layer") / 10
    assert number_after(text, "(ratio") > 100  # sigmoid's first ratio: the gradient fades through 5 sigmoids
    assert shown(notebook, WIDGET) == 1, "the stepper widget is not displayed"
    assert "Backward step 5 of 16" in text


def check_optimizers(notebook, text: str, cwd: Path) -> None:
    finals = re.findall(r"(\w+): ends at \(.*\), f = (" + NUMBER + ")", text)
    assert sorted(name for name, _ in finals) == sorted(
        ["SGD", "Momentum", "Nesterov", "Adagrad", "Adadelta", "RMSprop", "Adam"]
    )
    losses = [float(value) for _, value in finals]
    assert losses == sorted(losses), "the Rosenbrock table is not sorted best first"
    assert "Adam keeps: exp_avg, exp_avg_sq" in text and "SGD keeps: nothing" in text
    assert shown(notebook, "image/png") == 6


def check_first_network_keras(notebook, text: str, cwd: Path) -> None:
    iris = re.search(r"test accuracy (" + NUMBER + r") on 30 flowers", text)
    digits = re.search(r"test accuracy (" + NUMBER + r") on 450 images", text)
    assert iris and float(iris.group(1)) >= 0.9
    assert digits and float(digits.group(1)) >= 0.9
    counts = re.search(r"ConfusionCounts\(tp=(\d+), tn=(\d+), fp=(\d+), fn=(\d+)\)", text)
    assert counts
    tp, tn, fp, fn = map(int, counts.groups())
    assert tp + tn + fp + fn == 450
    assert number_after(text, "precision") == pytest.approx(tp / (tp + fp), abs=1e-3)
    assert number_after(text, "recall") == pytest.approx(tp / (tp + fn), abs=1e-3)
    assert "macro avg" in text
    assert shown(notebook, "image/png") == 6


def check_playground(notebook, text: str, cwd: Path) -> None:
    assert shown(notebook, WIDGET) == 2  # the playground and the fit dashboard
    assert number_after(text, "val_accuracy:") >= 0.9
    assert number_after(text, "epoch 40: test accuracy") >= 0.8
    assert "['hidden1', 'hidden2', 'output']" in text
    assert "40 epochs; validation accuracy" in text
    assert shown(notebook, "image/png") == 1
    assert shown(notebook, "image/svg+xml") == 1  # the network view
    assert "paths agree with backward(): True" in text and "path 2:" in text
    assert number_after(text, "no hidden layer, feature x1*x2: test accuracy") >= 0.9
    assert number_after(text, "regression: test loss") < 0.5 * number_after(text, "(after epoch 1:")
    assert "model = keras.Sequential" in text
    assert "recorded playground.gif" in text and (cwd / "playground.gif").stat().st_size > 10_000


def check_large_runs(notebook, text: str, cwd: Path) -> None:
    assert "devices: [" in text
    assert number_after(text, "largest difference:") < 1e-9
    assert number_after(text, "largest weight difference:") < 1e-9
    assert "once compiled" in text
    assert shown(notebook, "image/svg+xml") == 1
    assert "skipped" not in text


CHECKS = {
    "01_computational_graph": check_computational_graph,
    "02_linear_regression": check_linear_regression,
    "03_perceptron_logistic": check_perceptron_logistic,
    "04_mlp_activations": check_mlp_activations,
    "05_losses_gradient_descent": check_losses_gradient_descent,
    "06_backprop_mlp": check_backprop_mlp,
    "07_optimizers": check_optimizers,
    "08_first_network_keras": check_first_network_keras,
    "09_playground": check_playground,
    "10_large_runs": check_large_runs,
}


# -- the stored files -------------------------------------------------------------------------------------


def test_the_course_is_ten_numbered_notebooks_each_with_a_check():
    assert [path.stem for path in COURSE] == list(CHECKS)
    assert [path.name[:2] for path in COURSE] == [f"{k:02d}" for k in range(1, 11)]


@pytest.mark.parametrize("path", COURSE, ids=lambda path: path.stem)
def test_stored_notebook_has_no_outputs_and_no_execution_counts(path):
    notebook = stored(path)
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name} cell {index} was saved with outputs"
            assert cell["execution_count"] is None, f"{path.name} cell {index} was saved with an execution count"
        assert "execution" not in cell.get("metadata", {}), f"{path.name} cell {index} keeps execution timings"
    assert "widgets" not in notebook["metadata"], f"{path.name} was saved with widget state"


@pytest.mark.parametrize("path", COURSE, ids=lambda path: path.stem)
def test_notebook_opens_with_its_title_and_course_chapter(path):
    cells = stored(path)["cells"]
    first = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown"
    assert first.startswith(f"# {path.name[:2]} · "), f"{path.name} does not open with its numbered title"
    assert "**What you will see:**" in first and "Course chapter:" in first
    assert 8 <= len(cells) <= 20, f"{path.name} has {len(cells)} cells; a lesson stays short (8–20)"


def test_readme_lists_every_notebook_and_no_other():
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| \[`(\d\d_\w+\.ipynb)`\]\(\1\) \| .+ \|$", readme, flags=re.MULTILINE)
    assert listed == [path.name for path in COURSE]


def test_notebooks_link_only_to_readme_sections_that_exist():
    readme = (NOTEBOOKS.parent / "README.md").read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", readme, flags=re.MULTILINE)
    }
    for path in COURSE:
        for anchor in re.findall(r"\]\(\.\./README\.md#([\w-]+)\)", "".join(stored(path)["cells"][0]["source"])):
            assert anchor in anchors, f"{path.name} links to README.md#{anchor}, which is not a heading there"


# -- executed on a real kernel ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(MISSING_KERNEL is not None, reason=MISSING_KERNEL or "")
@pytest.mark.parametrize("name", list(CHECKS))
def test_notebook_runs_top_to_bottom_and_shows_its_lesson(name, tmp_path):
    if name == "10_large_runs":
        pytest.importorskip("jax", reason="notebook 10's JAX path needs jax; its skip path is tested below")
    notebook = run(name, tmp_path)
    CHECKS[name](notebook, printed(notebook), tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(MISSING_KERNEL is not None, reason=MISSING_KERNEL or "")
def test_large_runs_notebook_without_jax_says_so_and_skips_its_jax_cells(tmp_path):
    hidden = tmp_path / "no-jax" / "jax"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text('raise ImportError("jax is hidden for this test")\n', encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(hidden.parent), os.environ.get("PYTHONPATH")]))
    notebook = run("10_large_runs", tmp_path, env={"PYTHONPATH": path})
    text = printed(notebook)
    assert (
        'JAX is not installed, so the JAX cells below are skipped. Install it with: pip install "gradviz[jax]"' in text
    )
    assert text.count("skipped: needs JAX") == 3
    assert re.search(r"numpy:\s+" + NUMBER + r" s for 5 epochs; test accuracy 0\.9", text)
    assert "jax:" not in text
