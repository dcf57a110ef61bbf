"""One training step of a model recorded as a lesson: the forward pass on a batch, its loss, and the backward pass.

>>> import numpy as np
>>> from gradviz import nn
>>> model = nn.MLP(2, [3, 1], seed=0)
>>> t = record_step(model, np.ones((4, 2)), np.zeros(4), loss="mse")
>>> t.output.label, [s.op for s in t.forward_steps][:3], model[0].weight.grad is None
('L', ['transpose', 'matmul', 'add'], True)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import functional as F
from ..engine import Node
from ..tensor import Tensor
from ..trace import Trace, trace
from .losses import LOSSES, get_loss
from .module import Module

__all__ = ["record_step", "KERAS_LOSS_KINDS"]

KERAS_LOSS_KINDS: dict[str, str] = {
    "categorical": "cross_entropy",
    "sparse": "cross_entropy",
    "binary": "bce",
    "mse": "mse",
    "mae": "mae",
    "hinge": "hinge",
}
"""The gradviz.nn loss that stands for each rule of ``gradviz.keras.LOSSES``, so that record_step (and
``step_through(model, X, y, loss=...)``) takes Keras' loss names too.

>>> from gradviz import keras
>>> KERAS_LOSS_KINDS[keras.LOSSES["sparse_categorical_crossentropy"]]
'cross_entropy'
"""

_FROM_LOGITS = {"cross_entropy": "softmax", "bce": "sigmoid"}  # a keras model's cross-entropies read its logits


def _loss_name(loss) -> str | None:
    """The gradviz.nn name of a loss given by name (torch's or Keras'); None for a Module or function."""
    if not isinstance(loss, str):
        return None
    key = loss.lower().replace("-", "_")
    if key in LOSSES:
        return key
    from ..keras import LOSSES as KERAS_LOSSES  # keras builds on nn: read its names only when asked

    if key in KERAS_LOSSES:
        return KERAS_LOSS_KINDS[KERAS_LOSSES[key]]
    raise ValueError(
        f"record_step: unknown loss {loss!r}; valid names: {', '.join(sorted(LOSSES))} (gradviz.nn) or "
        f"{', '.join(KERAS_LOSSES)} (Keras), or a loss Module/function (predictions, targets) -> loss"
    )


def _is_keras(model) -> bool:
    # duck-typed, so nn does not import the Keras layer: its Sequential can leave the last activation out
    return callable(getattr(model, "output_activation", None)) and hasattr(model, "compile")


def _targets(y, name: str | None, like: Tensor) -> Tensor:
    """The targets as a Tensor the loss reads: class indices for a cross-entropy of 1-D labels, else numbers in
    the predictions' shape when they hold as many ((N,) targets for an (N, 1) output)."""
    if isinstance(y, Node):
        return y
    array = np.asarray(y)
    if name == "cross_entropy" and array.ndim == 1:
        return Tensor(array.astype(np.int64), dtype=np.int64, label="y")
    array = array.astype(like.data.dtype if like.data.dtype.kind == "f" else np.float64)
    if array.size == like.data.size and array.shape != like.data.shape:
        array = array.reshape(like.data.shape)
    return Tensor(array, label="y")


def _loss_node(model, X, y, loss):
    """The loss of `model` on (X, y), as a node of the graph (tensor models) or a Value (scalar networks)."""
    name = _loss_name(loss)
    function: Callable = get_loss(name if name is not None else loss)
    if any(p.is_scalar for p in model.parameters()):  # a scalar network: one sample at a time
        samples = np.asarray(X, dtype=np.float64)
        samples = samples.reshape(1, -1) if samples.ndim < 2 else samples
        outputs = [model(list(row)) for row in samples]
        return function(outputs, np.asarray(y, dtype=np.float64).reshape(-1).tolist())
    inputs = X if isinstance(X, Node) else Tensor(np.asarray(X, dtype=_dtype(model)), label="x")
    if _is_keras(model) and name in _FROM_LOGITS:
        # as Keras' compile does: the cross-entropy of the last layer's logits (its softmax/sigmoid fused in)
        logits = model(inputs, logits=True)
        targets = _targets(y, name, logits)
        if name == "cross_entropy":
            return F.cross_entropy(logits, targets)
        return F.binary_cross_entropy_with_logits(logits, targets)
    predictions = model(inputs)
    return function(predictions, _targets(y, name, predictions))


def _dtype(model) -> np.dtype:
    for p in model.parameters():
        return p.data.dtype
    return np.dtype(np.float64)


def record_step(
    model: Module, X, y, loss: str | Module | Callable | None = None, *, optimizer=None, iterations: int = 1
) -> Trace:
    """The Trace of one training step of `model` on the batch (`X`, `y`): the forward pass, the loss ``L`` and the
    backward pass from it (no optimizer update): what ``gradviz.step_through(model, X, y, loss=...)`` shows.

    `model` is a gradviz.nn Module (a tensor MLP/Sequential, a scalar ``nn.ScalarMLP``, fed one sample per row)
    or a gradviz.keras Sequential; `loss` a name of ``gradviz.nn.LOSSES`` ("mse", "bce", "cross_entropy", ...) or
    of ``gradviz.keras.LOSSES`` ("binary_crossentropy", ...), a loss Module or a function (predictions, targets);
    None takes a compiled keras model's loss. A keras model's cross-entropies read the last layer's logits, as
    its compile() does. The input is labelled ``x``, the targets ``y``.

    The model is left as it was: each parameter's ``.grad`` is put back after the recorded backward pass (which
    starts from no gradient, so the lesson shows this batch's gradients only) and no ``.data`` changes. (An
    unbuilt keras model is built by its first call, as Keras does.)

    With an `optimizer` (a gradviz.optim optimizer over the model's parameters) the trace holds `iterations`
    training steps instead — zero_grad, forward, loss, backward, ``optimizer.step()`` each — and the model is
    trained by them, as by fit: ``frames(trace)`` shows each iteration, its update frames and the loss per
    iteration (gradviz.viz.updates).

    >>> import numpy as np
    >>> from gradviz import keras
    >>> model = keras.Sequential([keras.Dense(3, activation="relu", input_dim=2), keras.Dense(1, activation="sigmoid")], seed=0)
    >>> t = record_step(model, np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([1, 0]), loss="binary_crossentropy")
    >>> t.output.op, len(t.backward_steps), all(p.grad is None for p in model.parameters())
    ('binary_cross_entropy_with_logits', 9, True)
    """
    if not isinstance(model, Module):
        raise TypeError(
            f"record_step takes a gradviz.nn Module or a gradviz.keras model, got {type(model).__name__}; for an "
            "output you computed, use gradviz.step_through(output)"
        )
    if loss is None:
        loss = getattr(model, "loss", None) if _is_keras(model) else None
        if loss is None:
            raise ValueError(
                "record_step needs a loss: loss='mse', 'bce', 'cross_entropy', ... (any name of gradviz.nn.LOSSES or "
                "gradviz.keras.LOSSES), a loss Module or a function (predictions, targets) -> loss"
            )
    if optimizer is not None:
        return _record_training(model, X, y, loss, optimizer, iterations)
    with trace() as recorded:
        value = _loss_node(model, X, y, loss)
        if not isinstance(value, Node) or np.size(value.data) != 1:
            raise TypeError(
                f"record_step: the loss must be one number (a one-element Tensor or a Value), got "
                f"{type(value).__name__} of shape {np.shape(getattr(value, 'data', value))}"
            )
        if not value.requires_grad:
            raise ValueError(
                "record_step: the loss does not require grad: the model has no trainable parameter (all frozen?)"
            )
        if value.label is None:
            value.label = "L"
        parameters = model.parameters()
        kept = [p.grad for p in parameters]
        for p in parameters:
            p.grad = None
        try:
            value.backward()
        finally:
            for p, grad in zip(parameters, kept, strict=True):
                p.grad = grad
    return recorded


def _record_training(model: Module, X, y, loss, optimizer, iterations) -> Trace:
    """`iterations` training steps of `model` with `optimizer`, recorded."""
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise ValueError(f"record_step(iterations={iterations!r}): give a whole number of training steps, 1 or more")
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "zero_grad"):
        raise TypeError(
            f"record_step(optimizer=...) takes a gradviz.optim optimizer over the model's parameters, e.g. "
            f"gradviz.optim.SGD(model.parameters(), lr=0.1); got {type(optimizer).__name__}"
        )
    with trace() as recorded:
        for _ in range(iterations):
            optimizer.zero_grad()
            value = _loss_node(model, X, y, loss)
            if value.label is None:
                value.label = "L"
            value.backward()
            optimizer.step()
    return recorded
