"""gradviz.backends: choosing a backend, the messages for a bad name and for a missing JAX (no JAX needed here)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from gradviz import backends, keras


def _model():
    return keras.Sequential([keras.Dense(2, input_dim=2)], seed=0).compile("sgd", "mse")


def test_the_default_backend_is_numpy():
    assert backends.current() == "numpy" == backends.get_backend()


def test_use_as_a_context_manager_switches_back_when_the_block_ends():
    with backends.use("numpy") as name:
        assert name == "numpy"
    assert backends.current() == "numpy"


def test_resolve_reads_names_case_insensitively_and_none_as_the_current_backend():
    assert backends.resolve(" JAX ") == "jax"
    assert backends.resolve(None) == backends.current()


@pytest.mark.parametrize("bad", ["torch", "", 3])
def test_a_bad_backend_name_lists_the_backends(bad):
    with pytest.raises(ValueError, match=r"unknown backend .* 'numpy' .* and 'jax'"):
        backends.use(bad)
    assert backends.current() == "numpy"


def test_fit_with_a_bad_backend_name_says_fit_and_lists_the_backends():
    X, y = np.zeros((4, 2)), np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"fit: unknown backend 'tensorflow'; the backends are 'numpy'"):
        _model().fit(X, y, verbose=0, backend="tensorflow")


def test_dtype_and_devices_without_the_jax_backend_are_refused_with_the_fix():
    X, y = np.zeros((4, 2)), np.zeros((4, 2))
    with pytest.raises(ValueError, match="Pass backend='jax' with them"):
        _model().fit(X, y, verbose=0, dtype="float32")


def test_fit_without_a_backend_uses_numpy_and_never_imports_jax():
    program = (
        "import sys, numpy as np\n"
        "from gradviz import keras\n"
        "m = keras.Sequential([keras.Dense(2, input_dim=2)], seed=0).compile('sgd', 'mse')\n"
        "m.fit(np.zeros((4, 2)), np.zeros((4, 2)), verbose=0)\n"
        "import gradviz.backends\n"
        "print('jax' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


_WITHOUT_JAX = "import sys\nsys.modules['jax'] = None  # `import jax` now raises ImportError\n"


@pytest.mark.parametrize(
    "statement",
    [
        "gradviz.backends.use('jax')",
        "m.fit(np.zeros((4, 2)), np.zeros((4, 2)), verbose=0, backend='jax')",
        "import gradviz.backends.jax",
    ],
)
def test_asking_for_jax_without_jax_says_how_to_install_it(statement):
    program = (
        _WITHOUT_JAX + "import numpy as np, gradviz\n"
        "from gradviz import keras\n"
        "m = keras.Sequential([keras.Dense(2, input_dim=2)], seed=0).compile('sgd', 'mse')\n"
        "try:\n"
        f"    {statement}\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, error)\n"
        "print('backend', gradviz.backends.current())\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "BackendUnavailableError the jax backend needs JAX, which is not installed" in done.stdout
    assert 'pip install "gradviz[jax]"' in done.stdout
    assert "backend numpy" in done.stdout  # a failed switch leaves the default alone


def test_the_missing_jax_error_is_an_import_error_in_process(monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", None)
    with pytest.raises(ImportError, match=r'pip install "gradviz\[jax\]"'):
        backends.require_jax()
