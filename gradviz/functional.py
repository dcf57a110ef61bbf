"""Functions over Values and Tensors: activations, softmax, and the course's losses (``import gradviz.functional as F``).

Every function here is one registered op (see gradviz.ops), so it draws as one node and its
gradient is the fused, numerically stable one.

>>> import gradviz.functional as F
>>> from gradviz import Tensor
>>> logits = Tensor([[2.0, 0.5, -1.0]], requires_grad=True)
>>> loss = F.cross_entropy(logits, [0])
>>> loss.backward()
>>> logits.grad.round(3)          # softmax(z) − one_hot(y), over the batch size
array([[-0.214,  0.175,  0.039]])
"""

from __future__ import annotations

import numpy as np

from .engine import Node, apply
from .errors import ShapeError
from .ops import OPS
from .tensor import Tensor, as_tensor
from .value import Value, _const

__all__ = [
    "relu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "exp",
    "log",
    "sqrt",
    "abs",
    "sin",
    "cos",
    "maximum",
    "minimum",
    "clip",
    "where",
    "matmul",
    "sum",
    "mean",
    "concatenate",
    "stack",
    "mse",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
]


def _node(x) -> Node:
    """A Value or Tensor as is; a Python number becomes a constant Value, anything else a Tensor."""
    if isinstance(x, Node):
        return x
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return _const(x)
    return as_tensor(x)


def _pair(a, b) -> tuple[Node, Node]:
    a, b = _node(a), _node(b)
    if isinstance(a, Tensor) and isinstance(b, Value):
        b = as_tensor(b.data if b.is_leaf and not b.requires_grad else b, like=a)
    elif isinstance(a, Value) and isinstance(b, Tensor):
        a = as_tensor(a.data if a.is_leaf and not a.requires_grad else a, like=b)
    return a, b


# the docstring example of each function _unary makes: its input and what it prints
_EXAMPLES = {
    "relu": ("[-1.0, 0.0, 2.0]", "array([0., 0., 2.])"),
    "sigmoid": ("[-1.0, 0.0, 2.0]", "array([0.2689, 0.5   , 0.8808])"),
    "tanh": ("[-1.0, 0.0, 2.0]", "array([-0.7616,  0.    ,  0.964 ])"),
    "exp": ("[-1.0, 0.0, 2.0]", "array([0.3679, 1.    , 7.3891])"),
    "log": ("[1.0, 2.718281828459045]", "array([0., 1.])"),
    "sqrt": ("[4.0, 9.0]", "array([2., 3.])"),
    "abs": ("[-1.0, 0.0, 2.0]", "array([1., 0., 2.])"),
    "sin": ("[-1.0, 0.0, 2.0]", "array([-0.8415,  0.    ,  0.9093])"),
    "cos": ("[-1.0, 0.0, 2.0]", "array([ 0.5403,  1.    , -0.4161])"),
}


def _unary(name: str):
    op = OPS[name]

    def function(x):
        return apply(op, (_node(x),))

    function.__name__ = name
    function.__doc__ = f"{name}(x) = {op.text.format(a='x')}, elementwise (Value or Tensor)."
    if name in _EXAMPLES:
        inputs, printed = _EXAMPLES[name]
        function.__doc__ += (
            "\n\n    >>> import gradviz.functional as F\n    >>> from gradviz import Tensor\n"
            f"    >>> F.{name}(Tensor({inputs})).data.round(4)\n    {printed}\n"
        )
    return function


relu = _unary("relu")
sigmoid = _unary("sigmoid")
tanh = _unary("tanh")
exp = _unary("exp")
log = _unary("log")
sqrt = _unary("sqrt")
abs = _unary("abs")
sin = _unary("sin")
cos = _unary("cos")


def __getattr__(name: str):
    # every other registered elementwise op of one input is a function here too (F.softplus)
    from .ops import unary

    if name.startswith("_") or unary(name) is None:
        raise AttributeError(f"module 'gradviz.functional' has no attribute {name!r}")
    return _unary(name)


def leaky_relu(x, alpha: float = 0.01):
    """x if x > 0 else alpha·x, elementwise.

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor, Value
    >>> F.leaky_relu(Value(-2.0), alpha=0.1).data, F.leaky_relu(Tensor([-2.0, 3.0])).data
    (-0.2, array([-0.02,  3.  ]))
    """
    return apply(OPS["leaky_relu"], (_node(x),), {"alpha": float(alpha)})


def maximum(a, b):
    """The elementwise maximum; a tie sends half the gradient to each side.

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor, Value
    >>> F.maximum(Tensor([1.0, 5.0]), 3.0).data
    array([3., 5.])
    >>> a, b = Value(2.0), Value(2.0)
    >>> F.maximum(a, b).backward()
    >>> a.grad, b.grad
    (0.5, 0.5)
    """
    return apply(OPS["maximum"], _pair(a, b))


def minimum(a, b):
    """The elementwise minimum; a tie sends half the gradient to each side.

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor, Value
    >>> F.minimum(Value(1.0), Value(2.0)).data, F.minimum(Tensor([1.0, 5.0]), 3.0).data
    (1.0, array([1., 3.]))
    """
    return apply(OPS["minimum"], _pair(a, b))


def softmax(x, axis: int = -1) -> Tensor:
    """e^x / Σ e^x along `axis`, shifted by the maximum so large logits do not overflow.

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> F.softmax(Tensor([[1.0, 2.0, 3.0]])).data.round(3)
    array([[0.09 , 0.245, 0.665]])
    >>> F.softmax(Tensor([1000.0, 1000.0])).data           # no overflow
    array([0.5, 0.5])
    """
    return _tensor(x, "softmax").softmax(axis)


def log_softmax(x, axis: int = -1) -> Tensor:
    """x − log Σ e^x along `axis` (stable).

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> F.log_softmax(Tensor([0.0, 0.0])).data.round(4)     # log(1/2) twice
    array([-0.6931, -0.6931])
    """
    return _tensor(x, "log_softmax").log_softmax(axis)


def clip(x, low=None, high=None) -> Tensor:
    """Limit every element to [low, high] (either bound may be None); the gradient is 0 where clipped.

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> x = Tensor([-2.0, 0.5, 3.0], requires_grad=True)
    >>> y = F.clip(x, 0.0, 1.0)
    >>> y.sum().backward()
    >>> y.data, x.grad
    (array([0. , 0.5, 1. ]), array([0., 1., 0.]))
    """
    return _tensor(x, "clip").clip(low, high)


def where(condition, a, b) -> Tensor:
    """`a` where `condition` holds, else `b` (the condition is not differentiable).

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> x = Tensor([-1.0, 2.0])
    >>> F.where(x.data > 0, x, x * 0.1).data           # a hand-made leaky ReLU
    array([-0.1,  2. ])
    """
    condition = np.asarray(condition.data if isinstance(condition, Node) else condition)
    if condition.dtype != bool:
        raise TypeError(f"where: the condition must be boolean, got dtype {condition.dtype}; compare first, e.g. x > 0")
    a, b = _pair(a, b)
    a, b = _tensor(a, "where"), _tensor(b, "where")
    return apply(OPS["where"], (a, b), {"condition": condition})


def matmul(a, b) -> Tensor:
    """The matrix product a @ b (numpy's rules: batches broadcast, a 1-D operand is a vector).

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> F.matmul(Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]])).data
    array([[11.]])
    """
    a, b = _pair(a, b)
    return _tensor(a, "matmul") @ _tensor(b, "matmul")


def sum(x, axis=None, keepdims: bool = False) -> Tensor:
    """The sum over `axis` (all elements when None); its gradient is 1 for every element summed.

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> F.sum(Tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0).data, F.sum([1.0, 2.0]).item()
    (array([4., 6.]), 3.0)
    """
    return _tensor(x, "sum").sum(axis, keepdims)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    """The mean over `axis` (all elements when None); each element's gradient is 1/n.

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> F.mean(Tensor([1.0, 2.0, 6.0])).item(), F.mean(Tensor([[1.0, 3.0]]), axis=1).data
    (3.0, array([2.]))
    """
    return _tensor(x, "mean").mean(axis, keepdims)


def concatenate(tensors, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis.

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> F.concatenate([Tensor([1.0]), Tensor([2.0, 3.0])]).data
    array([1., 2., 3.])
    """
    tensors = _tensors(tensors, "concatenate")
    return apply(OPS["concatenate"], tensors, {"axis": int(axis)})


def stack(tensors, axis: int = 0) -> Tensor:
    """Join tensors along a new axis.

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> F.stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]).shape
    (2, 2)
    """
    tensors = _tensors(tensors, "stack")
    return apply(OPS["stack"], tensors, {"axis": int(axis)})


# -- the course's costs -------------------------------------------------------------------------


def mse(pred, target) -> Tensor:
    """Mean squared error, mean((pred − target)²). Both must have the same shape.

    >>> import gradviz.functional as F
    >>> F.mse([1.0, 2.0], [1.0, 4.0]).item()
    2.0
    """
    pred, target = _loss_pair(pred, target, "mse")
    _same_shape(pred, target, "mse", "prediction", "target")
    return apply(OPS["mse"], (pred, target))


def binary_cross_entropy(p, y, reduction: str = "mean") -> Tensor:
    """−mean(y·log p + (1 − y)·log(1 − p)) for probabilities p in [0, 1] (log clamped at −100, as torch).

    `reduction` "sum" adds the terms up, "none" returns each one; every reduction is one node whose
    gradient is torch's (p − y)/max(p(1 − p), 1e-12), finite at p = 0 and p = 1.

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> round(F.binary_cross_entropy(Tensor([0.9, 0.2]), [1.0, 0.0]).item(), 4)    # −(ln 0.9 + ln 0.8) / 2
    0.1643
    >>> p = Tensor([0.0, 1.0], requires_grad=True)                                 # saturated probabilities
    >>> loss = F.binary_cross_entropy(p, [1.0, 1.0], reduction="none")
    >>> loss.sum().backward()
    >>> loss.data, p.grad
    (array([100.,  -0.]), array([-1.e+12,  0.e+00]))
    """
    _check_loss_reduction(reduction, "binary_cross_entropy")
    p, y = _loss_pair(p, y, "binary_cross_entropy")
    _same_shape(p, y, "binary_cross_entropy", "probabilities", "targets")
    if p.data.size and (np.nanmin(p.data) < 0 or np.nanmax(p.data) > 1):
        raise ValueError(
            f"binary_cross_entropy expects probabilities in [0, 1], got values from {np.nanmin(p.data):.4g} "
            f"to {np.nanmax(p.data):.4g}. If these are raw scores (logits), use "
            "binary_cross_entropy_with_logits, or apply .sigmoid() first."
        )
    if y.data.size and (np.nanmin(y.data) < 0 or np.nanmax(y.data) > 1):
        raise ValueError(
            f"binary_cross_entropy expects targets in [0, 1] (labels 0/1, or soft labels), got values from "
            f"{np.nanmin(y.data):.4g} to {np.nanmax(y.data):.4g}. For class indices 0..C−1 use cross_entropy."
        )
    return apply(OPS["binary_cross_entropy"], (p, y), _reduction_params(reduction))


def binary_cross_entropy_with_logits(z, y) -> Tensor:
    """Binary cross-entropy of sigmoid(z), computed from the logits z without overflow.

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> round(F.binary_cross_entropy_with_logits(Tensor([2.0, -1.0]), [1.0, 0.0]).item(), 4)
    0.2201
    >>> F.binary_cross_entropy_with_logits(Tensor([1000.0]), [1.0]).item()     # no overflow
    0.0
    """
    z, y = _loss_pair(z, y, "binary_cross_entropy_with_logits")
    _same_shape(z, y, "binary_cross_entropy_with_logits", "logits", "targets")
    return apply(OPS["binary_cross_entropy_with_logits"], (z, y))


def cross_entropy(logits, targets, reduction: str = "mean") -> Tensor:
    """Categorical cross-entropy of softmax(logits), averaged over the batch.

    `logits` has shape (N, C) (or (C,) for one sample); `targets` holds N integer class labels
    in [0, C) or an (N, C) array of one-hot rows or probabilities. The gradient is
    (softmax(logits) − one_hot(targets)) / N. `reduction` "sum" adds the samples' losses up,
    "none" returns one per sample (shape (N,)).

    >>> import gradviz.functional as F
    >>> from gradviz import Tensor
    >>> logits = Tensor([[2.0, 0.5, -1.0], [0.0, 0.0, 3.0]])
    >>> round(F.cross_entropy(logits, [0, 2]).item(), 4)                 # integer labels
    0.1681
    >>> round(F.cross_entropy(logits, [[1.0, 0, 0], [0, 0, 1.0]]).item(), 4)    # the same as one-hot rows
    0.1681
    """
    _check_loss_reduction(reduction, "cross_entropy")
    logits = _tensor(_node(logits), "cross_entropy")
    if logits.ndim not in (1, 2):
        raise ShapeError(f"cross_entropy: logits must have shape (N, C) or (C,), got {logits.shape}")
    classes = logits.shape[-1]
    if isinstance(targets, Tensor):
        target = targets
    else:
        raw = np.asarray(targets.data if isinstance(targets, Node) else targets)
        if raw.dtype.kind in "biu":
            target = Tensor(raw.astype(np.int64), dtype=np.int64)
        else:
            target = as_tensor(raw, like=logits)
    if (
        target.dtype.kind == "f"
        and not target.requires_grad
        and target.shape == logits.shape[:-1]
        and np.all(np.mod(target.data, 1) == 0)
    ):
        target = Tensor(target.data.astype(np.int64), dtype=np.int64)  # labels that arrived as floats
    if target.dtype.kind in "iu" or target.dtype == bool:
        expected = logits.shape[:-1]
        if target.shape != expected:
            raise ShapeError(
                f"cross_entropy: {logits.shape[0] if logits.ndim == 2 else 1} sample(s) of logits {logits.shape} "
                f"need integer labels of shape {expected}, got {target.shape}"
                + (". Labels that are one-hot rows must be floats." if target.shape == logits.shape else ".")
            )
        if target.size and (target.data.min() < 0 or target.data.max() >= classes):
            bad = target.data[(target.data < 0) | (target.data >= classes)][0]
            raise ValueError(
                f"cross_entropy: label {bad} is not a class index in [0, {classes}) for logits with {classes} classes"
            )
        if target.dtype != np.int64:
            target = Tensor(target.data.astype(np.int64), dtype=np.int64)
    elif target.shape != logits.shape:
        raise ShapeError(
            f"cross_entropy: one-hot/probability targets must have the logits' shape {logits.shape}, got "
            f"{target.shape}. For class indices, pass an integer array of shape {logits.shape[:-1]}."
        )
    return apply(OPS["cross_entropy"], (logits, target), _reduction_params(reduction))


# -- helpers --------------------------------------------------------------------------------------

_REDUCTIONS = ("mean", "sum", "none")


def _check_loss_reduction(reduction, op: str) -> None:
    """The one check of a loss's `reduction` (torch's three names), for the functions here and nn's losses."""
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {', '.join(map(repr, _REDUCTIONS))}, got {reduction!r}")


def _reduction_params(reduction: str) -> dict | None:
    # the mean records no parameter, so its graph (and what it draws) is the one it always was
    return None if reduction == "mean" else {"reduction": reduction}


def _tensor(x, op: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Value):
        raise TypeError(f"{op} works on Tensors; this is a scalar Value. Use gradviz.Tensor for tensor ops.")
    return as_tensor(x)


def _tensors(items, op: str) -> tuple:
    items = tuple(items)
    if not items:
        raise ValueError(f"{op} needs at least one tensor")
    first = next((t for t in items if isinstance(t, Tensor)), None)
    return tuple(_tensor(t if isinstance(t, Node) else as_tensor(t, like=first), op) for t in items)


def _loss_pair(a, b, op: str) -> tuple[Tensor, Tensor]:
    a = _tensor(_node(a), op)
    b = b if isinstance(b, Tensor) else as_tensor(b.data if isinstance(b, Node) else b, like=a)
    if b.dtype != a.dtype and b.dtype.kind in "biuf" and not b.requires_grad:
        b = as_tensor(b.data.astype(a.dtype))
    return a, b


def _singular(noun: str) -> str:
    if noun.endswith("ies"):
        return noun[:-3] + "y"  # probabilities -> probability
    return noun[:-1] if noun.endswith("s") else noun


def _same_shape(a: Tensor, b: Tensor, op: str, a_name: str, b_name: str) -> None:
    if a.shape != b.shape:
        hint = ""
        if a.ndim == 2 and a.shape[1] == 1 and b.shape == (a.shape[0],):
            hint = f" Reshape the {b_name} with .reshape(-1, 1)."
        elif b.ndim == 2 and b.shape[1] == 1 and a.shape == (b.shape[0],):
            hint = f" Reshape the {a_name} with .reshape(-1, 1)."
        raise ShapeError(
            f"{op}: {a_name} shape {a.shape} and {b_name} shape {b.shape} differ. Broadcasting them would "
            f"compare every {_singular(a_name)} with every target and give a wrong loss "
            f"without an error, so gradviz refuses.{hint}"
        )
