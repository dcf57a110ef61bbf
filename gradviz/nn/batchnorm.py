"""Batch normalisation (as torch.nn.BatchNorm1d): y = (x − μ)/√(σ² + ε)·γ + β per feature, with running statistics.

In training the mean μ and the (biased) variance σ² are the batch's, drawn as their own nodes ``μ``, ``σ²`` and
``x̂ = (x − μ)/√(σ² + ε)`` in a name scope 'batchnorm', and the running estimates move towards them (the variance's
with Bessel's correction n/(n − 1), as torch's). In evaluation (``model.eval()``) the running estimates take their
place as constants ``running_mean`` and ``√(running_var + ε)``.

>>> import numpy as np
>>> from gradviz import Tensor, nn
>>> bn = nn.BatchNorm1d(2)
>>> y = bn(Tensor([[1.0, 10.0], [3.0, 30.0]], requires_grad=True))
>>> y.data.round(4)
array([[-1., -1.],
       [ 1.,  1.]])
>>> bn.running_mean.data, bn.running_var.data                 # 0.9·(0, 1) + 0.1·(mean, unbiased var)
(array([0.2, 2. ]), array([ 1.1, 20.9]))
>>> [node.label for node in y.graph().nodes if node.label in ("μ", "σ²", "x̂", "γ", "β")]
['μ', 'σ²', 'x̂', 'γ', 'β']
"""

from __future__ import annotations

import numbers

import numpy as np

from ..context import current_scope
from ..context import no_grad as _no_grad
from ..tensor import Tensor
from .module import Module, Parameter, _give_label, _kind_scope

__all__ = ["BatchNorm1d"]


class BatchNorm1d(Module):
    """``torch.nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
    device=None, dtype=None, *, bias=True)`` over inputs of shape (N, C) or (N, C, L): each feature (channel) c is
    normalised over the batch (and L), then scaled by γ = ``weight`` (ones) and shifted by β = ``bias`` (zeros).

    In training mode the batch's own mean and biased variance normalise it, and the buffers move:
    ``running_mean ← (1 − momentum)·running_mean + momentum·μ``, ``running_var`` the same with the unbiased
    variance; ``momentum=None`` takes the plain average of every batch seen (``num_batches_tracked``). In
    evaluation mode the running estimates normalise instead — or the batch's own statistics again with
    ``track_running_stats=False``, which keeps no buffers. `affine=False` leaves out γ and β, `bias=False` β only.
    `dtype` is float64 unless given; `device` can only be the CPU.

    >>> import numpy as np
    >>> from gradviz import Tensor, nn
    >>> bn = nn.BatchNorm1d(3)
    >>> bn
    BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)  (6 parameters)
    >>> x = Tensor(np.arange(12.0).reshape(4, 3))
    >>> bn(x).data.mean(axis=0).round(12), bn.num_batches_tracked.item()
    (array([0., 0., 0.]), 1)
    >>> bn.eval()(x).data.round(3)[0]                              # (x − running_mean)/√(running_var + ε)
    array([-0.29 ,  0.29 ,  0.871])
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if device not in (None, "cpu"):
            raise ValueError(f"BatchNorm1d: gradviz computes on the CPU (numpy); leave device out, got {device!r}")
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(
                f"BatchNorm1d: num_features must be a positive integer (the C of (N, C)), got {num_features!r}"
            )
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps >= 0:
            raise ValueError(f"BatchNorm1d: eps must be a number ≥ 0 (it keeps √(σ² + ε) away from 0), got {eps!r}")
        if momentum is not None and (
            isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) or not 0 <= momentum <= 1
        ):
            raise ValueError(
                f"BatchNorm1d: momentum must be a number in [0, 1] (the weight of each new batch in the running "
                f"estimates) or None (their plain average), got {momentum!r}"
            )
        self.num_features = int(num_features)
        self.eps = float(eps)
        self.momentum = None if momentum is None else float(momentum)
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        dtype = np.dtype("float64" if dtype is None else dtype)
        if dtype.kind != "f":
            raise TypeError(f"BatchNorm1d: dtype must be floating point ('float64' or 'float32'), got {dtype}")
        if affine:
            # labelled as the formula writes them; an nn.Sequential numbers them (γ¹, β¹, γ², ...)
            self.weight = Parameter(np.ones(self.num_features, dtype=dtype), dtype=dtype)
            _give_label(self, "weight", "γ")
            if bias:
                self.bias = Parameter(np.zeros(self.num_features, dtype=dtype), dtype=dtype)
                _give_label(self, "bias", "β")
            else:
                self.bias = None
        else:
            self.weight = None
            self.bias = None
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(self.num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(self.num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64), dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    @property
    def name(self) -> str:
        return self._name or "batchnorm"

    @name.setter
    def name(self, value: str) -> None:
        Module.name.fset(self, value)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batch seen."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        """The running statistics reset, γ back to ones and β to zeros."""
        self.reset_running_stats()
        if self.affine:
            from .init import ones_, zeros_

            ones_(self.weight)
            if self.bias is not None:
                zeros_(self.bias)

    def _check(self, x) -> tuple[int, ...]:
        shape = getattr(x, "shape", None)
        if not isinstance(x, Tensor) or len(shape) not in (2, 3) or shape[1] != self.num_features:
            got = f"an input of shape {tuple(shape)}" if shape is not None else f"a {type(x).__name__}"
            raise ValueError(
                f"{self.name} = BatchNorm1d({self.num_features}) expects a Tensor of shape (N, {self.num_features}) "
                f"or (N, {self.num_features}, L), got {got}"
                + (
                    ". Transpose it (x.T) first."
                    if shape is not None and len(shape) == 2 and shape[0] == self.num_features
                    else ""
                )
            )
        if x.dtype.kind != "f":
            raise TypeError(f"BatchNorm1d needs a floating-point input, got dtype {x.dtype}")
        return (0,) if len(shape) == 2 else (0, 2)

    def forward(self, x):
        axes = self._check(x)
        batch_stats = self.training or not self.track_running_stats
        count = int(np.prod([x.shape[a] for a in axes]))
        if self.training and count <= 1:
            raise ValueError(
                f"{self.name} = BatchNorm1d expected more than 1 value per channel when training, got input of shape "
                f"{tuple(x.shape)}: a batch of one sample has no variance. Train with batches of 2 or more, or call "
                "model.eval() to use the running statistics"
            )
        keep = len(axes) == 2  # (N, C, L): statistics of shape (1, C, 1) broadcast along N and L
        with _kind_scope(self, "batchnorm"):
            inside = current_scope()
            for p in (self.weight, self.bias):
                if p is not None:
                    p.scope = inside  # γ and β are drawn in the box of the formula they belong to
            if batch_stats:
                mean = x.mean(axis=axes, keepdims=keep)
                mean.label = "μ"
                centred = x - mean
                centred.label = "x − μ"
                squared = centred**2
                squared.label = "(x − μ)²"
                variance = squared.mean(axis=axes, keepdims=keep)
                variance.label = "σ²"
                shifted = variance + self.eps
                shifted.label = "σ² + ε"
                spread = shifted.sqrt()
                spread.label = "√(σ² + ε)"
                normalised = centred / spread
                if self.training and self.track_running_stats:
                    self._update_running_stats(mean.data, variance.data, count)
            else:
                shape = (1, -1, 1) if keep else (-1,)
                mean = Tensor(self.running_mean.data.reshape(shape).astype(x.dtype), label="running_mean")
                spread = np.sqrt(self.running_var.data.reshape(shape).astype(x.dtype) + x.dtype.type(self.eps))
                centred = x - mean
                centred.label = "x − μ"
                normalised = centred / Tensor(spread, label="√(running_var + ε)")
            normalised.label = "x̂"
            if not self.affine:
                return normalised
            scaled = normalised * (self.weight.reshape(1, -1, 1) if keep else self.weight)
            if self.bias is None:
                return scaled
            return scaled + (self.bias.reshape(1, -1, 1) if keep else self.bias)

    def _update_running_stats(self, mean: np.ndarray, variance: np.ndarray, count: int) -> None:
        """torch's update of the buffers (outside the graph): the unbiased variance σ²·n/(n − 1) enters the running
        variance."""
        with _no_grad():
            self.num_batches_tracked.data[...] += 1
            factor = 1.0 / float(self.num_batches_tracked.data) if self.momentum is None else self.momentum
            unbiased = variance.reshape(-1) * (count / (count - 1))
            for buffer, batch in ((self.running_mean, mean.reshape(-1)), (self.running_var, unbiased)):
                buffer.data[...] = (1 - factor) * buffer.data + factor * batch.astype(buffer.data.dtype)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )
