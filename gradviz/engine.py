"""The autograd machinery shared by Value and Tensor: the one forward choke point and backward.

Every op goes through `apply` or through one of the inlined fast paths in value.py/tensor.py that
do the same steps (tag the scope, append the node to an active trace); anomaly mode and no_grad
always take `apply`. Every backward pass goes through `backward`, which walks an iteratively
computed topological order — no recursion anywhere, so a chain of a million nodes back-propagates.
"""

from __future__ import annotations

import math
import sys
import threading
import warnings
from typing import Any

import numpy as np

from ._state import LOCAL, STATE, current
from .errors import AnomalyError, GradvizWarning
from .interpret import fit, local_and_contribution, selected
from .ops import Op
from .xp import scalar

__all__ = ["Node", "apply", "backward", "topological_order", "mark_modified"]

_new = object.__new__
_inf = math.inf

# Version stamps, so that a backward pass never uses data changed in place since it was recorded (PyTorch
# refuses the same: "one of the variables needed for gradient computation has been modified by an inplace
# operation"). EPOCH[0] counts the in-place changes made so far in the process; every node is born stamped
# with it (`_version`), and a change in place stamps the changed node with −(its new epoch). A node whose
# stamp is still the current epoch cannot have seen any change since it was made, so backward checks
# nothing more for it; otherwise it compares its inputs' stamps with its own.
EPOCH = [0]
_epoch_lock = threading.Lock()

# How many gradient hooks (Tensor.register_hook) are registered now, in the whole process. While it is 0, a
# backward pass never looks for hooks, so the fast loops stay as they are; a hooked pass takes the general loop.
HOOKS = [0]
_hooks_lock = threading.Lock()


def count_hooks(change: int) -> None:
    """Add `change` (±) to the number of registered hooks (called by Tensor.register_hook and its handles)."""
    with _hooks_lock:
        HOOKS[0] += change


class Node:
    """What Value and Tensor share: data, gradient, and the op and inputs that produced them.

    >>> from gradviz import Value
    >>> from gradviz.engine import Node
    >>> x = Value(2.0, label="x")
    >>> y = x * 3
    >>> isinstance(y, Node), y.op, [v.data for v in y.inputs], x.is_leaf
    (True, 'mul', [2.0, 3.0], True)
    """

    # the inputs live in the subclasses: a tuple `_prev` for Tensor; two slots `_a`, `_b` for Value,
    # which saves the scalar engine one garbage-collected tuple per node (see value.py)
    # `_mark`: a stamp that topological_order leaves on visited nodes, cheaper than a set
    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "label",
        "_op",
        "_params",
        "_scope",
        "_mark",
        "_version",
        "__weakref__",
    )

    _xp: Any = None  # the array namespace of the engine (set by Value and Tensor)
    _scalar = True

    @property
    def op(self) -> str:
        """The name of the op that produced this node ('' for a leaf)."""
        return self._op.name if self._op is not None else ""

    @property
    def inputs(self) -> tuple:
        """The nodes this one was computed from (empty for a leaf)."""
        return self._prev

    @property
    def params(self) -> dict:
        """The op's constant parameters (an exponent, an axis, ...)."""
        return dict(self._params or {})

    @property
    def spec(self):
        """The registered `gradviz.ops.Op` that produced this node (None for a leaf)."""
        return self._op

    @property
    def xp(self):
        """The array namespace the node computes with (gradviz's scalar math for a Value, numpy for a Tensor)."""
        return self._xp

    @property
    def scope(self) -> str | None:
        """The name scope the node was created in, e.g. 'mlp/layer1', or None."""
        return self._scope

    @scope.setter
    def scope(self, path: str | None) -> None:
        self._scope = path

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    def graph(self):
        """The computational graph that produced this node (a gradviz.Graph)."""
        from .graph import Graph

        return Graph.of(self)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget this node's gradient (``.grad = None``), or set it to zeros with set_to_none=False (a gradient
        that was never computed stays None).

        >>> from gradviz import Value
        >>> x = Value(2.0)
        >>> (x * x).backward()
        >>> x.zero_grad(set_to_none=False); x.grad
        0.0
        >>> x.zero_grad(); x.grad is None
        True
        """
        if set_to_none or self.grad is None:
            self.grad = None
        elif self._scalar:
            self.grad = 0.0
        else:
            self.grad = np.zeros_like(self.data)

    # `w -= lr * w.grad` inside no_grad() updates w itself, as in PyTorch; while recording, an
    # intermediate gets a new node (x = x - y) and a leaf that requires grad is refused
    def __iadd__(self, other):
        return _in_place(self, other, "__add__", "+=")

    def __isub__(self, other):
        return _in_place(self, other, "__sub__", "-=")

    def __imul__(self, other):
        return _in_place(self, other, "__mul__", "*=")

    def __itruediv__(self, other):
        return _in_place(self, other, "__truediv__", "/=")


def unary_methods(cls, scalar: bool) -> None:
    """Give `cls` (Value or Tensor) a method for every registered elementwise op of one input it has no attribute
    for (``x.softplus()``), now and whenever one is declared; the methods go when their op is removed."""
    from .ops import OPS, unary

    added: set[str] = set()

    def listener(name: str, declared) -> None:
        if declared is None or unary(name, scalar=scalar) is None:
            if name in added:
                added.discard(name)
                delattr(cls, name)
            return
        if name in added or hasattr(cls, name):
            return

        def method(self):
            return apply(declared, (self,))

        method.__name__ = name
        method.__doc__ = f"{name}(x) = {declared.text.format(a='x')}, elementwise (the registered op {name!r})."
        setattr(cls, name, method)
        added.add(name)

    OPS.listen(listener)


def mark_modified(node) -> None:
    """Record that `node`'s data was changed in place (an optimizer step, ``w -= lr * w.grad`` inside
    no_grad(), load_state_dict): a backward pass through a graph recorded before the change then refuses
    to run, rather than mixing old and new numbers.

    >>> from gradviz import Value, no_grad
    >>> w = Value(3.0, label="w")
    >>> y = w * w
    >>> with no_grad():
    ...     w -= 1                                  # calls mark_modified(w)
    >>> try:
    ...     y.backward()
    ... except RuntimeError as error:
    ...     print(str(error)[:60])
    backward(): w was changed in place (by an optimizer step, a
    """
    with _epoch_lock:
        epoch = EPOCH[0] + 1
        EPOCH[0] = epoch
    node._version = -epoch


def _check_versions(node) -> None:
    """Raise if an input of `node` (or `node` itself) changed in place after `node` was computed."""
    born = node._version
    changed = [] if born >= 0 else [node]
    changed += [x for x in dict.fromkeys(node._prev) if -x._version > born >= 0]
    if not changed:
        return
    names = " and ".join(_name(x) for x in changed)
    formula = node._op.format([_name(x) for x in node._prev], node._params)
    computed = f"{node.label} = {formula}" if node.label else formula
    raise RuntimeError(
        f"backward(): {names} {'was' if len(changed) == 1 else 'were'} changed in place (by an optimizer step, "
        f"a -= or += inside no_grad(), or load_state_dict) after {computed} was computed, so the recorded graph "
        "would mix old and new numbers. Run the forward pass again after the change: forward, backward, then "
        "opt.step()."
    )


def _name(node) -> str:
    if node.label:
        return node.label
    if node._op is not None:
        return f"the output of {node._op.name}"
    return f"a {type(node).__name__}"


def _in_place(node, other, method: str, symbol: str):
    recording = current().grad_enabled and (node.requires_grad or getattr(other, "requires_grad", False))
    if recording:
        if node._op is None and node.requires_grad:
            raise RuntimeError(
                f"{node.label or type(node).__name__} {symbol} ...: an in-place update of a leaf that requires grad "
                "would be recorded as a new node and the parameter itself would not change. Update it inside "
                "`with gradviz.no_grad():` (e.g. w -= lr * w.grad), or change .data directly."
            )
        return getattr(node, method)(other)
    update = getattr(node, method)(other.data if isinstance(other, Node) else other)
    if node._scalar:
        node.data = update.data
    else:
        if update.data.shape != node.data.shape:
            raise ValueError(
                f"in-place {symbol}: the result has shape {update.data.shape} but the tensor has shape "
                f"{node.data.shape}; an in-place update cannot change the shape"
            )
        node.data[...] = update.data
    mark_modified(node)
    return node


def apply(op: Op, inputs: tuple, params: dict | None = None, data=None):
    """Run `op` forward on nodes of one engine and record the result (the forward choke point).

    `data` is the already computed result when a caller's fast path computed it (Value's methods).

    >>> from gradviz import Value
    >>> from gradviz.engine import apply
    >>> from gradviz.ops import OPS
    >>> x = Value(0.5, label="x")
    >>> y = apply(OPS["tanh"], (x,))              # what x.tanh() does
    >>> y.op, round(y.data, 4)
    ('tanh', 0.4621)
    """
    cls = inputs[0].__class__
    if data is None:
        data = cls._compute(op, inputs, params)
    node = _new(cls)
    node.data = data
    node.grad = None
    node.label = None
    node._mark = None
    node._version = EPOCH[0]
    state = LOCAL.state if STATE.slow else STATE
    node._scope = state.scope
    if op.domain and not state.anomaly and not cls._finite(data):
        _warn_domain(op, inputs, data)
    if state.slow:
        return _record_slow(node, op, inputs, params, state)
    for x in inputs:
        if x.requires_grad:
            node.requires_grad = True
            node._prev = inputs
            node._op = op
            node._params = params
            if state.trace is not None:
                state.trace._forward(node)
            return node
    node.requires_grad = False
    node._prev = ()
    node._op = None
    node._params = None
    return node


def _record_slow(node, op: Op, inputs: tuple, params: dict | None, state):
    """`apply`'s path when anomaly mode or no_grad is active in this thread."""
    if state.anomaly:
        _check_forward(node, op, inputs, params)
    if state.grad_enabled and any(x.requires_grad for x in inputs):
        node.requires_grad = True
        node._prev = inputs
        node._op = op
        node._params = params
        if state.trace is not None:
            state.trace._forward(node)
    else:
        node.requires_grad = False
        node._prev = ()
        node._op = None
        node._params = None
    return node


def _warn_domain(op: Op, inputs: tuple, data) -> None:
    cls = inputs[0].__class__
    shown = ", ".join(f"{x.label or 'input'} = {cls._describe(x.data)}" for x in inputs)
    warnings.warn(
        f"{op.name} gave a non-finite result ({cls._describe_bad(data)}) from {shown}: "
        f"{op.name} needs {op.domain}. Inspect the inputs, or run inside gradviz.detect_anomaly() "
        f"to stop at the op that first produces nan or inf.",
        GradvizWarning,
        stacklevel=4,
    )


def _check_forward(node, op: Op, inputs: tuple, params: dict | None) -> None:
    cls = node.__class__
    if cls._finite(node.data):
        return
    shown = ", ".join(f"{x.label or '(unnamed)'} = {cls._describe(x.data)}" for x in inputs)
    bad_inputs = [x.label or "(unnamed)" for x in inputs if not cls._finite(x.data)]
    origin = (
        f" The input(s) {', '.join(bad_inputs)} were already non-finite: they come from a leaf, not an op."
        if bad_inputs
        else ""
    )
    labels = [x.label or "(unnamed)" for x in inputs]
    where = f" in scope {node._scope!r}" if node._scope else ""
    raise AnomalyError(
        f"detect_anomaly: op {op.name!r} produced {cls._describe_bad(node.data)} computing "
        f"{op.format(labels, params)}{where}, from inputs {shown}.{origin}"
        + (f" {op.name} needs {op.domain}." if op.domain else ""),
        op=op.name,
        node=node,
        inputs=inputs,
    )


def topological_order(root) -> list:
    """Every node that `root` depends on and that requires grad, inputs before outputs (iterative).

    >>> from gradviz import Value
    >>> from gradviz.engine import topological_order
    >>> a, b = Value(1.0, label="a"), Value(2.0, label="b")
    >>> c = a * b
    >>> c.label = "c"
    >>> d = c + a
    >>> d.label = "d"
    >>> [n.label for n in topological_order(d)]
    ['a', 'b', 'c', 'd']
    """
    if root._scalar:
        return _topological_order_scalar(root)
    # one input at a time: a node is marked when pushed, and in a DAG a marked node is either
    # finished or on the current path, so every node comes after all of its inputs
    stamp = object()
    order = []
    root._mark = stamp
    stack = [root]
    while stack:
        node = stack[-1]
        for parent in node._prev:
            if parent._mark is not stamp and parent.requires_grad:
                parent._mark = stamp
                stack.append(parent)
                break
        else:
            stack.pop()
            order.append(node)
    return order


def _topological_order_scalar(root) -> list:
    """topological_order for Values: reads the two input slots and marks visited nodes with a
    per-call stamp instead of keeping sets (the scalar engine's hot path)."""
    stamp = object()
    order = []
    append = order.append
    root._mark = stamp
    stack = [root]
    push = stack.append
    pop = stack.pop
    while stack:
        node = stack[-1]
        a = node._a
        if a is not None:
            if a._mark is not stamp and a.requires_grad:
                a._mark = stamp
                push(a)
                continue
            b = node._b
            if b is not None and b._mark is not stamp and b.requires_grad:
                b._mark = stamp
                push(b)
                continue
        pop()
        append(node)
    return order


def backward(root, gradient=None, inputs=None) -> None:
    """Back-propagate from `root` (see Value.backward / Tensor.backward for the semantics).

    `inputs` (a node or a sequence of nodes) limits what accumulates, as torch's ``backward(inputs=...)``: only
    those leaves' ``.grad`` change; every other leaf keeps the gradient it had. Gradient hooks
    (Tensor.register_hook) run where the gradient of their tensor is complete.

    >>> from gradviz import Value
    >>> from gradviz.engine import backward
    >>> x, w = Value(3.0), Value(2.0)
    >>> backward(x * x)                              # the same as (x * x).backward()
    >>> x.grad
    6.0
    >>> backward(x * w, inputs=[w])                  # only w accumulates: x keeps its 6
    >>> x.grad, w.grad
    (6.0, 3.0)
    """
    cls = root.__class__
    if not root.requires_grad:
        raise RuntimeError(
            f"backward(): this {cls.__name__}{' ' + repr(root.label) if root.label else ''} does not require grad, "
            "so no graph was recorded "
            "for it. Either it was computed inside gradviz.no_grad(), or none of its inputs requires grad. "
            "Compute it outside no_grad() from leaves created with requires_grad=True."
        )
    seed = cls._seed(root, gradient)
    wanted = None if inputs is None else _wanted(root, inputs)
    topo = topological_order(root)
    epoch = EPOCH[0]
    for node in topo:
        if node._op is not None:
            node.grad = None  # intermediate gradients are recomputed, never accumulated across calls
            if node._version != epoch:  # something changed in place since this node was made
                _check_versions(node)
    # leaves outside `inputs` get their gradient back after the pass, as if it had never reached them
    kept = None if wanted is None else [(n, n.grad) for n in topo if n._op is None and id(n) not in wanted]
    # a hooked leaf's hooks see the gradient of this pass alone (as torch's), added to .grad after them
    before = None
    if HOOKS[0] and not cls._scalar:
        before = {}
        for node in topo:
            if node._op is None and getattr(node, "_hooks", None) and (wanted is None or id(node) in wanted):
                before[id(node)] = (node, node.grad)
                node.grad = None
        hooked = any(getattr(node, "_hooks", None) for node in topo)
        if not hooked:
            before = None
    state = LOCAL.state if STATE.slow else STATE
    trace = state.trace
    if trace is not None:
        trace._begin_backward(root, seed, topo)  # keeps what it needs to rebuild the steps when read
    _accumulate(cls, root, seed)
    if before is not None:
        try:
            with np.errstate(all="ignore"):
                changed = _backward_general(cls, topo, state.anomaly, before)
        finally:
            for node, grad in before.values():  # a hook that raised: the leaves it did not reach keep theirs
                node.grad = grad if node.grad is None else node.grad if grad is None else grad + node.grad
        if changed and trace is not None:
            warnings.warn(
                "a gradient hook (register_hook) changed a gradient inside gradviz.trace(): the trace's backward "
                "steps show the gradients as the ops compute them, before the hook's change; the .grad fields "
                "hold the changed ones.",
                GradvizWarning,
                stacklevel=3,
            )
    elif state.anomaly:
        with np.errstate(all="ignore"):
            _backward_general(cls, topo, True)
    elif cls._scalar:
        _backward_scalar(topo)
    else:
        with np.errstate(all="ignore"):  # a nan gradient is visible in the result; anomaly mode reports it
            _backward_tensor(cls, topo)
    if kept:
        for node, grad in kept:
            node.grad = grad
    if trace is not None:
        trace._end_backward(root)


def _wanted(root, inputs) -> set:
    """The ids of backward's `inputs` (one node or a sequence of them), checked as torch checks them."""
    cls = root.__class__
    nodes = [inputs] if isinstance(inputs, Node) else inputs
    try:
        nodes = list(nodes)
    except TypeError:
        raise TypeError(
            f"backward(inputs=...) takes a {cls.__name__} or a list of them (the leaves whose .grad should "
            f"accumulate), got {type(inputs).__name__}"
        ) from None
    if not nodes:
        raise RuntimeError(
            "backward(inputs=[]): the list of inputs is empty; give the tensors whose .grad should accumulate, "
            "or leave inputs out to accumulate into every leaf."
        )
    for position, node in enumerate(nodes):
        if node.__class__ is not cls:
            raise TypeError(
                f"backward(inputs=...): item {position} is a {type(node).__name__}, not a {cls.__name__} like the "
                "one backward() is called on"
            )
        if not node.requires_grad:
            raise RuntimeError(
                f"backward(inputs=...): item {position}{' (' + repr(node.label) + ')' if node.label else ''} does not "
                "require grad, so no gradient can accumulate into it. Create it with requires_grad=True."
            )
    return {id(node) for node in nodes}


def _accumulate(cls, node, contribution) -> None:
    if node.grad is None:
        node.grad = contribution if cls._scalar else _owned(contribution, node)
    else:
        node.grad = node.grad + contribution


def _owned(array, node):
    """A leaf's gradient must be its own writable array, not a view of another node's (the same rule
    as in _backward_tensor)."""
    if node._op is None and array.base is not None:
        return _own(array)
    return array


def _own(view):
    """A leaf's first gradient when backward computed it as a view: the array it views, when that is a temporary
    of the leaf's shape and layout that only this gradient's views hold (a weight's gradient through ``x @ W.T``:
    the transpose of matmul's product), else a copy — as PyTorch's AccumulateGrad steals a gradient nothing else
    holds. The other view, the transposed node's ``.grad``, then shows the same numbers transposed."""
    if sys.getrefcount(view.base) <= _TWO_VIEWS:  # first: no name of ours holds the base while it is counted
        base = view.base
        if (
            base.base is None
            and base.shape == view.shape
            and base.dtype == view.dtype
            and view.flags.c_contiguous
            and base.flags.c_contiguous
            and base.flags.writeable
            and view.__array_interface__["data"][0] == base.__array_interface__["data"][0]
        ):
            return base
    return view.copy()


def _two_views_refs() -> int:
    """What sys.getrefcount says, in _own's expression, of an array that only two views hold (this Python's
    count: it is measured, not assumed)."""
    base = np.empty((1, 1))
    other = base.T
    view = other.T
    del base
    return sys.getrefcount(view.base)  # `other` still holds it: the second view


_TWO_VIEWS = _two_views_refs()


def _backward_scalar(topo: list) -> None:
    """The Value engine's loop: the general loop below, specialised for floats and one or two inputs."""
    xp = scalar
    for node in reversed(topo):
        op = node._op
        if op is None:
            continue
        upstream = node.grad
        params = node._params
        locals_ = op.locals
        a = node._a
        b = node._b
        selects = op.selects  # relu, max…: a 0 local derivative passes exactly 0, even from a nan upstream
        if params is None and b is not None:
            if a.requires_grad:
                local = locals_[0]
                if local.__class__ is not float:  # a constant local derivative needs no call, nor an input (mul's)
                    if local.__class__ is int:
                        local = b.data if local else a.data
                    else:
                        local = local(xp, node.data, a.data, b.data)
                contribution = upstream * local if local or not selects else 0.0
                grad = a.grad
                a.grad = contribution if grad is None else grad + contribution
            if b.requires_grad:
                local = locals_[1]
                if local.__class__ is not float:
                    if local.__class__ is int:
                        local = b.data if local else a.data
                    else:
                        local = local(xp, node.data, a.data, b.data)
                contribution = upstream * local if local or not selects else 0.0
                grad = b.grad
                b.grad = contribution if grad is None else grad + contribution
            continue
        if params is None:
            local = locals_[0]
            if local.__class__ is not float:
                local = a.data if local.__class__ is int else local(xp, node.data, a.data)
            contribution = upstream * local if local or not selects else 0.0
            grad = a.grad
            a.grad = contribution if grad is None else grad + contribution
            continue
        prev = node._prev
        datas = [p.data for p in prev]
        for i, parent in enumerate(prev):
            if parent.requires_grad:
                local = locals_[i]
                if local.__class__ is not float:
                    local = datas[local] if local.__class__ is int else local(xp, node.data, *datas, **params)
                contribution = upstream * local if local or not selects else 0.0
                grad = parent.grad
                parent.grad = contribution if grad is None else grad + contribution


def _backward_tensor(cls, topo: list) -> None:
    """The Tensor engine's loop: the general loop below without anomaly checks."""
    xp = cls._xp
    ndarray = np.ndarray
    for node in reversed(topo):
        op = node._op
        if op is None:
            continue
        upstream = node.grad
        prev = node._prev
        out = node.data
        params = node._params
        if len(prev) == 2:
            datas = (prev[0].data, prev[1].data)
        elif len(prev) == 1:
            datas = (prev[0].data,)
        else:
            datas = tuple([p.data for p in prev])
        plan = op.plan
        variadic = op.variadic
        twin = op.symmetric and len(prev) == 2 and prev[0] is prev[1]  # x · x: both gradients the same numbers
        first = None
        for i, parent in enumerate(prev):
            if not parent.requires_grad:
                continue
            constant, local_fn, vjp_fn, selects = plan[0] if variadic else plan[i]
            if twin and i == 1:
                contribution = first
            elif constant is not None:
                # upstream itself for a 1 (add): never mutated in place; a leaf gets its own copy below
                contribution = upstream if constant == 1.0 else upstream * constant
            elif local_fn is not None:
                local = local_fn(xp, out, *datas, **params) if params else local_fn(xp, out, *datas)
                contribution = selected(upstream, local) if selects else upstream * local
            elif variadic:
                contribution = vjp_fn(xp, upstream, out, *datas, index=i, **params)
            elif params:
                contribution = vjp_fn(xp, upstream, out, *datas, **params)
            else:
                contribution = vjp_fn(xp, upstream, out, *datas)
            data = parent.data
            if (
                contribution.__class__ is not ndarray
                or contribution.shape != data.shape
                or contribution.dtype != data.dtype
            ):
                contribution = fit(contribution, data)
            first = contribution
            grad = parent.grad
            if grad is None:
                # a leaf's gradient must be its own writable array: not upstream, not a view of another
                if parent._op is None and (contribution is upstream or contribution.base is not None):
                    contribution = contribution.copy() if contribution is upstream else _own(contribution)
                parent.grad = contribution
            else:
                parent.grad = grad + contribution


def _backward_general(cls, topo: list, anomaly: bool, before: dict | None = None) -> bool:
    """Back-propagate through `topo` in reverse for either engine, checking every gradient for nan/inf
    (anomaly mode). The fast loops above must agree with it exactly.

    With `before` (a hooked pass: id(leaf) -> (leaf, its gradient before the pass)) each node's hooks run when its
    gradient is complete, before it flows on; returns whether a hook changed a gradient."""
    changed = False
    for node in reversed(topo):
        op = node._op
        if before is not None and getattr(node, "_hooks", None) and node.grad is not None:
            changed = _run_hooks(node, before) or changed
        if op is None:
            continue
        upstream = node.grad
        prev = node._prev
        params = node._params or {}
        datas = [p.data for p in prev]
        for i, parent in enumerate(prev):
            if not parent.requires_grad:
                continue
            local, contribution = local_and_contribution(
                op, i, upstream, node.data, datas, params, cls._xp, cls._scalar
            )
            if anomaly and not cls._finite(contribution):
                _raise_backward(node, parent, upstream, local, contribution)
            _accumulate(cls, parent, contribution)
    return changed


def _run_hooks(node, before: dict) -> bool:
    """Pass `node`'s gradient through its hooks in the order they were registered (each may return a new
    one); a leaf then adds the result to the gradient it had before the pass. Returns whether one changed it."""
    leaf = node._op is None
    if leaf and id(node) not in before:
        return False  # a leaf outside backward's `inputs`: nothing accumulates into it, no hook runs
    grad = node.grad
    changed = False
    for hook in list(node._hooks.values()):
        result = hook(grad)
        if result is not None:
            grad, changed = result, True
    if leaf:
        previous = before.pop(id(node))[1]
        if previous is not None:
            grad = previous + grad
        elif grad.base is not None:
            grad = grad.copy()  # a leaf's gradient is its own writable array
    node.grad = grad
    return changed


def replay_backward(
    root, seed, topo: list, leaf_grads: dict, leaf_datas: dict, datas: dict, stop_at_nonfinite: bool = False
):
    """The steps of one backward pass, recomputed from what a Trace kept.

    `leaf_grads` / `leaf_datas` map id(leaf) to its gradient and data when the pass began, `datas` id(op
    node) to its data as recorded, so values changed since (a parameter update, ``h.data = …``) do not
    change the story; a node in neither is read as it is now. Yields (node, upstream, edges) per visited
    node, the seed first; edges are (input, position, local, contribution, accumulated) — the same
    arithmetic, in the same order, as the pass itself, so the numbers are the ones it produced.
    """
    cls = root.__class__
    scalar_engine = cls._scalar
    grads: dict[int, object] = {}

    def current(node):
        key = id(node)
        if key in grads:
            return grads[key]
        return leaf_grads.get(key) if node._op is None else None

    before = current(root)
    grads[id(root)] = seed if before is None else before + seed
    yield root, seed, ()
    with np.errstate(all="ignore"):
        for node in reversed(topo):
            op = node._op
            if op is None:
                continue
            upstream = grads[id(node)]
            prev = node._prev
            params = node._params or {}
            inputs = [(leaf_datas if p._op is None else datas).get(id(p), p.data) for p in prev]
            out = datas.get(id(node), node.data)
            edges = []
            for i, parent in enumerate(prev):
                if not parent.requires_grad:
                    continue
                local, contribution = local_and_contribution(
                    op, i, upstream, out, inputs, params, cls._xp, scalar_engine
                )
                if stop_at_nonfinite and not cls._finite(contribution):
                    return  # where detect_anomaly stopped the pass
                previous = current(parent)
                accumulated = contribution if previous is None else previous + contribution
                grads[id(parent)] = accumulated
                if local is None:
                    pass
                elif scalar_engine:
                    local = float(local)
                else:
                    local = np.broadcast_to(np.asarray(local, dtype=out.dtype), out.shape)
                edges.append((parent, i, local, contribution, accumulated))
            yield node, upstream, tuple(edges)


def _raise_backward(node, parent, upstream, local, contribution) -> None:
    cls = node.__class__
    raise AnomalyError(
        f"detect_anomaly: the backward pass of op {node._op.name!r} (node "
        f"{node.label or node._op.format([p.label or '(unnamed)' for p in node._prev], node._params)}"
        f"{', scope ' + repr(node._scope) if node._scope else ''}) sent {cls._describe_bad(contribution)} to its input "
        f"{parent.label or '(unnamed)'} = {cls._describe(parent.data)}: upstream gradient "
        f"{cls._describe(upstream)}"
        + (f", local derivative {cls._describe(local)}" if local is not None else "")
        + ".",
        op=node._op.name,
        node=node,
        inputs=node._prev,
    )
