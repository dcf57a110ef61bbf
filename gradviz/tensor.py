"""Tensor: a numpy array that remembers how it was computed, with numpy broadcasting and reductions."""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from ._state import LOCAL, STATE
from .engine import EPOCH, Node, apply, backward, unary_methods
from .errors import ShapeError
from .ops import OPS

__all__ = ["Tensor", "as_tensor"]

_new = object.__new__
_FLOATS = (np.float16, np.float32, np.float64)


_ADD, _SUB, _MUL, _DIV, _NEG = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["neg"]
_MATMUL, _RELU = OPS["matmul"], OPS["relu"]
_ndarray = np.ndarray


def _binary(op, reflected: bool = False):
    """A Tensor method for a two-input op without parameters: computes, links and returns the node.

    The same steps as engine.apply, inlined: per-op overhead is what small networks pay for.
    """
    forward = op.forward
    state = STATE
    local = LOCAL
    epoch = EPOCH

    def method(self, other):
        if reflected:
            a = as_tensor(other, like=self)
            b = self
        else:
            a = self
            b = other if other.__class__ is Tensor else as_tensor(other, like=self)
        st = state
        if op.domain or st.slow:  # some thread switched something on: this thread's own state decides
            st = local.state
            if op.domain or st.slow:
                return apply(op, (a, b))
        try:
            data = forward(np, a.data, b.data)
        except (ValueError, IndexError) as error:
            raise _explain(op, [a.data, b.data], None, error) from None
        if data.__class__ is not _ndarray:
            data = np.asarray(data)
        out = _new(Tensor)
        out.data = data
        out.grad = None
        out.label = None
        out._mark = None
        out._scope = st.scope
        out._version = epoch[0]
        out._params = None
        if a.requires_grad or b.requires_grad:
            out.requires_grad = True
            out._prev = (a, b)
            out._op = op
            if st.trace_events is not None:
                st.trace_events.append(out)
        else:
            out.requires_grad = False
            out._prev = ()
            out._op = None
        return out

    method.__name__ = op.name
    method.__doc__ = f"{op.name}: {op.text.format(a='self', b='other')}"
    return method


def _unary(op, doc: str | None = None):
    """A Tensor method for a one-input op without parameters."""
    forward = op.forward
    state = STATE
    local = LOCAL
    epoch = EPOCH

    def method(self):
        st = state
        if op.domain or st.slow:
            st = local.state
            if op.domain or st.slow:
                return apply(op, (self,))
        data = forward(np, self.data)
        if data.__class__ is not _ndarray:
            data = np.asarray(data)
        out = _new(Tensor)
        out.data = data
        out.grad = None
        out.label = None
        out._mark = None
        out._scope = st.scope
        out._version = epoch[0]
        out._params = None
        if self.requires_grad:
            out.requires_grad = True
            out._prev = (self,)
            out._op = op
            if st.trace_events is not None:
                st.trace_events.append(out)
        else:
            out.requires_grad = False
            out._prev = ()
            out._op = None
        return out

    method.__name__ = op.name
    method.__doc__ = doc or f"{op.name}: {op.text.format(a='self')}"
    return method


class Tensor(Node):
    """An n-dimensional array (numpy inside) with a gradient, for batches, layers and real training.

    Numbers and lists become float64 unless `dtype` says otherwise (``dtype="float32"``); integer
    tensors hold labels and indices and cannot require a gradient.

    >>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="W")
    >>> x = Tensor([1.0, -1.0])
    >>> loss = (W @ x + 3.0).relu().sum()          # W @ x = [−1, −1]; + 3 = [2, 2]
    >>> loss.backward()
    >>> W.grad                                     # ∂loss/∂W[i, j] = x[j] for each unit ReLU lets through
    array([[ 1., -1.],
           [ 1., -1.]])
    >>> loss.item()
    4.0
    """

    __slots__ = ("_prev",)  # the inputs, in order
    _xp = np
    _scalar = False
    is_scalar = False  # a Tensor; public for code outside the engine
    # numpy hands `ndarray * Tensor` to Tensor.__rmul__ instead of looping over the array
    __array_ufunc__ = None

    def __init__(self, data, requires_grad: bool = False, dtype=None, label: str | None = None):
        self.data = _to_array(data, dtype)
        if requires_grad and self.data.dtype.kind not in "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, but this one has dtype {self.data.dtype}. "
                "Create it with dtype='float64' (the default for numbers) or 'float32'."
            )
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.label = label
        self._mark = None
        self._prev = ()
        self._op = None
        self._params = None
        self._scope = None
        self._version = EPOCH[0]

    # -- plumbing for the shared engine -------------------------------------------------------

    @staticmethod
    def _compute(op, inputs, params):
        datas = (inputs[0].data,) if len(inputs) == 1 else [x.data for x in inputs]
        try:
            if op.domain:
                with np.errstate(all="ignore"):  # gradviz warns itself, naming the op and the inputs
                    result = op.forward(np, *datas, **params) if params else op.forward(np, *datas)
            else:
                result = op.forward(np, *datas, **params) if params else op.forward(np, *datas)
        except (ValueError, IndexError) as error:
            raise _explain(op, datas, params, error) from None
        if result.__class__ is not np.ndarray:
            result = np.asarray(result)
        return result

    @staticmethod
    def _finite(data) -> bool:
        return bool(np.isfinite(data).all())

    @staticmethod
    def _describe(data) -> str:
        data = np.asarray(data)
        if data.size <= 6:
            return np.array2string(data, precision=4, separator=", ")
        return f"array of shape {data.shape} (min {np.nanmin(data):.4g}, max {np.nanmax(data):.4g})"

    @staticmethod
    def _describe_bad(data) -> str:
        data = np.asarray(data)
        nan = int(np.isnan(data).sum())
        pos = int(np.isposinf(data).sum())
        neg = int(np.isneginf(data).sum())
        parts = [f"{n} {name}" for n, name in ((nan, "nan"), (pos, "inf"), (neg, "-inf")) if n]
        first = tuple(int(i) for i in np.argwhere(~np.isfinite(data))[0]) if data.ndim else ()
        where = f", first at index {first}" if data.ndim else ""
        return " and ".join(parts) + (" value" if nan + pos + neg == 1 else " values") + where

    @staticmethod
    def _seed(root, gradient):
        if gradient is None:
            if root.data.size != 1:
                raise RuntimeError(
                    f"backward() on a Tensor of shape {root.data.shape} needs a gradient argument: the upstream "
                    f"gradient ∂L/∂{root.label or 'output'}, an array of shape {root.data.shape}. To differentiate "
                    "the sum of its elements call .sum().backward(); for the mean, .mean().backward()."
                )
            return np.ones(root.data.shape, dtype=root.data.dtype)
        # a copy: the seed may become a leaf's .grad, which must not change when the caller's array does
        seed = np.array(gradient.data if isinstance(gradient, Tensor) else gradient, dtype=root.data.dtype, copy=True)
        if seed.shape != root.data.shape:
            raise ShapeError(
                f"backward(gradient): the gradient has shape {seed.shape} but the Tensor has shape "
                f"{root.data.shape}; they must be equal."
            )
        return seed

    # -- array protocol -----------------------------------------------------------------------

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    def item(self) -> float:
        """The single number in a one-element tensor."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.data.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (the array itself, not a copy)."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def detach(self) -> Tensor:
        """The same data as a new leaf that does not require grad."""
        return Tensor(self.data, dtype=self.data.dtype, label=self.label)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(len(self.data)):
            yield self[i]

    def __float__(self) -> float:
        return float(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous; "
                "use (t > 0).any() or .all() on the comparison"
            )
        return bool(self.data.item())

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", threshold=40)
        extras = []
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        if self.requires_grad:
            extras.append("requires_grad=True")
        if self._op is not None:
            extras.append(f"op={self._op.name}")
        if self.label:
            extras.append(f"label={self.label!r}")
        return "Tensor(" + body + "".join(", " + e for e in extras) + ")"

    # comparisons give plain boolean arrays: they are not differentiable
    __hash__ = Node.__hash__  # identity, so tensors still work in sets and as dict keys

    def __eq__(self, other):
        return self.data == _data(other)

    def __ne__(self, other):
        return self.data != _data(other)

    def __lt__(self, other):
        return self.data < _data(other)

    def __le__(self, other):
        return self.data <= _data(other)

    def __gt__(self, other):
        return self.data > _data(other)

    def __ge__(self, other):
        return self.data >= _data(other)

    # -- arithmetic and elementwise functions (methods made by _binary/_unary below: the hot path) --

    __add__ = _binary(_ADD)
    __radd__ = _binary(_ADD, reflected=True)
    __sub__ = _binary(_SUB)
    __rsub__ = _binary(_SUB, reflected=True)
    __mul__ = _binary(_MUL)
    __rmul__ = _binary(_MUL, reflected=True)
    __truediv__ = _binary(_DIV)
    __rtruediv__ = _binary(_DIV, reflected=True)
    __matmul__ = _binary(_MATMUL)
    __rmatmul__ = _binary(_MATMUL, reflected=True)
    __neg__ = _unary(_NEG)

    def __pos__(self):
        return self

    def __pow__(self, other):
        if isinstance(other, numbers.Real) and not isinstance(other, bool):
            return apply(OPS["pow"], (self,), {"exponent": float(other)})
        return apply(OPS["power"], (self, as_tensor(other, like=self)))

    def __rpow__(self, other):
        return apply(OPS["power"], (as_tensor(other, like=self), self))

    __abs__ = _unary(OPS["abs"])
    exp = _unary(OPS["exp"], "e to the power of each element.")
    log = _unary(OPS["log"], "The natural logarithm of each element (nan, with a warning, for negatives).")
    sqrt = _unary(OPS["sqrt"], "The square root of each element.")
    abs = _unary(OPS["abs"], "The absolute value of each element.")
    sin = _unary(OPS["sin"], "The sine of each element (radians).")
    cos = _unary(OPS["cos"], "The cosine of each element (radians).")
    tanh = _unary(OPS["tanh"], "The hyperbolic tangent of each element.")
    sigmoid = _unary(OPS["sigmoid"], "The logistic sigmoid 1 / (1 + e^-x) of each element.")
    relu = _unary(_RELU, "max(x, 0) for each element.")

    def leaky_relu(self, alpha: float = 0.01):
        """x if x > 0 else alpha·x, for each element."""
        return apply(OPS["leaky_relu"], (self,), {"alpha": float(alpha)})

    def maximum(self, other):
        return apply(OPS["maximum"], (self, as_tensor(other, like=self)))

    def minimum(self, other):
        return apply(OPS["minimum"], (self, as_tensor(other, like=self)))

    def clip(self, low=None, high=None):
        """Limit every element to [low, high] (either bound may be None)."""
        low = -np.inf if low is None else float(low)
        high = np.inf if high is None else float(high)
        if low > high:
            raise ValueError(f"clip: low ({low}) is above high ({high})")
        return apply(OPS["clip"], (self,), {"low": low, "high": high})

    def softmax(self, axis: int = -1):
        return apply(OPS["softmax"], (self,), {"axis": _axis(axis, self.ndim, "softmax")})

    def log_softmax(self, axis: int = -1):
        return apply(OPS["log_softmax"], (self,), {"axis": _axis(axis, self.ndim, "log_softmax")})

    # -- reductions ---------------------------------------------------------------------------

    def sum(self, axis=None, keepdims: bool = False):
        return apply(OPS["sum"], (self,), _reduction(self, axis, keepdims, "sum"))

    def mean(self, axis=None, keepdims: bool = False):
        return apply(OPS["mean"], (self,), _reduction(self, axis, keepdims, "mean"))

    def max(self, axis=None, keepdims: bool = False):
        return apply(OPS["max"], (self,), _reduction(self, axis, keepdims, "max"))

    def min(self, axis=None, keepdims: bool = False):
        return apply(OPS["min"], (self,), _reduction(self, axis, keepdims, "min"))

    # -- shapes -------------------------------------------------------------------------------

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return apply(OPS["reshape"], (self,), {"shape": tuple(int(d) for d in shape)})

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return apply(OPS["transpose"], (self,), {"axes": tuple(int(a) for a in axes) if axes else None})

    @property
    def T(self):
        return apply(OPS["transpose"], (self,), {"axes": None})

    def __getitem__(self, index):
        return apply(OPS["getitem"], (self,), {"index": _index(index)})


def _to_array(data, dtype) -> np.ndarray:
    if isinstance(data, Node):
        raise TypeError(
            f"Tensor() takes numbers, lists or arrays, not a {type(data).__name__}: use .data for its "
            "contents, or .detach() for a copy that does not require grad."
        )
    try:
        array = np.asarray(data, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"Tensor() needs numbers (a number, a nested list of equal-length rows, or a numeric array); "
            f"got {_preview(data)}: {error}"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor() needs numeric data, but {_preview(data)} became an array of dtype {array.dtype} "
            f"({'text' if array.dtype.kind in 'US' else 'complex numbers' if array.dtype.kind == 'c' else 'Python objects'}). "
            "Convert the values to real numbers first, "
            "e.g. np.asarray(values, dtype=float)."
        )
    if dtype is None and (array.dtype.kind in "biu" or array.dtype == np.float16):
        array = array.astype(np.float64)
    return array


def _preview(data) -> str:
    text = repr(data)
    return text if len(text) <= 60 else text[:57] + "..."


def _data(x):
    return x.data if isinstance(x, Node) else x


def as_tensor(x, like: Tensor | None = None) -> Tensor:
    """`x` itself if it is a Tensor, else a constant Tensor (no gradient) holding it.

    Python numbers take the dtype of `like`, so ``float32_tensor * 2`` stays float32.

    >>> from gradviz import Tensor
    >>> from gradviz.tensor import as_tensor
    >>> w = Tensor([1.0, 2.0], dtype="float32", requires_grad=True)
    >>> as_tensor(w) is w, as_tensor([1, 2]).requires_grad, as_tensor(2, like=w).dtype
    (True, False, dtype('float32'))
    """
    if x.__class__ is Tensor:
        return x
    if isinstance(x, Node):
        raise TypeError(
            f"cannot combine a Tensor with a {type(x).__name__}: use Tensor for both "
            f"(gradviz.Tensor({x.__class__.__name__.lower()}.data)) or Value for both."
        )
    node = _new(Tensor)
    if isinstance(x, numbers.Number) and not isinstance(x, bool) and like is not None and like.data.dtype.kind == "f":
        node.data = np.asarray(x, dtype=like.data.dtype)
    else:
        node.data = _to_array(x, None)
    node.grad = None
    node.requires_grad = False
    node.label = None
    node._mark = None
    node._prev = ()
    node._op = None
    node._params = None
    node._scope = None
    node._version = EPOCH[0]
    return node


def _axis(axis, ndim: int, op: str) -> int:
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an integer, got {axis!r}")
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ShapeError(f"{op}: axis {axis} is out of range for a tensor with {ndim} dimension(s)")
    return int(axis)


_WHOLE = {"axis": None, "keepdims": False}  # the common case, shared (apply never changes params)


def _reduction(t: Tensor, axis, keepdims: bool, op: str) -> dict[str, Any]:
    if axis is None and not keepdims and (op == "sum" or op == "mean"):
        return _WHOLE
    if axis is not None:
        if isinstance(axis, (list, tuple)):
            axis = tuple(_axis(a, t.ndim, op) % max(t.ndim, 1) for a in axis)
        else:
            axis = _axis(axis, t.ndim, op) % max(t.ndim, 1)
    if op in ("max", "min") and t.data.size == 0:
        raise ValueError(f"{op}() of an empty tensor (shape {t.shape}) has no value")
    return {"axis": axis, "keepdims": bool(keepdims)}


def _index(index):
    """Indices for getitem: Tensors become arrays; lists become integer/boolean arrays."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Tensor):
        index = index.data
    if isinstance(index, list):
        index = np.asarray(index)
    if isinstance(index, np.ndarray) and index.dtype.kind == "f":
        raise IndexError(
            f"tensor indices must be integers or booleans, got an array of dtype {index.dtype}; "
            "convert with .astype(int)"
        )
    return index


def _explain(op, datas: list, params: dict | None, error: Exception) -> Exception:
    """Turn numpy's error into one that names the op, the shapes and the fix."""
    shapes = [np.shape(d) for d in datas]
    if op.name == "matmul":
        a, b = shapes
        if len(a) == 0 or len(b) == 0:
            return ShapeError(
                f"matmul: both operands need at least one dimension, got shapes {a} @ {b}; use * for scalars"
            )
        inner_a = a[-1]
        inner_b = b[-2] if len(b) >= 2 else b[0]
        if inner_a != inner_b:
            return ShapeError(
                f"matmul: cannot multiply shapes {a} @ {b}: the inner dimensions differ ({inner_a} ≠ {inner_b}). "
                f"A @ B needs A's last dimension to equal B's {'second-to-last' if len(b) >= 2 else 'only'} dimension. "
                "Check the order of the operands, or transpose one of them (B.T)."
            )
        return ShapeError(
            f"matmul: cannot multiply shapes {a} @ {b}: their batch dimensions do not broadcast ({error})"
        )
    if op.name == "reshape":
        size = int(np.prod(shapes[0]))
        if list(params["shape"]).count(-1) > 1:
            return ShapeError(
                f"reshape: {params['shape']} has more than one -1; only one dimension can be inferred "
                f"(the tensor has shape {shapes[0]}, {size} elements)"
            )
        return ShapeError(
            f"reshape: cannot reshape a tensor of shape {shapes[0]} ({size} elements) into {params['shape']}; "
            "the number of elements must stay the same (use -1 for one dimension to infer it)."
        )
    if op.name == "getitem":
        return IndexError(f"getitem: index {params['index']!r} does not fit a tensor of shape {shapes[0]}: {error}")
    if op.name in ("concatenate", "stack"):
        return ShapeError(
            f"{op.name}: the input shapes {', '.join(map(str, shapes))} cannot be joined along axis "
            f"{params.get('axis', 0)}: {'all shapes must be equal' if op.name == 'stack' else 'they must agree on every other axis'}."
        )
    if len(shapes) >= 2 and "broadcast" in str(error):
        return ShapeError(
            f"{op.name}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together. Broadcasting "
            "compares shapes from the right; each pair of dimensions must be equal or one of them 1. "
            f"Reshape one operand (e.g. y.reshape(-1, 1)) so that they line up."
        )
    return ShapeError(f"{op.name}: {error} (input shapes {', '.join(map(str, shapes))})")


def _backward_method(self, gradient=None) -> None:
    """Fill ``.grad`` of every leaf this tensor depends on with ∂self/∂leaf (times `gradient`).

    A tensor with more than one element needs `gradient` (the upstream ∂L/∂self, same shape).
    Leaf gradients accumulate across calls; intermediate ones are recomputed.
    """
    backward(self, gradient)


Tensor.backward = _backward_method


unary_methods(Tensor, scalar=False)  # x.softplus() once softplus is declared (gradviz.ops.op)
