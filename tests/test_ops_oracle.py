"""Every registered op against PyTorch (forward value and full VJP, float64) and central differences.

The table ORACLES holds one entry per op in gradviz.ops.OPS: a hypothesis strategy that draws a
Case — the input arrays, which of them are differentiable, the call in gradviz and the same call
in torch. One test checks that the table covers the registry, so an op added without an oracle
fails here. Each case runs three ways: against torch (values chosen to hit ties and zeros, where
gradviz follows torch's conventions), against gradviz.gradcheck (values kept off kinks), and —
for ops with ``op.scalar`` — on the scalar Value engine as well.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    arrays,
    arrays_away_from,
    axes_for,
    axis_for,
    broadcastable_shapes,
    distinct_arrays,
    floats,
    grid_arrays,
    permutations_of,
    positive_arrays,
    reshape_targets,
    shapes,
    slices_for,
    unit_interval_arrays,
)

import gradviz
import gradviz.functional as F
from gradviz import Tensor, Value
from gradviz.ops import OPS

torch = pytest.importorskip("torch")
TF = torch.nn.functional

pytestmark = pytest.mark.torch

RTOL, ATOL = 1e-9, 1e-12  # float64 against float64: only rounding differs
TORCH_EXAMPLES = 30
GRADCHECK_EXAMPLES = 12
SCALAR_EXAMPLES = 30


@dataclass
class Case:
    """One drawn input for one op: arrays, which are differentiable, and the call in both libraries."""

    inputs: list
    differentiable: list
    gradviz: Callable  # gradviz nodes (Tensor or Value) -> node
    torch: Callable  # torch tensors -> tensor
    note: dict = field(default_factory=dict)  # the drawn parameters, shown when an example fails
    rtol: float = RTOL

    def __repr__(self) -> str:
        shapes_ = [np.shape(x) for x in self.inputs]
        return f"Case(shapes={shapes_}, differentiable={self.differentiable}, {self.note}, inputs={self.inputs})"


def _reduce_dims(axis, ndim: int):
    """torch's `dim` for numpy's `axis` (None: every axis; torch reads dim=() the same way)."""
    if axis is None:
        return tuple(range(ndim))
    return axis


def _torch_index(index):
    if isinstance(index, tuple):
        return tuple(_torch_index(i) for i in index)
    if isinstance(index, np.ndarray):
        return torch.from_numpy(index)
    return index


# -- the strategies per op: draw(smooth, scalar) -> Case ----------------------------------------
# `smooth`: values where every derivative exists (for central differences);
# `scalar`: 0-d inputs, for the Value engine (only ops with op.scalar are drawn that way).


def _shapes(draw, count: int, scalar: bool):
    if scalar:
        return ((),) * count
    if count == 1:
        return (draw(shapes()),)
    return draw(broadcastable_shapes(count))


def _elementwise(gradviz_fn, torch_fn, *values, smooth_values=None, count=None):
    """A case strategy for an elementwise op; `values[i](shape)` draws input i (smooth_values off kinks)."""
    count = count or len(values)

    @st.composite
    def cases(draw, smooth: bool, scalar: bool) -> Case:
        chosen = smooth_values if (smooth and smooth_values) else values
        drawn_shapes = _shapes(draw, count, scalar)
        inputs = [draw(make(shape)) for make, shape in zip(chosen, drawn_shapes, strict=True)]
        return Case(inputs, [True] * count, gradviz_fn, torch_fn)

    return cases


def _general(shape):
    return arrays(shape)


def _coarse(shape):
    # few distinct values: zeros and ties on purpose
    return grid_arrays(shape, step=0.5, span=3)


def _off_zero(shape):
    return arrays_away_from(shape, (0.0,), margin=0.1)


def _half_grid(shape):
    # k·0.1 + 0.05: never equal to a point of the plain 0.1 grid, so maximum/clip have no ties
    return grid_arrays(shape, step=0.1, span=30).map(lambda a: a + 0.05)


def _grid(shape):
    return grid_arrays(shape, step=0.1, span=30)


def _divisor(shape):
    return arrays_away_from(shape, (0.0,), margin=0.5)


ORACLES: dict[str, Callable] = {
    "add": _elementwise(lambda a, b: a + b, lambda a, b: a + b, _general, _general),
    "sub": _elementwise(lambda a, b: a - b, lambda a, b: a - b, _general, _general),
    "neg": _elementwise(lambda a: -a, lambda a: -a, _general),
    "mul": _elementwise(lambda a, b: a * b, lambda a, b: a * b, _general, _general),
    "div": _elementwise(lambda a, b: a / b, lambda a, b: a / b, _general, _divisor),
    "exp": _elementwise(F.exp, torch.exp, _general),
    "log": _elementwise(F.log, torch.log, positive_arrays),
    "sqrt": _elementwise(F.sqrt, torch.sqrt, positive_arrays),
    "abs": _elementwise(abs, torch.abs, _coarse, smooth_values=(_off_zero,)),
    "sin": _elementwise(F.sin, torch.sin, _general),
    "cos": _elementwise(F.cos, torch.cos, _general),
    "tanh": _elementwise(F.tanh, torch.tanh, lambda shape: arrays(shape, -5.0, 5.0)),
    "sigmoid": _elementwise(
        F.sigmoid,
        torch.sigmoid,
        lambda shape: arrays(shape, -40.0, 40.0),
        smooth_values=(lambda shape: arrays(shape, -5.0, 5.0),),
    ),
    "relu": _elementwise(F.relu, torch.relu, _coarse, smooth_values=(_off_zero,)),
    # Heaviside's step: sign(relu(x)) has its values and its zero gradient
    "step": _elementwise(F.step, lambda x: torch.sign(torch.relu(x)), _coarse, smooth_values=(_off_zero,)),
    "maximum": _elementwise(F.maximum, torch.maximum, _coarse, _coarse, smooth_values=(_grid, _half_grid)),
    "minimum": _elementwise(F.minimum, torch.minimum, _coarse, _coarse, smooth_values=(_grid, _half_grid)),
    "clone": _elementwise(lambda a: a.clone(), torch.clone, _general),
}


def _oracle(name: str):
    def register(fn):
        ORACLES[name] = st.composite(fn)
        return fn

    return register


@_oracle("pow")
def _pow(draw, smooth: bool, scalar: bool) -> Case:
    exponent = draw(st.sampled_from([0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, 1.5, -0.5]))
    (shape,) = _shapes(draw, 1, scalar)
    if exponent.is_integer() and exponent >= 0:
        base = draw((arrays_away_from if smooth else arrays)(shape))
    elif exponent.is_integer():
        base = draw(_divisor(shape))
    else:
        base = draw(positive_arrays(shape))
    return Case([base], [True], lambda a: a**exponent, lambda a: a**exponent, {"exponent": exponent})


@_oracle("power")
def _power(draw, smooth: bool, scalar: bool) -> Case:
    a_shape, b_shape = _shapes(draw, 2, scalar)
    kind = "positive base" if smooth else draw(st.sampled_from(["positive base", "negative base", "zero base"]))
    if kind == "positive base":
        a, b = draw(positive_arrays(a_shape)), draw(arrays(b_shape, -2.0, 2.0))
    elif kind == "negative base":  # integer exponents keep the result real; ∂/∂b = a^b·ln a is nan, in torch too
        a, b = draw(_divisor(a_shape)), draw(grid_arrays(b_shape, step=1.0, span=2))
    else:  # 0^b for b ≥ 0: ∂/∂b is 0 (not 0·ln 0), and ∂/∂a at b = 0 is 0 (not 0·0^(−1))
        a, b = (
            draw(grid_arrays(a_shape, step=0.5, span=2).map(np.abs)),
            draw(grid_arrays(b_shape, step=0.5, span=4).map(np.abs)),
        )
    return Case([a, b], [True, True], lambda x, y: x**y, lambda x, y: x**y, {"kind": kind})


@_oracle("leaky_relu")
def _leaky_relu(draw, smooth: bool, scalar: bool) -> Case:
    alpha = draw(st.sampled_from([0.01, 0.1, 0.2, 0.5]))
    (shape,) = _shapes(draw, 1, scalar)
    a = draw(_off_zero(shape) if smooth else _coarse(shape))
    return Case([a], [True], lambda x: F.leaky_relu(x, alpha), lambda x: TF.leaky_relu(x, alpha), {"alpha": alpha})


@_oracle("clip")
def _clip(draw, smooth: bool, scalar: bool) -> Case:
    (shape,) = _shapes(draw, 1, scalar)
    bound = st.none() | st.integers(-20, 20).map(lambda k: k * 0.1 + (0.05 if smooth else 0.0))
    low, high = draw(bound), draw(bound)
    if low is not None and high is not None and low > high:
        low, high = high, low
    a = draw(_grid(shape) if smooth else _coarse(shape))
    return Case(
        [a],
        [True],
        lambda x: F.clip(x, low, high),
        lambda x: torch.clamp(x, -np.inf if low is None else low, np.inf if high is None else high),
        {"low": low, "high": high},
    )


@_oracle("where")
def _where(draw, smooth: bool, scalar: bool) -> Case:
    condition_shape, a_shape, b_shape = draw(broadcastable_shapes(3))
    condition = np.asarray(draw(arrays(condition_shape)) > 0)
    a, b = draw(arrays(a_shape)), draw(arrays(b_shape))
    return Case(
        [a, b],
        [True, True],
        lambda x, y: F.where(condition, x, y),
        lambda x, y: torch.where(torch.from_numpy(condition), x, y),
        {"condition": condition},
    )


@_oracle("matmul")
def _matmul(draw, smooth: bool, scalar: bool) -> Case:
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    a_vector, b_vector = draw(st.booleans()), draw(st.booleans())
    batch_a, batch_b = draw(broadcastable_shapes(2, max_dims=2, max_side=3))
    a_shape = (k,) if a_vector else batch_a + (n, k)
    b_shape = (k,) if b_vector else batch_b + (k, m)
    a, b = draw(arrays(a_shape)), draw(arrays(b_shape))
    differentiable = draw(st.sampled_from([[True, True], [True, False], [False, True]]))
    return Case([a, b], differentiable, lambda x, y: x @ y, torch.matmul)


def _reduction(name: str, torch_fn, values):
    @_oracle(name)
    def cases(draw, smooth: bool, scalar: bool) -> Case:
        shape = draw(shapes())
        axis = draw(axes_for(len(shape)))
        keepdims = draw(st.booleans())
        a = draw(values(shape, smooth))
        dims = _reduce_dims(axis, len(shape))
        return Case(
            [a],
            [True],
            lambda x: getattr(x, name)(axis=axis, keepdims=keepdims),
            lambda x: torch_fn(x, dim=dims, keepdim=keepdims),
            {"axis": axis, "keepdims": keepdims},
        )

    return cases


_reduction("sum", torch.sum, lambda shape, smooth: arrays(shape))
_reduction("mean", torch.mean, lambda shape, smooth: arrays(shape))
_reduction("max", torch.amax, lambda shape, smooth: distinct_arrays(shape) if smooth else _coarse(shape))
_reduction("min", torch.amin, lambda shape, smooth: distinct_arrays(shape) if smooth else _coarse(shape))


@_oracle("reshape")
def _reshape(draw, smooth: bool, scalar: bool) -> Case:
    shape = draw(shapes())
    target = draw(reshape_targets(shape))
    a = draw(arrays(shape))
    return Case([a], [True], lambda x: x.reshape(target), lambda x: x.reshape(target), {"target": target})


@_oracle("transpose")
def _transpose(draw, smooth: bool, scalar: bool) -> Case:
    shape = draw(shapes())
    axes = draw(st.none() | permutations_of(len(shape)))
    a = draw(arrays(shape))
    if axes is None:
        return Case([a], [True], lambda x: x.T, lambda x: x.permute(tuple(reversed(range(x.ndim)))), {"axes": None})
    return Case([a], [True], lambda x: x.transpose(axes), lambda x: x.permute(axes), {"axes": axes})


@st.composite
def _integer_array(draw, side: int):
    """Indices into an axis of length `side`, repeats and negative indices included, 1-D or 2-D."""
    length = draw(st.integers(1, 5))
    values = draw(st.lists(st.integers(-side, side - 1), min_size=length, max_size=length))
    index = np.array(values, dtype=np.int64)
    if length % 2 == 0 and draw(st.booleans()):
        index = index.reshape(2, -1)
    return index


@_oracle("getitem")
def _getitem(draw, smooth: bool, scalar: bool) -> Case:
    shape = draw(shapes(min_dims=1))
    # negative steps only for central differences: torch does not slice with them
    slices = [slices_for(side, negative_steps=smooth) for side in shape]
    kinds = ["int", "slice", "array", "mask", "ellipsis+array", "newaxis+slice"]
    if len(shape) >= 2:
        kinds += ["slice+array", "array+array", "int+slice"]
    kind = draw(st.sampled_from(kinds))
    if kind == "int":
        index = draw(st.integers(-shape[0], shape[0] - 1))
    elif kind == "slice":
        index = draw(slices[0])
    elif kind == "array":
        index = draw(_integer_array(shape[0]))
    elif kind == "mask":
        index = np.asarray(draw(arrays(shape[: draw(st.integers(1, len(shape)))])) > 0)
    elif kind == "ellipsis+array":
        index = (Ellipsis, draw(_integer_array(shape[-1])))
    elif kind == "newaxis+slice":
        index = (None, draw(slices[0]))
    elif kind == "slice+array":
        index = (draw(slices[0]), draw(_integer_array(shape[1])))
    elif kind == "array+array":  # paired row and column indices, repeats included
        rows = draw(_integer_array(shape[0]))
        columns = draw(st.lists(st.integers(-shape[1], shape[1] - 1), min_size=rows.size, max_size=rows.size))
        index = (rows, np.array(columns, dtype=np.int64).reshape(rows.shape))
    else:
        index = (draw(st.integers(-shape[0], shape[0] - 1)), draw(slices[1]))
    a = draw(arrays(shape))
    return Case([a], [True], lambda x: x[index], lambda x: x[_torch_index(index)], {"index": index, "kind": kind})


@_oracle("concatenate")
def _concatenate(draw, smooth: bool, scalar: bool) -> Case:
    base = list(draw(shapes(min_dims=1)))
    axis = draw(axis_for(len(base)))
    count = draw(st.integers(1, 3))
    inputs = []
    for _ in range(count):
        base[axis] = draw(st.integers(1, 3))
        inputs.append(draw(arrays(tuple(base))))
    differentiable = [draw(st.booleans()) for _ in inputs]
    differentiable[0] = True
    return Case(
        inputs,
        differentiable,
        lambda *xs: F.concatenate(xs, axis=axis),
        lambda *xs: torch.cat(xs, dim=axis),
        {"axis": axis},
    )


@_oracle("stack")
def _stack(draw, smooth: bool, scalar: bool) -> Case:
    shape = draw(shapes())
    axis = draw(st.integers(-len(shape) - 1, len(shape)))
    count = draw(st.integers(1, 3))
    inputs = [draw(arrays(shape)) for _ in range(count)]
    differentiable = [True] + [draw(st.booleans()) for _ in inputs[1:]]
    return Case(
        inputs,
        differentiable,
        lambda *xs: F.stack(xs, axis=axis),
        lambda *xs: torch.stack(xs, dim=axis),
        {"axis": axis},
    )


def _softmax_like(name: str, gradviz_fn, torch_fn):
    @_oracle(name)
    def cases(draw, smooth: bool, scalar: bool) -> Case:
        shape = draw(shapes(min_dims=1))
        axis = draw(axis_for(len(shape)))
        a = draw(arrays(shape, -100.0, 100.0) if not smooth else arrays(shape))  # large: the shift must hold
        return Case([a], [True], lambda x: gradviz_fn(x, axis), lambda x: torch_fn(x, dim=axis), {"axis": axis})

    return cases


_softmax_like("softmax", F.softmax, torch.softmax)
_softmax_like("log_softmax", F.log_softmax, torch.log_softmax)


@_oracle("mse")
def _mse(draw, smooth: bool, scalar: bool) -> Case:
    shape = draw(shapes())
    pred, target = draw(arrays(shape)), draw(arrays(shape))
    differentiable = draw(st.sampled_from([[True, True], [True, False]]))
    return Case([pred, target], differentiable, F.mse, TF.mse_loss)


def _targets(shape):
    """Binary targets: hard 0/1 labels or soft ones in [0, 1]."""
    return st.one_of(grid_arrays(shape, step=1.0, span=1).map(np.abs), arrays(shape, 0.0, 1.0))


@_oracle("binary_cross_entropy")
def _binary_cross_entropy(draw, smooth: bool, scalar: bool) -> Case:
    shape = draw(shapes())
    if smooth:
        p = draw(unit_interval_arrays(shape))
    else:  # 0 and 1 included: log is clamped at −100 and the derivative's denominator at 1e-12, as torch
        p = draw(st.one_of(unit_interval_arrays(shape, 0.001), grid_arrays(shape, step=0.25, span=4).map(np.abs)))
    differentiable = draw(st.sampled_from([[True, True], [True, False]]))
    if smooth and differentiable[1]:
        # F.binary_cross_entropy refuses targets outside [0, 1], so at 0 and 1 only one-sided
        # differences exist: central differences judge the target gradient inside the interval
        y = draw(unit_interval_arrays(shape, 0.01))
    else:
        y = draw(_targets(shape))
    if np.any((p == 0.0) | (p == 1.0)):
        # torch's target gradient there is ∓inf (−logit(p), unclamped) although its forward clamps log
        # at −100; gradviz differentiates the clamped forward (see the test below), so compare p only
        differentiable = [True, False]
    # the derivative's denominator is clamped at 1e-12, which torch holds as a float32 (1e-12·(1 − 4e-9))
    rtol = 1e-8 if np.any(p * (1.0 - p) < 1e-12) else RTOL
    return Case([p, y], differentiable, F.binary_cross_entropy, TF.binary_cross_entropy, rtol=rtol)


@_oracle("binary_cross_entropy_with_logits")
def _binary_cross_entropy_with_logits(draw, smooth: bool, scalar: bool) -> Case:
    shape = draw(shapes())
    z = draw(arrays(shape, -5.0, 5.0) if smooth else arrays(shape, -60.0, 60.0))
    y = draw(_targets(shape))
    differentiable = draw(st.sampled_from([[True, True], [True, False]]))
    return Case([z, y], differentiable, F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits)


@_oracle("cross_entropy")
def _cross_entropy(draw, smooth: bool, scalar: bool) -> Case:
    classes = draw(st.integers(1, 4))
    batch = draw(st.none() | st.integers(1, 4))  # None: one sample, 1-D logits
    logits_shape = (classes,) if batch is None else (batch, classes)
    logits = draw(arrays(logits_shape, -5.0, 5.0) if smooth else arrays(logits_shape, -30.0, 30.0))
    kind = draw(st.sampled_from(["labels", "one-hot", "probabilities", "unnormalized"]))
    labels = np.asarray(
        draw(
            st.lists(st.integers(0, classes - 1), min_size=1, max_size=1)
            if batch is None
            else st.lists(st.integers(0, classes - 1), min_size=batch, max_size=batch)
        )
    )
    if batch is None:
        labels = labels.reshape(())
    if kind == "labels":
        return Case(
            [logits, labels.astype(np.int64)], [True, False], F.cross_entropy, TF.cross_entropy, {"targets": kind}
        )
    if kind == "one-hot":
        target = np.eye(classes)[labels]
    elif kind == "unnormalized":  # soft targets whose rows do not sum to 1: the gradient is p·Σy − y
        target = draw(arrays(logits_shape, 0.0, 2.0))
    else:
        raw = draw(arrays(logits_shape, 0.0, 1.0))
        target = raw / raw.sum(axis=-1, keepdims=True) if np.all(raw.sum(axis=-1) > 0) else np.eye(classes)[labels]
    differentiable = [True, draw(st.booleans())]
    return Case([logits, target], differentiable, F.cross_entropy, TF.cross_entropy, {"targets": kind})


# -- running a case in both libraries ---------------------------------------------------------------


def _gradviz_tensors(case: Case, dtype=None) -> list:
    nodes = []
    for x, differentiable in zip(case.inputs, case.differentiable, strict=True):
        array = np.asarray(x)
        if dtype is not None and array.dtype.kind == "f":
            array = array.astype(dtype)
        nodes.append(Tensor(array, dtype=array.dtype, requires_grad=differentiable))
    return nodes


def _torch_tensors(case: Case, dtype=None) -> list:
    tensors = []
    for x, differentiable in zip(case.inputs, case.differentiable, strict=True):
        tensor = torch.from_numpy(np.array(x))
        if dtype is not None and tensor.is_floating_point():
            tensor = tensor.to(dtype)
        tensors.append(tensor.requires_grad_(differentiable))
    return tensors


def _torch_result(case: Case, upstream_seed: int, dtype=None):
    tensors = _torch_tensors(case, dtype)
    out = case.torch(*tensors)
    upstream = np.random.default_rng(upstream_seed).uniform(-2.0, 2.0, tuple(out.shape))
    if out.requires_grad:
        (out * torch.from_numpy(upstream).to(out.dtype)).sum().backward()
    grads = [
        (t.grad.numpy() if t.grad is not None else np.zeros(t.shape)) if d else None
        for t, d in zip(tensors, case.differentiable, strict=True)
    ]
    return out.detach().numpy(), upstream, grads


def _gradviz_result(name: str, case: Case, upstream, dtype=None):
    nodes = _gradviz_tensors(case, dtype)
    out = case.gradviz(*nodes)
    assert out.op == name, f"the oracle for {name!r} produced op {out.op!r}"
    (out * Tensor(upstream.astype(out.dtype), dtype=out.dtype)).sum().backward()
    grads = [
        (n.grad if n.grad is not None else np.zeros(n.shape)) if d else None
        for n, d in zip(nodes, case.differentiable, strict=True)
    ]
    return out, nodes, grads


def _assert_close(actual, expected, what: str, rtol=RTOL, atol=ATOL) -> None:
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, torch {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


SCALAR_NAMES = sorted(o.name for o in OPS.values() if o.scalar)
# ops that Value also offers as a method taking the other inputs (leaky_relu's alpha is drawn, so not here)
VALUE_METHODS = {"exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "maximum", "minimum"}


def test_oracle_table_covers_every_registered_op():
    assert sorted(ORACLES) == sorted(OPS), (
        f"ops without an oracle: {sorted(set(OPS) - set(ORACLES))}; oracles for no op: {sorted(set(ORACLES) - set(OPS))}"
    )


@pytest.mark.parametrize("name", sorted(ORACLES))
@settings(max_examples=TORCH_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_op_matches_torch_value_and_vjp(name, data):
    case = data.draw(ORACLES[name](smooth=False, scalar=False), label="case")
    seed = data.draw(st.integers(0, 2**32 - 1), label="upstream seed")
    expected, upstream, expected_grads = _torch_result(case, seed)
    out, _, grads = _gradviz_result(name, case, upstream)
    _assert_close(out.data, expected, f"{name} forward", rtol=case.rtol)
    for i, (grad, expected_grad) in enumerate(zip(grads, expected_grads, strict=True)):
        if expected_grad is not None:
            _assert_close(grad, expected_grad, f"{name} gradient of input {i}", rtol=case.rtol)
            assert np.asarray(grad).dtype == np.float64


@pytest.mark.parametrize("name", sorted(ORACLES))
@settings(max_examples=GRADCHECK_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_op_gradient_matches_central_differences(name, data):
    case = data.draw(ORACLES[name](smooth=True, scalar=False), label="case")
    nodes = _gradviz_tensors(case)
    result = gradviz.gradcheck(case.gradviz, *nodes)
    assert result.ok, result.report()


def _values(case: Case) -> list:
    return [Value(float(x), requires_grad=d) for x, d in zip(case.inputs, case.differentiable, strict=True)]


@pytest.mark.parametrize("name", SCALAR_NAMES)
@settings(max_examples=SCALAR_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_scalar_op_matches_torch_traced_and_untraced(name, data):
    case = data.draw(ORACLES[name](smooth=False, scalar=True), label="case")
    upstream = data.draw(floats(-2.0, 2.0), label="upstream")
    tensors = _torch_tensors(case)
    expected = case.torch(*tensors)
    expected.backward(torch.tensor(upstream, dtype=torch.float64))

    nodes = _values(case)
    out = case.gradviz(*nodes)
    assert isinstance(out, Value) and out.op == name
    out.backward(upstream)
    _assert_close(out.data, expected.item(), f"{name} forward")
    grads = []
    for node, tensor, differentiable in zip(nodes, tensors, case.differentiable, strict=True):
        if differentiable:
            expected_grad = tensor.grad.item() if tensor.grad is not None else 0.0
            grad = node.grad if node.grad is not None else 0.0
            assert isinstance(grad, float)
            _assert_close(grad, expected_grad, f"{name} gradient")
            grads.append(grad)

    # Value's methods take a fast path of their own (not apply()); they must give the same numbers
    if name in VALUE_METHODS:
        method_nodes = _values(case)
        by_method = getattr(method_nodes[0], name)(*method_nodes[1:])
        assert by_method.op == name
        by_method.backward(upstream)
        method_grads = [n.grad if n.grad is not None else 0.0 for n in method_nodes]
        np.testing.assert_array_equal(by_method.data, out.data)
        np.testing.assert_array_equal([g for g, d in zip(method_grads, case.differentiable, strict=True) if d], grads)

    # the traced backward runs the general loop; it must give the same numbers as the fast one
    traced_nodes = _values(case)
    with gradviz.trace():
        traced = case.gradviz(*traced_nodes)
        traced.backward(upstream)
    traced_grads = [
        n.grad if n.grad is not None else 0.0 for n, d in zip(traced_nodes, case.differentiable, strict=True) if d
    ]
    np.testing.assert_array_equal(traced_grads, grads)


@pytest.mark.parametrize("name", SCALAR_NAMES)
@settings(max_examples=GRADCHECK_EXAMPLES, deadline=None)
@given(data=st.data())
def test_scalar_op_gradient_matches_central_differences(name, data):
    case = data.draw(ORACLES[name](smooth=True, scalar=True), label="case")
    result = gradviz.gradcheck(case.gradviz, *_values(case))
    assert result.ok, result.report()


# -- float32 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ORACLES))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_float32_inputs_keep_float32_data_and_gradients(name, data):
    case = data.draw(ORACLES[name](smooth=False, scalar=False), label="case")
    seed = data.draw(st.integers(0, 2**32 - 1), label="upstream seed")
    expected, upstream, expected_grads = _torch_result(case, seed, dtype=torch.float32)
    out, nodes, grads = _gradviz_result(name, case, upstream, dtype=np.float32)
    assert out.dtype == np.float32
    _assert_close(out.data, expected, f"{name} forward (float32)", rtol=1e-4, atol=1e-5)
    for node, grad, expected_grad in zip(nodes, grads, expected_grads, strict=True):
        if expected_grad is not None:
            assert node.grad.dtype == np.float32
            _assert_close(grad, expected_grad, f"{name} gradient (float32)", rtol=1e-4, atol=1e-5)


# -- ties and kinks: gradviz follows torch's conventions -------------------------------------------


def _grads_both(gradviz_fn, torch_fn, *arrays_):
    nodes = [Tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays_]
    gradviz_fn(*nodes).sum().backward()
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays_]
    torch_fn(*tensors).sum().backward()
    return [n.grad for n in nodes], [t.grad.numpy() for t in tensors]


def test_max_and_min_reductions_share_the_gradient_among_ties_as_torch_amax():
    x = [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]
    for gradviz_fn, torch_fn in [
        (lambda t: t.max(axis=1), lambda t: torch.amax(t, dim=1)),
        (lambda t: t.min(axis=1), lambda t: torch.amin(t, dim=1)),
        (lambda t: t.max(), torch.amax),
    ]:
        (grad,), (expected,) = _grads_both(gradviz_fn, torch_fn, x)
        np.testing.assert_allclose(grad, expected)
    (grad,), _ = _grads_both(lambda t: t.max(axis=1), lambda t: torch.amax(t, dim=1), x)
    np.testing.assert_allclose(grad, [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_elementwise_maximum_and_minimum_split_a_tie_in_halves_as_torch():
    a, b = [1.0, 2.0, 3.0], [1.0, 5.0, 3.0]
    for gradviz_fn, torch_fn in [(F.maximum, torch.maximum), (F.minimum, torch.minimum)]:
        grads, expected = _grads_both(gradviz_fn, torch_fn, a, b)
        for grad, want in zip(grads, expected, strict=True):
            np.testing.assert_allclose(grad, want)
    grads, _ = _grads_both(F.maximum, torch.maximum, a, b)
    np.testing.assert_allclose(grads[0], [0.5, 0.0, 0.5])
    x, y = Value(2.0), Value(2.0)
    F.maximum(x, y).backward()
    assert (x.grad, y.grad) == (0.5, 0.5)


@pytest.mark.parametrize("name", ["relu", "abs"])
def test_relu_and_abs_have_zero_gradient_at_exactly_zero_as_torch(name):
    (grad,), (expected,) = _grads_both(getattr(F, name), getattr(torch, name), [0.0, -0.0, 1.0, -1.0])
    np.testing.assert_array_equal(grad, expected)
    np.testing.assert_array_equal(grad, [0.0, 0.0, 1.0, -1.0 if name == "abs" else 0.0])
    x = Value(0.0)
    getattr(F, name)(x).backward()
    assert x.grad == 0.0


def test_pow_with_exponent_zero_has_zero_gradient_at_a_zero_base_as_torch():
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0
    (grad,), (expected,) = _grads_both(lambda t: t**0.0, lambda t: t**0.0, [0.0, 2.0])
    np.testing.assert_array_equal(grad, expected)


def test_power_with_a_zero_exponent_or_base_matches_torch():
    a, b = [0.0, 0.0, 0.0, 2.0], [0.0, 2.0, 0.5, 0.0]
    grads, expected = _grads_both(lambda x, y: x**y, lambda x, y: x**y, a, b)
    np.testing.assert_array_equal(grads[0], expected[0])
    np.testing.assert_array_equal(grads[1], expected[1])


def test_binary_cross_entropy_target_gradient_at_saturated_probabilities_is_that_of_the_clamped_loss():
    # The loss is −mean(y·max(ln p, −100) + (1 − y)·max(ln(1 − p), −100)), linear in y with slope
    # (max(ln(1 − p), −100) − max(ln p, −100))/n: finite at p = 0 and p = 1. torch 2.13 returns ∓inf
    # there (−logit(p) without the clamp its forward applies); gradviz returns the derivative of the
    # function it computes, which central differences confirm.
    p = Tensor([0.0, 1.0, 0.5])
    y = Tensor([0.3, 0.6, 0.2], requires_grad=True)
    F.binary_cross_entropy(p, y).backward()
    np.testing.assert_allclose(y.grad, [100.0 / 3, -100.0 / 3, 0.0], atol=1e-12)
    assert gradviz.gradcheck(lambda target: F.binary_cross_entropy(p, target), y).ok
