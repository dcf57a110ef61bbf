"""Tensor: a numpy array that remembers how it was computed, with numpy broadcasting and reductions."""

from __future__ import annotations

import itertools
import math
import numbers
import weakref
from collections import namedtuple
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ._state import LOCAL, STATE
from .engine import EPOCH, Node, apply, backward, count_hooks, unary_methods
from .errors import ShapeError
from .ops import OPS

__all__ = ["Tensor", "as_tensor"]

_new = object.__new__
_FLOATS = (np.float16, np.float32, np.float64)


_ADD, _SUB, _MUL, _DIV, _NEG = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["neg"]
_MATMUL, _RELU = OPS["matmul"], OPS["relu"]
_ndarray = np.ndarray

# what max(dim) / min(dim) return, as torch.return_types.max / .min: a named tuple of values and indices
_MaxResult = namedtuple("max", ("values", "indices"))
_MinResult = namedtuple("min", ("values", "indices"))


def _binary(op, reflected: bool = False):
    """A Tensor method for a two-input op without parameters: computes, links and returns the node.

    The same steps as engine.apply, inlined: per-op overhead is what small networks pay for.
    """
    forward = op.forward
    native = op.native
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
            data = native(a.data, b.data) if native is not None else forward(np, a.data, b.data)
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
    native = op.native
    state = STATE
    local = LOCAL
    epoch = EPOCH

    def method(self):
        st = state
        if op.domain or st.slow:
            st = local.state
            if op.domain or st.slow:
                return apply(op, (self,))
        data = native(self.data) if native is not None else forward(np, self.data)
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


def _whole(op):
    """The body of ``t.sum()`` / ``t.mean()`` over every element (the common case): `_unary`'s steps with the
    shared parameters `_WHOLE`, instead of `apply`'s general path (what a small network's loss pays per term)."""
    forward = op.forward
    state = STATE
    local = LOCAL
    epoch = EPOCH

    def reduce(self):
        st = state
        if st.slow:
            st = local.state
            if st.slow:
                return apply(op, (self,), _WHOLE)
        data = forward(np, self.data, axis=None, keepdims=False)
        if data.__class__ is not _ndarray:
            data = np.asarray(data)
        out = _new(Tensor)
        out.data = data
        out.grad = None
        out.label = None
        out._mark = None
        out._scope = st.scope
        out._version = epoch[0]
        out._params = _WHOLE
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
            out._params = None
        return out

    return reduce


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

    # `_prev`: the inputs, in order; `_hooks`: gradient hooks by key (register_hook), unset on most tensors
    __slots__ = ("_prev", "_hooks")
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
    def size(self) -> _Size:
        """The number of elements, as numpy's ``a.size``; called, it is PyTorch's ``size()``: the shape, or
        ``size(dim)`` the length of one dimension.

        >>> t = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        >>> t.size, t.size(), t.size(0), t.size(-1)
        (6, (2, 3), 2, 3)
        """
        return _Size(self.data.size, self.data.shape)

    def numel(self) -> int:
        """The number of elements (PyTorch's name for ``size``).

        >>> Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).numel()
        6
        """
        return self.data.size

    def tolist(self):
        """The data as (nested) Python lists of numbers; a 0-d tensor gives one number.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).tolist(), Tensor(2.5).tolist()
        ([[1.0, 2.0], [3.0, 4.0]], 2.5)
        """
        return self.data.tolist()

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

    # -- autograd, with PyTorch's names -------------------------------------------------------

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Switch gradient recording on (or off) for this leaf, in place; returns the tensor itself, as torch.

        >>> w = Tensor([1.0, 2.0]).requires_grad_()
        >>> w.requires_grad, w.is_leaf
        (True, True)
        """
        if self._op is not None:
            raise RuntimeError(
                f"requires_grad_(): {self.label or 'this tensor'} was computed by {self._op.name}, not created: only "
                "a leaf's requires_grad can change (as in PyTorch). For a copy that does not require grad, use "
                ".detach()."
            )
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad_(): only floating-point tensors can require gradients, but this one has dtype "
                f"{self.data.dtype}. Create it with dtype='float64' (the default for numbers) or 'float32'."
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Accepted for PyTorch code, and does nothing: gradviz keeps every node's ``.grad`` after backward() anyway
        (its pictures show them).

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> h = x * 3
        >>> h.retain_grad()
        >>> h.sum().backward()
        >>> h.grad
        array([1., 1.])
        """
        if not self.requires_grad:
            raise RuntimeError(
                "retain_grad(): this tensor does not require grad, so no gradient reaches it. Compute it from "
                "leaves created with requires_grad=True."
            )

    @property
    def grad_fn(self) -> _GradFn | None:
        """The backward function of the op that made this tensor, as PyTorch shows it (None for a leaf): its
        ``name()`` is torch's ('MulBackward0'), its ``next_functions`` those of the inputs, an
        ``AccumulateGrad`` for a leaf that requires grad and None for a constant.

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> y = (x * 2).sum()
        >>> x.grad_fn is None, y.grad_fn.name()
        (True, 'SumBackward0')
        >>> mul = y.grad_fn.next_functions[0][0]
        >>> mul.name(), [f.name() if f else None for f, _ in mul.next_functions]
        ('MulBackward0', ['torch::autograd::AccumulateGrad', None])
        """
        return None if self._op is None else _GradFn(self)

    def register_hook(self, hook: Callable) -> _RemovableHandle:
        """Call ``hook(grad)`` with the gradient of the loss with respect to this tensor whenever a backward pass
        computes it; a returned Tensor (or array) replaces that gradient, both in ``.grad`` and in what flows on
        to the inputs, as in PyTorch. A leaf's hook sees this pass's gradient, before it is added to ``.grad``.
        `grad` is a Tensor whose data is read-only. Returns a handle: ``.remove()`` takes the hook off.

        >>> x = Tensor([1.0, -2.0], requires_grad=True)
        >>> h = x * 3
        >>> handle = h.register_hook(lambda grad: grad.clamp(max=0.5))   # clip the gradient flowing through h
        >>> (h * h).sum().backward()                                     # ∂/∂h = 2h = [6, −12]
        >>> h.grad, x.grad                                               # clipped at h, then times 3 for x
        (array([  0.5, -12. ]), array([  1.5, -36. ]))
        >>> handle.remove()
        """
        if not self.requires_grad:
            raise RuntimeError(
                "register_hook(): this tensor does not require grad, so no gradient ever reaches it. Create it with "
                "requires_grad=True (or requires_grad_()), or hook a tensor computed from such a leaf."
            )
        if not callable(hook):
            raise TypeError(f"register_hook() takes a function of the gradient, got {type(hook).__name__}")
        hooks = getattr(self, "_hooks", None)
        if hooks is None:
            hooks = self._hooks = _Hooks()
            # the finalizer holds only the count, not the hooks: a hook that names its own tensor does not keep it
            weakref.finalize(self, _forget_hooks, hooks.live).atexit = False
        key = next(_HOOK_KEYS)
        hooks[key] = _hook_caller(hook, self.data.shape, self.data.dtype, self.label)
        hooks.live[0] += 1
        count_hooks(1)
        return _RemovableHandle(hooks, key)

    def backward(
        self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False, inputs=None
    ) -> None:
        """Fill ``.grad`` of every leaf this tensor depends on with ∂self/∂leaf (times `gradient`).

        A tensor with more than one element needs `gradient` (the upstream ∂L/∂self, same shape).
        Leaf gradients accumulate across calls; intermediate ones are recomputed. PyTorch's arguments, in its order:
        `retain_graph` is accepted and changes nothing (gradviz keeps the graph, so a second backward() works
        without it); `inputs` (a tensor or a list of them) accumulates only into those, as torch;
        ``create_graph=True`` (a graph of the backward pass, for higher derivatives) is not available.

        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> b = Tensor(0.5, requires_grad=True)
        >>> loss = ((w * 3.0).sum() + b) ** 2
        >>> loss.backward(inputs=[w])                 # 2·(9 + 0.5)·3 for each w; b.grad stays None
        >>> w.grad, b.grad
        (array([57., 57.]), None)
        """
        if create_graph:
            raise NotImplementedError(
                "backward(create_graph=True): gradviz's backward pass computes plain arrays and records no graph of "
                "its own, so derivatives of gradients (second derivatives) are not available. Use the JAX backend "
                "(jax.grad of jax.grad) or central differences for them."
            )
        backward(self, gradient, inputs)

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

    def clamp(self, min: float | None = None, max: float | None = None):
        """PyTorch's name for :meth:`clip`: every element limited to [min, max] (one bound may be None).

        >>> Tensor([-2.0, 0.5, 3.0]).clamp(min=0.0, max=1.0).data
        array([0. , 0.5, 1. ])
        """
        if min is None and max is None:
            raise ValueError("clamp(): give min=, max= or both (with neither, nothing would be clamped)")
        for name, bound in (("min", min), ("max", max)):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, numbers.Real)):
                raise TypeError(
                    f"clamp({name}=...) takes a number or None here, got {type(bound).__name__}; for bounds that "
                    "differ per element use x.maximum(low).minimum(high)"
                )
        return self.clip(min, max)

    def clone(self) -> Tensor:
        """A copy of the data in new memory, recorded as the op 'clone': the gradient flows back unchanged.

        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> y = x.clone()
        >>> y.data is x.data, y.op, y.grad_fn.name()
        (False, 'clone', 'CloneBackward0')
        >>> (y * y).sum().backward()
        >>> x.grad
        array([2., 4.])
        """
        return self._clone()

    _clone = _unary(OPS["clone"])

    def softmax(self, axis: int | None = None, *, dim: int | None = None):
        """e^x / Σ e^x along `axis` (PyTorch: `dim`), the last one by default; shifted so nothing overflows.

        >>> Tensor([[1.0, 2.0], [3.0, 3.0]]).softmax(dim=1).data.round(3)
        array([[0.269, 0.731],
               [0.5  , 0.5  ]])
        """
        axis = _one_name("softmax", "axis", axis, "dim", dim)
        return apply(OPS["softmax"], (self,), {"axis": _axis(-1 if axis is None else axis, self.ndim, "softmax")})

    def log_softmax(self, axis: int | None = None, *, dim: int | None = None):
        """log(softmax(x)) along `axis` (PyTorch: `dim`), the last one by default, computed stably.

        >>> Tensor([0.0, 0.0]).log_softmax(dim=0).data.round(4)
        array([-0.6931, -0.6931])
        """
        axis = _one_name("log_softmax", "axis", axis, "dim", dim)
        return apply(
            OPS["log_softmax"], (self,), {"axis": _axis(-1 if axis is None else axis, self.ndim, "log_softmax")}
        )

    # -- reductions ---------------------------------------------------------------------------

    def sum(self, axis=None, keepdims: bool | None = None, *, dim=None, keepdim: bool | None = None):
        """The sum over `axis` (an int or a tuple; every element by default), numpy's names, or PyTorch's
        ``dim=`` and ``keepdim=`` (not both names at once). `keepdims` keeps the summed axes with length 1.

        >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> x.sum().item(), x.sum(axis=0).data, x.sum(dim=1, keepdim=True).shape
        (10.0, array([4., 6.]), (2, 1))
        """
        if axis is None and not keepdims and dim is None and keepdim is None:
            return _sum_whole(self)
        if dim is not None or keepdim is not None:
            axis, keepdims = _torch_dims("sum", axis, keepdims, dim, keepdim)
        return apply(OPS["sum"], (self,), _reduction(self, axis, keepdims, "sum"))

    def mean(self, axis=None, keepdims: bool | None = None, *, dim=None, keepdim: bool | None = None):
        """The mean over `axis` (every element by default); PyTorch's ``dim=``, ``keepdim=`` too, as for sum.

        >>> x = Tensor([[1.0, 2.0], [3.0, 6.0]])
        >>> x.mean().item(), x.mean(dim=0).data
        (3.0, array([2., 4.]))
        """
        if axis is None and not keepdims and dim is None and keepdim is None:
            return _mean_whole(self)
        if dim is not None or keepdim is not None:
            axis, keepdims = _torch_dims("mean", axis, keepdims, dim, keepdim)
        return apply(OPS["mean"], (self,), _reduction(self, axis, keepdims, "mean"))

    def max(self, dim=None, keepdim: bool | None = None, *, axis=None, keepdims: bool | None = None):
        """The largest element, as PyTorch's ``max``: with no dimension, a Tensor (ties share the gradient);
        ``max(dim)`` (or ``max(dim=1)``) the named tuple ``(values, indices)`` along that dimension, the values
        differentiable (the gradient goes to the element at `indices`, as torch's) and the indices int64;
        ``max(other)`` with a tensor, the elementwise maximum. numpy's ``axis=`` (an int or a tuple) keeps
        numpy's meaning: it returns the Tensor of maxima, with ties sharing the gradient as torch.amax.

        >>> x = Tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 0.0]], requires_grad=True)
        >>> x.max().item(), x.max(axis=1).data
        (5.0, array([5., 4.]))
        >>> values, indices = x.max(dim=1)
        >>> values.data, indices.data, indices.dtype
        (array([5., 4.]), array([1, 0]), dtype('int64'))
        """
        return self._extremum("max", dim, keepdim, axis, keepdims)

    def min(self, dim=None, keepdim: bool | None = None, *, axis=None, keepdims: bool | None = None):
        """The smallest element, as :meth:`max` gives the largest: a Tensor, or ``min(dim)`` → (values, indices).

        >>> x = Tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 0.0]])
        >>> x.min().item(), x.min(axis=0).data, x.min(1).indices.data
        (0.0, array([1., 3., 0.]), array([0, 2]))
        """
        return self._extremum("min", dim, keepdim, axis, keepdims)

    def _extremum(self, name: str, dim, keepdim, axis, keepdims):
        if isinstance(dim, (Node, np.ndarray)):  # torch's max(other): the elementwise maximum
            if axis is not None or keepdim is not None or keepdims is not None:
                raise TypeError(f"{name}(other): the elementwise {name}imum takes no axis or keepdim")
            return self.maximum(dim) if name == "max" else self.minimum(dim)
        keep = _one_name(name, "keepdims", keepdims, "keepdim", keepdim)
        if dim is None:
            return apply(OPS[name], (self,), _reduction(self, axis, keep, name))
        if axis is not None:
            _one_name(name, "axis", axis, "dim", dim)  # raises: both names given
        if isinstance(dim, (tuple, list)):
            raise TypeError(
                f"{name}(dim) takes one dimension (an int), as torch.{name} does; for the {name}imum over several "
                f"axes use {name}(axis={tuple(dim)}), which returns the Tensor of {name}ima"
            )
        return self._extremum_at(name, dim, bool(keep))

    def _extremum_at(self, name: str, dim, keepdim: bool):
        """(values, indices) of the maximum or minimum along `dim`: the values are the elements at the indices
        (recorded as getitem), so the gradient reaches exactly those, as torch's max(dim) sends it."""
        ndim = self.ndim
        d = _dim(dim, ndim, name)
        data = self.data
        if ndim and data.shape[d] == 0:
            raise ShapeError(
                f"{name}(dim={dim}): dimension {d} of shape {data.shape} has length 0, so it has no {name}imum"
            )
        if ndim == 0:
            index, found = (), np.zeros((), dtype=np.int64)
        else:
            found = (np.argmax if name == "max" else np.argmin)(data, axis=d, keepdims=keepdim)
            grids = np.indices(found.shape, sparse=True)
            index = grids[:d] + (found,) + (grids[d + 1 :] if keepdim else grids[d:])
        values = apply(OPS["getitem"], (self,), {"index": index})
        indices = Tensor(found.astype(np.int64, copy=False), dtype=np.int64)
        return (_MaxResult if name == "max" else _MinResult)(values, indices)

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None, keepdims=None):
        """The index of the largest element (int64, not differentiable): in the flattened tensor, or along `dim`
        (numpy: `axis`); the first one at a tie, as torch and numpy.

        >>> x = Tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 4.0]])
        >>> x.argmax().item(), x.argmax(dim=1).data, x.argmax(0, keepdim=True).shape
        (1, array([1, 0]), (1, 3))
        """
        return _arg_extremum(self, "argmax", dim, keepdim, axis, keepdims)

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None, keepdims=None):
        """The index of the smallest element (int64), as :meth:`argmax` gives the largest.

        >>> Tensor([[1.0, 5.0, 0.0], [4.0, 3.0, 4.0]]).argmin(dim=1).data
        array([2, 1])
        """
        return _arg_extremum(self, "argmin", dim, keepdim, axis, keepdims)

    def norm(self, p: float | str = 2, dim=None, keepdim: bool = False):
        """The vector p-norm of every element (or along `dim`, an int or a tuple), as ``torch.norm``: p = 2 (or
        'fro') by default, 1, any real p ≥ 1, ``inf`` (the largest |x|), ``-inf`` (the smallest) or 0 (the count
        of non-zero elements). Built from recorded ops (|x|, powers, Σ, √), so its graph shows each step; at a
        zero norm the gradient is 0, as torch's. Computed as written, (Σ |x|^p)^(1/p): elements so small that
        their p-th power underflows (|x| < 1e-154 for p = 2) count as 0.

        >>> x = Tensor([[3.0, 4.0], [0.0, 0.0]], requires_grad=True)
        >>> x.norm().item(), x.norm(dim=1).data, x.norm(1).item(), x.norm(float("inf")).item()
        (5.0, array([5., 0.]), 7.0, 4.0)
        >>> x.norm(dim=1).sum().backward()
        >>> x.grad                                    # x / ‖x‖ per row; 0 for the zero row
        array([[0.6, 0.8],
               [0. , 0. ]])
        """
        return _norm(self, p, dim, keepdim)

    # -- shapes -------------------------------------------------------------------------------

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return apply(OPS["reshape"], (self,), {"shape": tuple(int(d) for d in shape)})

    def view(self, *shape):
        """PyTorch's name for :meth:`reshape`: the same elements in a new shape (-1 infers one side).

        >>> Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).view(3, -1).shape
        (3, 2)
        """
        if len(shape) == 1 and isinstance(shape[0], (str, type, np.dtype)):
            raise TypeError(
                f"view({shape[0]!r}): gradviz's view takes a shape only, not a dtype; to reinterpret the bytes use "
                "the numpy array: t.data.view(dtype)"
            )
        return self.reshape(*shape)

    def unsqueeze(self, dim: int):
        """A new dimension of length 1 at position `dim` (negative counts from the end, -1 appends), as torch.

        >>> x = Tensor([1.0, 2.0, 3.0])
        >>> x.unsqueeze(0).shape, x.unsqueeze(-1).shape
        ((1, 3), (3, 1))
        """
        d = _dim(dim, self.ndim, "unsqueeze", new=1)
        shape = list(self.data.shape)
        shape.insert(d, 1)
        return apply(OPS["reshape"], (self,), {"shape": tuple(shape)})

    def squeeze(self, dim=None):
        """The tensor without its dimensions of length 1: all of them, or only `dim` (an int or a tuple); a
        named dimension whose length is not 1 stays, as in torch.

        >>> x = Tensor([[[1.0], [2.0]]])                # shape (1, 2, 1)
        >>> x.squeeze().shape, x.squeeze(0).shape, x.squeeze(1).shape, x.squeeze((0, 2)).shape
        ((2,), (2, 1), (1, 2, 1), (2,))
        """
        shape = self.data.shape
        if dim is None:
            drop = {d for d, side in enumerate(shape) if side == 1}
        else:
            dims = dim if isinstance(dim, (tuple, list)) else (dim,)
            drop = {d for d in (_dim(d, self.ndim, "squeeze") for d in dims) if self.ndim and shape[d] == 1}
        return apply(OPS["reshape"], (self,), {"shape": tuple(side for d, side in enumerate(shape) if d not in drop)})

    def permute(self, *dims):
        """The dimensions in the order `dims` (``permute(2, 0, 1)`` or ``permute((2, 0, 1))``), as torch.

        >>> Tensor(np.zeros((2, 3, 4))).permute(2, 0, 1).shape
        (4, 2, 3)
        """
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        if len(dims) != self.ndim:
            raise ShapeError(
                f"permute{tuple(dims)}: a tensor of shape {self.data.shape} needs an order of all its {self.ndim} "
                f"dimension(s), got {len(dims)}"
            )
        order = tuple(_dim(d, self.ndim, "permute") for d in dims)
        if len(set(order)) != len(order):
            raise ShapeError(f"permute{tuple(dims)}: a dimension appears twice; name each dimension once")
        return apply(OPS["transpose"], (self,), {"axes": order})

    def t(self):
        """The transpose of a tensor with at most 2 dimensions (a 0-d or 1-d one as it is), as torch's t().

        >>> Tensor([[1.0, 2.0, 3.0]]).t().shape
        (3, 1)
        """
        if self.ndim > 2:
            raise ShapeError(
                f"t() transposes a tensor of at most 2 dimensions, as torch's; this one has shape {self.data.shape}. "
                "Use permute(...) for every dimension, or transpose(dim0, dim1) to swap two."
            )
        return apply(OPS["transpose"], (self,), {"axes": None})

    def transpose(self, *axes):
        """The axes permuted, as numpy's: reversed with no argument, or in the order given (a tuple or every axis);
        with two separate ints, PyTorch's ``transpose(dim0, dim1)``: those two dimensions swapped.

        >>> x = Tensor(np.zeros((2, 3, 4)))
        >>> x.transpose().shape, x.transpose((1, 0, 2)).shape, x.transpose(0, 2).shape
        ((4, 3, 2), (3, 2, 4), (4, 3, 2))
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        elif len(axes) == 2 and all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes):
            # torch's transpose(dim0, dim1); on a 2-d tensor the same as numpy's transpose(1, 0)
            first, second = (_dim(a, self.ndim, "transpose") for a in axes)
            order = list(range(self.ndim))
            order[first], order[second] = order[second], order[first]
            axes = tuple(order)
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
    kind = x.__class__
    if (kind is float or kind is int or (isinstance(x, numbers.Number) and kind is not bool)) and (
        like is not None and like.data.dtype.kind == "f"
    ):
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
_sum_whole = _whole(OPS["sum"])
_mean_whole = _whole(OPS["mean"])


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


unary_methods(Tensor, scalar=False)  # x.softplus() once softplus is declared (gradviz.ops.op)


# -- PyTorch's names: argument aliases, size(), argmax, norm, grad_fn and hooks ---------------------------------


class _Size(int):
    """``t.size``: the number of elements (an int, numpy's ``a.size``) that, called, is torch's ``t.size()``.

    >>> t = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> t.size + 1, t.size(), t.size(1)
    (7, (2, 3), 3)
    """

    def __new__(cls, count: int, shape: tuple) -> _Size:
        size = int.__new__(cls, count)
        size._shape = shape
        return size

    def __call__(self, dim: int | None = None):
        if dim is None:
            return self._shape
        return self._shape[_dim(dim, len(self._shape), "size")]

    def __reduce__(self):
        return int, (int(self),)  # pickled and copied as the plain count


def _one_name(method: str, numpy_name: str, numpy_value, torch_name: str, torch_value):
    """The value given under numpy's name or PyTorch's (None when neither); both at once is refused."""
    if numpy_value is not None and torch_value is not None:
        raise TypeError(
            f"{method}() got both {numpy_name}={numpy_value!r} (numpy's name) and {torch_name}={torch_value!r} "
            f"(PyTorch's name) for the same thing; give one of them"
        )
    return torch_value if numpy_value is None else numpy_value


def _torch_dims(method: str, axis, keepdims, dim, keepdim) -> tuple:
    axis = _one_name(method, "axis", axis, "dim", dim)
    if isinstance(dim, (tuple, list)) and not dim:
        axis = None  # torch reads dim=() as every dimension (numpy's axis=() reduces none)
    return axis, _one_name(method, "keepdims", keepdims, "keepdim", keepdim)


def _dim(dim, ndim: int, method: str, new: int = 0) -> int:
    """`dim` as a non-negative position among `ndim` dimensions (a 0-d tensor takes 0 and -1, as torch), or among
    ``ndim + new`` for a method that adds `new` dimensions (unsqueeze)."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{method}: a dimension must be an integer, got {dim!r}")
    sides = max(ndim + new, 1)
    if not -sides <= dim < sides:
        raise ShapeError(
            f"{method}: dimension {dim} is out of range for a tensor with {ndim} dimension(s); "
            f"give one in [{-sides}, {sides - 1}]"
        )
    return int(dim) % sides


def _arg_extremum(t: Tensor, name: str, dim, keepdim, axis, keepdims) -> Tensor:
    dim = _one_name(name, "axis", axis, "dim", dim)
    keep = bool(_one_name(name, "keepdims", keepdims, "keepdim", keepdim or None))
    if t.data.size == 0:
        raise ValueError(f"{name}() of an empty tensor (shape {t.data.shape}) has no index to give")
    find = np.argmax if name == "argmax" else np.argmin
    if dim is None:
        found = find(t.data, keepdims=keep)
    elif isinstance(dim, (tuple, list)):
        raise TypeError(f"{name}(dim) takes one dimension (an int), as torch.{name} does, got {dim!r}")
    elif t.ndim == 0:
        _dim(dim, 0, name)
        found = np.zeros((), dtype=np.int64)
    else:
        found = find(t.data, axis=_dim(dim, t.ndim, name), keepdims=keep)
    return Tensor(np.asarray(found, dtype=np.int64), dtype=np.int64)


def _norm(t: Tensor, p, dim, keepdim: bool) -> Tensor:
    if isinstance(p, str):
        if p != "fro":
            raise ValueError(
                f"norm(p={p!r}): gradviz has the vector norms (p = 2 or 'fro', 1, any real p ≥ 1, inf, -inf, 0); "
                "the nuclear norm ('nuc') needs singular values, which no recorded op computes"
            )
        p = 2.0
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"norm(p=...) takes a number or 'fro', got {p!r}")
    p = float(p)
    keepdim = bool(keepdim)
    magnitude = t.abs()
    if p == math.inf:
        return magnitude.max(axis=dim, keepdims=keepdim)
    if p == -math.inf:
        return magnitude.min(axis=dim, keepdims=keepdim)
    if p == 0:
        return magnitude.step().sum(axis=dim, keepdims=keepdim)  # each non-zero counts 1; the gradient is 0
    if p != p or p < 1:
        raise ValueError(
            f"norm(p={p}): gradviz takes p = 0, a real p ≥ 1, inf or -inf (for 0 < p < 1 the gradient at a zero "
            "element is unbounded)"
        )
    if p == 1:
        return magnitude.sum(axis=dim, keepdims=keepdim)
    total = (t**2 if p == 2 else magnitude**p).sum(axis=dim, keepdims=keepdim)
    zero = total.data == 0
    if not (total.requires_grad and zero.any()):
        return total.sqrt() if p == 2 else total ** (1.0 / p)
    # a zero norm: its root's derivative is infinite and 0·∞ would give nan; torch's gradient there is 0.
    # The root is taken of 1 where the sum is 0 and the result set to 0 there, so no gradient reaches it.
    where = OPS["where"]
    safe = apply(where, (as_tensor(np.ones_like(total.data)), total), {"condition": zero})
    root = safe.sqrt() if p == 2 else safe ** (1.0 / p)
    return apply(where, (as_tensor(np.zeros_like(total.data)), root), {"condition": zero})


class _GradFn:
    """What ``t.grad_fn`` gives: the backward function of the op that made `t`, named as PyTorch names it.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> fn = (x.exp() * 2).grad_fn
    >>> fn, fn.next_functions[0][0].name()
    (<MulBackward0 (gradviz op 'mul')>, 'ExpBackward0')
    """

    __slots__ = ("_node",)

    def __init__(self, node: Tensor) -> None:
        self._node = node

    def name(self) -> str:
        """The name torch gives the backward function of the same call ('MulBackward0', 'SumBackward1', …)."""
        return _torch_name(self._node)

    @property
    def next_functions(self) -> tuple:
        """One (function, 0) pair per input: its grad_fn, an AccumulateGrad for a leaf that requires grad, or
        None for an input that needs no gradient."""
        pairs = []
        for x in self._node._prev:
            if x._op is not None:
                pairs.append((_GradFn(x), 0))
            elif x.requires_grad:
                pairs.append((_AccumulateGrad(x), 0))
            else:
                pairs.append((None, 0))
        return tuple(pairs)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other._node is self._node

    def __hash__(self) -> int:
        return id(self._node)

    def __repr__(self) -> str:
        return f"<{self.name()} (gradviz op {self._node._op.name!r})>"


class _AccumulateGrad:
    """The end of a path in ``next_functions``: where a leaf's gradient is accumulated (torch's AccumulateGrad);
    `variable` is the leaf.

    >>> w = Tensor([1.0], requires_grad=True)
    >>> leaf = (w * 2).grad_fn.next_functions[0][0]
    >>> leaf.name(), leaf.variable is w, leaf.next_functions
    ('torch::autograd::AccumulateGrad', True, ())
    """

    __slots__ = ("variable",)
    next_functions = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def _index_name(index) -> str:
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(i, (np.ndarray, list)) for i in items):
        return "IndexBackward0"
    for item in reversed(items):  # torch applies the items left to right: the last one names the result
        if item is Ellipsis:
            continue
        if item is None:
            return "UnsqueezeBackward0"
        return "SliceBackward0" if isinstance(item, slice) else "SelectBackward0"
    return "AliasBackward0"


def _matmul_name(a: Tensor, b: Tensor) -> str:
    dims = (a.ndim, b.ndim)
    simple = {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0", (1, 2): "SqueezeBackward4"}
    if dims in simple:
        return simple[dims]
    return "CloneBackward0" if a.ndim == 2 else "UnsafeViewBackward0"  # batched: torch reshapes to bmm and back


def _reduced_name(whole: str, along: str):
    """torch's name for a reduction: one for every element, another along dimensions (or keeping them)."""
    return lambda node, params: whole if params.get("axis") is None and not params.get("keepdims") else along


def _cross_entropy_name(node, params) -> str:
    if node._prev[1].data.dtype.kind in "iu":
        return "NllLossBackward0"
    return "DivBackward1" if params.get("reduction", "mean") == "mean" else "NegBackward0"  # soft targets


# torch's backward function names where they are not the op's name in CamelCase + "Backward0"
_TORCH_NAMES: dict[str, Any] = {
    "power": "PowBackward1",
    "clip": "ClampBackward1",
    "matmul": lambda node, params: _matmul_name(*node._prev),
    "sum": _reduced_name("SumBackward0", "SumBackward1"),
    "mean": _reduced_name("MeanBackward0", "MeanBackward1"),
    "max": _reduced_name("MaxBackward1", "AmaxBackward0"),
    "min": _reduced_name("MinBackward1", "AminBackward0"),
    "reshape": "ViewBackward0",
    "transpose": "PermuteBackward0",
    "getitem": lambda node, params: _index_name(params["index"]),
    "concatenate": "CatBackward0",
    "mse": "MseLossBackward0",
    "cross_entropy": _cross_entropy_name,
}


def _torch_name(node: Tensor) -> str:
    name = node._op.name
    special = _TORCH_NAMES.get(name)
    if special is None:
        return "".join(word.capitalize() for word in name.split("_")) + "Backward0"
    return special(node, node._params or {}) if callable(special) else special


_HOOK_KEYS = itertools.count()


class _Hooks(dict):
    """A tensor's hooks by key, in the order registered; `live` counts those still registered while it lives."""

    __slots__ = ("live", "__weakref__")

    def __init__(self) -> None:
        super().__init__()
        self.live = [0]


def _forget_hooks(live: list) -> None:
    """A hooked tensor was collected: its hooks no longer count."""
    count_hooks(-live[0])
    live[0] = 0


class _RemovableHandle:
    """What register_hook returns: ``remove()`` takes the hook off (a second call does nothing); usable in a
    ``with`` block, which removes it at the end, as torch's RemovableHandle.

    >>> x = Tensor([1.0], requires_grad=True)
    >>> with x.register_hook(lambda grad: grad * 10):
    ...     (x * 2).sum().backward()
    >>> (x * 2).sum().backward()                  # 20 with the hook, then 2 without it
    >>> x.grad
    array([22.])
    """

    __slots__ = ("_hooks", "_key")

    def __init__(self, hooks: _Hooks, key: int) -> None:
        self._hooks = weakref.ref(hooks)  # as torch's: a handle does not keep the hooks (or their tensor) alive
        self._key = key

    def remove(self) -> None:
        hooks = self._hooks()
        if hooks is not None and hooks.pop(self._key, None) is not None and hooks.live[0] > 0:
            hooks.live[0] -= 1
            count_hooks(-1)

    def __enter__(self) -> _RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()

    def __repr__(self) -> str:
        hooks = self._hooks()
        return f"<hook handle {'registered' if hooks is not None and self._key in hooks else 'removed'}>"


def _hook_caller(hook: Callable, shape: tuple, dtype, label: str | None) -> Callable:
    """The engine's side of a user hook: an array in, an array (or None for "unchanged") out, checked."""
    name = getattr(hook, "__name__", type(hook).__name__)
    whose = f"{label!r}" if label else "the tensor"

    def call(grad):
        view = np.asarray(grad).view()
        view.flags.writeable = False  # the same array may be another node's gradient: a hook returns a new one
        given = as_tensor(view)
        result = hook(given)
        if result is None or result is given:
            return None
        if isinstance(result, Node) and not isinstance(result, Tensor):
            raise TypeError(f"register_hook: the hook {name} returned a {type(result).__name__}, not a Tensor or array")
        array = np.asarray(result.data if isinstance(result, Tensor) else result)
        if array.shape != shape:
            raise ShapeError(
                f"register_hook: the hook {name} returned a gradient of shape {array.shape}, but {whose} has shape "
                f"{shape}; a hook may change a gradient's values, not its shape"
            )
        if array.dtype.kind not in "biuf":
            raise TypeError(f"register_hook: the hook {name} returned an array of dtype {array.dtype}, not numbers")
        return np.array(array, dtype=dtype, copy=True)

    return call
