"""Value: a scalar that remembers how it was computed, for graphs small enough to draw node by node."""

from __future__ import annotations

import math
import numbers

from . import xp as _xp
from ._state import LOCAL, STATE
from .engine import EPOCH, Node, apply, backward, unary_methods
from .ops import OPS

__all__ = ["Value"]

_new = object.__new__
_inf = math.inf
_ADD, _SUB, _MUL, _DIV, _NEG = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["neg"]
_POW, _POWER = OPS["pow"], OPS["power"]


def _binary(op, reflected: bool = False):
    """A Value method for a two-input op: computes, links and returns the new node."""
    forward = op.forward
    native = op.native
    domain = op.domain
    scalar = _xp.scalar
    state = STATE
    local = LOCAL
    epoch = EPOCH

    def method(self, other):
        if reflected:
            a = _const(other)
            b = self
        else:
            a = self
            b = other if other.__class__ is Value else _const(other)
        data = native(a.data, b.data) if native is not None else forward(scalar, a.data, b.data)
        st = state
        if st.slow or domain:  # some thread switched something on: this thread's own state decides
            st = local.state
            if st.slow or domain:
                return apply(op, (a, b), None, data)
        out = _new(Value)
        out.data = data
        out._mark = None
        out.grad = None
        out.label = None
        out._scope = st.scope
        out._version = epoch[0]
        out._params = None
        if a.requires_grad or b.requires_grad:
            out.requires_grad = True
            out._a = a
            out._b = b
            out._op = op
            if st.trace_events is not None:
                st.trace_events.append(out)
        else:
            out.requires_grad = False
            out._a = out._b = None
            out._op = None
        return out

    method.__name__ = op.name
    method.__doc__ = f"{op.name}: {op.text.format(a='self', b='other')}"
    return method


def _unary(op, doc: str | None = None):
    """A Value method for a one-input op."""
    forward = op.forward
    native = op.native
    domain = op.domain
    scalar = _xp.scalar
    state = STATE
    local = LOCAL
    epoch = EPOCH

    def method(self):
        data = native(self.data) if native is not None else forward(scalar, self.data)
        st = state
        if st.slow or domain:
            st = local.state
            if st.slow or domain:
                return apply(op, (self,), None, data)
        out = _new(Value)
        out.data = data
        out._mark = None
        out.grad = None
        out.label = None
        out._scope = st.scope
        out._version = epoch[0]
        out._params = None
        out._b = None
        if self.requires_grad:
            out.requires_grad = True
            out._a = self
            out._op = op
            if st.trace_events is not None:
                st.trace_events.append(out)
        else:
            out.requires_grad = False
            out._a = None
            out._op = None
        return out

    method.__name__ = op.name
    method.__doc__ = doc or f"{op.name}: {op.text.format(a='self')}"
    return method


class Value(Node):
    """A scalar (a Python float inside) and its gradient; every operation on it becomes a graph node.

    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> q = x + y
    >>> f = q * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)
    """

    __slots__ = ("_a", "_b")  # the inputs (None when absent): cheaper for the GC than a tuple per node
    _xp = _xp.scalar
    _scalar = True
    is_scalar = True  # a Value; public for code outside the engine

    def __init__(self, data, label: str | None = None, requires_grad: bool = True):
        if isinstance(data, Node):
            raise TypeError(
                f"Value() takes a number, not a {type(data).__name__}: use {type(data).__name__}.data "
                "to get its number, or use the node itself."
            )
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(
                f"Value() takes a real number (int or float), got {data!r} of type {type(data).__name__}. "
                "Convert it first, e.g. Value(float(text))."
            )
        self.data = float(data)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.label = label
        self._a = self._b = None
        self._mark = None
        self._op = None
        self._params = None
        self._scope = None
        self._version = EPOCH[0]

    # -- plumbing for the shared engine -------------------------------------------------------

    @property
    def _prev(self) -> tuple:
        a = self._a
        if a is None:
            return ()
        b = self._b
        return (a,) if b is None else (a, b)

    @_prev.setter
    def _prev(self, inputs: tuple) -> None:
        if len(inputs) > 2:
            raise ValueError("a scalar Value op has at most two inputs")
        self._mark = None
        self._a = inputs[0] if inputs else None
        self._b = inputs[1] if len(inputs) > 1 else None

    @staticmethod
    def _compute(op, inputs, params):
        if not op.scalar:
            raise TypeError(
                f"{op.name} works on tensors, not on scalar Values: use gradviz.Tensor for it "
                f"(scalar Values support {', '.join(o.name for o in OPS.values() if o.scalar)})."
            )
        if params:
            return op.forward(_xp.scalar, *[x.data for x in inputs], **params)
        return op.forward(_xp.scalar, *[x.data for x in inputs])

    @staticmethod
    def _finite(data) -> bool:
        return -_inf < data < _inf

    @staticmethod
    def _describe(data) -> str:
        return f"{data:g}" if isinstance(data, float) else repr(data)

    @staticmethod
    def _describe_bad(data) -> str:
        return "nan" if data != data else ("inf" if data > 0 else "-inf")

    @staticmethod
    def _seed(root, gradient):
        if gradient is None:
            return 1.0
        if isinstance(gradient, bool) or not isinstance(gradient, numbers.Real):
            raise TypeError(f"backward(gradient=...) on a Value takes a number, got {gradient!r}")
        return float(gradient)

    # -- arithmetic (methods made by _binary/_unary below: the scalar engine's hot path) ---------

    __add__ = _binary(_ADD)
    __radd__ = _binary(_ADD, reflected=True)
    __sub__ = _binary(_SUB)
    __rsub__ = _binary(_SUB, reflected=True)
    __mul__ = _binary(_MUL)
    __rmul__ = _binary(_MUL, reflected=True)
    __truediv__ = _binary(_DIV)
    __rtruediv__ = _binary(_DIV, reflected=True)
    __neg__ = _unary(_NEG)

    def __pos__(self):
        return self

    def __pow__(self, other):
        if other.__class__ is Value:
            return apply(_POWER, (self, other))
        return apply(_POW, (self,), {"exponent": _number(other, "**")})

    def __rpow__(self, other):
        return apply(_POWER, (_const(other), self))

    __abs__ = _unary(OPS["abs"])

    # -- functions ----------------------------------------------------------------------------

    exp = _unary(OPS["exp"], "e to the power of this value.")
    log = _unary(OPS["log"], "The natural logarithm (nan, with a warning, for a negative value).")
    sqrt = _unary(OPS["sqrt"], "The square root.")
    sin = _unary(OPS["sin"], "The sine (radians).")
    cos = _unary(OPS["cos"], "The cosine (radians).")
    tanh = _unary(OPS["tanh"], "The hyperbolic tangent.")
    sigmoid = _unary(OPS["sigmoid"], "The logistic sigmoid 1 / (1 + e^-x).")
    relu = _unary(OPS["relu"], "max(x, 0).")

    def leaky_relu(self, alpha: float = 0.01):
        """x if x > 0 else alpha·x."""
        return apply(OPS["leaky_relu"], (self,), {"alpha": _number(alpha, "leaky_relu(alpha=...)")})

    maximum = _binary(OPS["maximum"])
    minimum = _binary(OPS["minimum"])

    # -- gradients ----------------------------------------------------------------------------

    def backward(
        self, gradient: float | None = None, retain_graph: bool | None = None, create_graph: bool = False, inputs=None
    ) -> None:
        """Fill ``.grad`` of every Value this one depends on with ∂self/∂(that Value).

        Leaf gradients accumulate across calls (reset them with ``.grad = None`` or zero_grad());
        intermediate gradients are recomputed on every call. PyTorch's arguments as Tensor.backward takes them:
        `retain_graph` changes nothing (the graph is kept), `inputs` accumulates only into those Values,
        ``create_graph=True`` is not available.

        >>> x, y = Value(2.0), Value(5.0)
        >>> (x * y).backward(inputs=[x])
        >>> x.grad, y.grad
        (5.0, None)
        """
        if create_graph:
            raise NotImplementedError(
                "backward(create_graph=True): gradviz's backward pass computes plain numbers and records no graph "
                "of its own, so derivatives of gradients (second derivatives) are not available."
            )
        backward(self, gradient, inputs)

    def item(self) -> float:
        return self.data

    def __float__(self) -> float:
        return self.data

    def __repr__(self) -> str:
        grad = "None" if self.grad is None else f"{self.grad:.6g}"
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={grad}{label})"


def _number(x, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{where} needs a real number here, got {x!r} of type {type(x).__name__}")
    return float(x)


def _const(x) -> Value:
    """A number used in an expression, as a leaf that needs no gradient (shown as a constant)."""
    cls = x.__class__
    if cls is Value:
        return x
    if (cls is not float and cls is not int) and (isinstance(x, bool) or not isinstance(x, numbers.Real)):
        if isinstance(x, Node):
            raise TypeError(
                f"cannot combine a scalar Value with a {type(x).__name__}: use Tensor for both "
                "(gradviz.Tensor(value.data)) or Value for both."
            )
        raise TypeError(
            f"unsupported operand: a Value and {x!r} of type {type(x).__name__}; Values combine with "
            "numbers (int, float) and other Values."
        )
    node = _new(Value)
    node.data = float(x)
    node.grad = None
    node.requires_grad = False
    node.label = None
    node._a = node._b = None
    node._mark = None
    node._op = None
    node._params = None
    node._scope = None
    node._version = EPOCH[0]
    return node


unary_methods(Value, scalar=True)  # x.softplus() once softplus is declared (gradviz.ops.op)
