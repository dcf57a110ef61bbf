"""torch.nn.utils' gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_``, on the parameters' ``.grad``.

Call them between backward and the optimizer's step, as in PyTorch. Each gradient is replaced by its clipped copy
(a new array: a recorded trace keeps the gradient it saw), so ``p.grad`` afterwards is what the step uses.

>>> from gradviz import Tensor, nn
>>> w = Tensor([3.0, 4.0], requires_grad=True)
>>> (w * w).sum().backward()                        # ∇ = [6, 8], norm 10
>>> float(nn.utils.clip_grad_norm_([w], max_norm=1.0))
10.0
>>> w.grad.round(6)
array([0.6, 0.8])
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..engine import Node

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _with_grads(parameters) -> list[Node]:
    """The parameters (a Tensor/Value, or an iterable of them) that have a gradient."""
    params = [parameters] if isinstance(parameters, Node) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Node):
            raise TypeError(
                f"parameter {i} is a {type(p).__name__}, not a Tensor or Value; pass model.parameters() or a list"
            )
    return [p for p in params if p.grad is not None]


def _norm(values: np.ndarray, norm_type: float) -> float:
    """torch.linalg.vector_norm of the flattened `values`."""
    values = np.abs(np.ravel(values))
    if norm_type == math.inf:
        return float(values.max()) if values.size else 0.0
    if norm_type == -math.inf:
        return float(values.min()) if values.size else math.inf
    if norm_type == 0:
        return float(np.count_nonzero(values))
    return float(np.sum(values**norm_type) ** (1.0 / norm_type))


def _replace_grad(p: Node, grad: np.ndarray) -> None:
    p.grad = float(grad) if p.is_scalar else np.asarray(grad, dtype=p.data.dtype)


def clip_grad_norm_(
    parameters: Node | Iterable[Node],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
):
    """Scale all the gradients together so that their total `norm_type` norm is at most `max_norm` (torch's rule:
    each gradient times min(1, max_norm / (total + 1e-6))); returns the total norm before clipping, a 0-d Tensor.
    `foreach` is accepted for torch's signature (one loop serves every case here).

    >>> from gradviz import Tensor
    >>> a, b = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    >>> a.grad, b.grad = np.array([3.0]), np.array([-4.0])
    >>> clip_grad_norm_([a, b], 100.0).item(), a.grad          # under the limit: unchanged
    (5.0, array([3.]))
    """
    from ..tensor import Tensor

    max_norm, norm_type = float(max_norm), float(norm_type)
    params = _with_grads(parameters)
    if not params:
        return Tensor(0.0)
    grads = [np.asarray(p.grad) for p in params]
    total = _norm(np.array([_norm(g, norm_type) for g in grads]), norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    with np.errstate(invalid="ignore"):  # a nan/inf norm makes nan gradients, as torch's
        coefficient = min(max_norm / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
        for p, g in zip(params, grads, strict=True):
            _replace_grad(p, g * coefficient)
    return Tensor(total)


def clip_grad_value_(parameters: Node | Iterable[Node], clip_value: float, foreach: bool | None = None) -> None:
    """Clip every gradient element into [−clip_value, clip_value] (torch's ``clip_grad_value_``).

    >>> from gradviz import Value
    >>> v = Value(1.0); v.grad = -3.0
    >>> clip_grad_value_([v], 0.5); v.grad
    -0.5
    """
    clip_value = float(clip_value)
    for p in _with_grads(parameters):
        _replace_grad(p, np.clip(np.asarray(p.grad), -clip_value, clip_value))
