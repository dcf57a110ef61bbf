"""Checks: analytic against numerical gradients (gradcheck) and stopping at the first nan (detect_anomaly)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ._state import changed
from .context import no_grad
from .engine import Node
from .errors import GradcheckError

__all__ = ["gradcheck", "GradcheckResult", "detect_anomaly"]


@dataclass
class GradcheckResult:
    """Per checked input: the largest |analytic − numeric| and whether it is within tolerance.

    It is true when every input passed; ``report()`` prints one line per input.

    >>> from gradviz import Value, gradcheck
    >>> result = gradcheck(lambda a: a * a, Value(3.0, label="a"))
    >>> bool(result), result.labels, result.analytic
    (True, ['a'], [6.0])
    >>> print(result.report())
    ok  a: max |analytic − numeric| = ...
    """

    labels: list[str]
    analytic: list
    numeric: list
    errors: list[float]
    passed: list[bool]

    @property
    def ok(self) -> bool:
        return all(self.passed)

    def __bool__(self) -> bool:
        return self.ok

    def report(self, language: str | None = None) -> str:
        """One line per input, in `language` (default: the language in use; Spanish numbers take a decimal comma):
        'ok  a: max |analytic − numeric| = 2.1e-10', and for a failed input 'BAD' and both gradients."""
        from .i18n import message
        from .viz.format import decimal_mark

        mark = decimal_mark(None, language)
        lines = []
        for label, error, ok, a, n in zip(
            self.labels, self.errors, self.passed, self.analytic, self.numeric, strict=True
        ):
            error_text = f"{error:.3g}".replace(".", mark)
            key = "check.report_ok" if ok else "check.report_bad"
            lines.append(message(key, language, label=label, error=error_text))
            if not ok:
                for name, values in (("check.analytic", a), ("check.numeric", n)):
                    shown = np.array2string(np.asarray(values), precision=6, threshold=12).replace(".", mark)
                    lines.append(message(name, language, values=shown))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<GradcheckResult {'ok' if self.ok else 'FAILED'}: "
            + ", ".join(f"{label}={error:.2g}" for label, error in zip(self.labels, self.errors, strict=True))
            + ">"
        )


def gradcheck(
    fn: Callable,
    *inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> GradcheckResult:
    """Compare the gradients backward() computes with central differences (f(x+h) − f(x−h)) / 2h.

    `fn` takes the inputs (Values or Tensors) and returns a Value or Tensor; a non-scalar output
    is reduced with fixed random weights so the whole Jacobian is exercised. Inputs that require
    grad are checked; their `.grad` is left as it was. The inputs come one by one or, as in
    ``torch.autograd.gradcheck(fn, (a, b))``, as one tuple.

    As torch's, a disagreement raises :class:`gradviz.GradcheckError` (an AssertionError) with the report;
    ``raise_exception=False`` returns the result instead, false when an input failed. The result is true
    when every input passed and ``report()`` prints one line per input.

    >>> from gradviz import Value, gradcheck
    >>> result = gradcheck(lambda a, b: (a * b).tanh(), (Value(0.3), Value(-1.2)))
    >>> result.ok
    True
    >>> bool(gradcheck(lambda a: a.relu(), Value(0.0), raise_exception=False))   # relu has no slope at 0
    False
    """
    if (
        len(inputs) == 1
        and isinstance(inputs[0], (tuple, list))
        and inputs[0]
        and all(isinstance(x, Node) for x in inputs[0])
    ):
        inputs = tuple(inputs[0])  # torch's form: gradcheck(fn, (a, b))
    checked = [x for x in inputs if getattr(x, "requires_grad", False)]
    if not checked:
        raise ValueError("gradcheck: none of the inputs requires grad, so there is nothing to check")
    saved = [x.grad for x in checked]
    for x in checked:
        if not x.is_scalar and x.data.dtype != np.float64:
            raise TypeError(
                f"gradcheck needs float64 inputs (central differences are too coarse in {x.data.dtype}); "
                "create the tensors with dtype='float64'"
            )
    weights = {}

    def scalar_output():
        out = fn(*inputs)
        if not hasattr(out, "_prev"):
            raise TypeError(f"gradcheck: fn must return a Value or Tensor, got {type(out).__name__}")
        if out.is_scalar or out.data.size == 1:
            return out.sum() if not out.is_scalar and out.data.ndim else out
        if "w" not in weights:
            weights["w"] = np.random.default_rng(0).uniform(0.5, 1.5, out.data.shape)
        return (out * weights["w"]).sum()

    try:
        for x in checked:
            x.grad = None
        scalar_output().backward()
        analytic = [_copy(x.grad) if x.grad is not None else _zeros(x) for x in checked]
        numeric = [_numeric(scalar_output, x, eps) for x in checked]
    finally:
        for x, grad in zip(checked, saved, strict=True):
            x.grad = grad
    errors, passed = [], []
    for a, n in zip(analytic, numeric, strict=True):
        a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
        diff = np.abs(a - n)
        errors.append(float(diff.max()) if diff.size else 0.0)
        passed.append(bool(np.all(diff <= atol + rtol * np.abs(n))))
    labels = [x.label or f"input {i}" for i, x in enumerate(checked)]
    result = GradcheckResult(labels, analytic, numeric, errors, passed)
    if raise_exception and not result.ok:
        raise GradcheckError("gradcheck: analytic and numerical gradients disagree\n" + result.report())
    return result


def _copy(grad):
    return grad if isinstance(grad, float) else np.array(grad, copy=True)


def _zeros(x):
    return 0.0 if x.is_scalar else np.zeros_like(x.data)


def _numeric(scalar_output, x, eps: float):
    with no_grad():
        if x.is_scalar:
            original = x.data
            try:
                x.data = original + eps
                plus = scalar_output().data
                x.data = original - eps
                minus = scalar_output().data
            finally:
                x.data = original
            return (float(plus) - float(minus)) / (2 * eps)
        original = x.data
        grad = np.zeros_like(original, dtype=np.float64)
        flat = grad.reshape(-1)
        try:
            for i in range(original.size):
                bumped = original.copy()
                bumped.reshape(-1)[i] += eps
                x.data = bumped
                plus = float(np.asarray(scalar_output().data).sum())
                bumped.reshape(-1)[i] -= 2 * eps
                minus = float(np.asarray(scalar_output().data).sum())
                flat[i] = (plus - minus) / (2 * eps)
        finally:
            x.data = original
        return grad


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Stop at the first op whose result (forward) or gradient (backward) is nan or ±inf.

    Raises gradviz.AnomalyError naming the op, the node's label and scope, and the input values.

    >>> from gradviz import Value, detect_anomaly, AnomalyError
    >>> x = Value(-1.0, label="x")
    >>> with detect_anomaly():
    ...     try:
    ...         y = x.log()
    ...     except AnomalyError as error:
    ...         print(error.op)
    log
    """
    with changed(anomaly=True):
        yield
