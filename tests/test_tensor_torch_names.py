"""Tensor's PyTorch names, each against torch 2.13 on the same data: values, gradients, shapes and index dtypes.

dim=/keepdim= beside axis=/keepdims=, max(dim) → (values, indices), view, unsqueeze, squeeze, permute, t,
transpose(dim0, dim1), clamp, argmax/argmin, clone, numel, tolist, norm, requires_grad_, retain_grad,
register_hook, grad_fn, size(dim) and backward(gradient, retain_graph, create_graph, inputs).
"""

from __future__ import annotations

import gc
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import arrays, axes_for, axis_for, grid_arrays, permutations_of, shapes

import gradviz
import gradviz.engine as engine
from gradviz import Tensor, Value
from gradviz.errors import GradvizWarning, ShapeError

torch = pytest.importorskip("torch")
TF = torch.nn.functional

pytestmark = pytest.mark.torch

EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _both(array, requires_grad: bool = True):
    """The same float64 data as a gradviz Tensor and a torch tensor."""
    array = np.asarray(array, dtype=np.float64)
    return Tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)


def _backward_both(ours, theirs, seed: int = 0) -> None:
    """Back-propagate the same random upstream gradient through both results."""
    upstream = np.random.default_rng(seed).uniform(-2.0, 2.0, tuple(theirs.shape))
    (ours * Tensor(upstream)).sum().backward()
    (theirs * torch.from_numpy(upstream)).sum().backward()


def _same(ours, theirs, what: str = "") -> None:
    """Equal values and shapes (a gradviz Tensor or array against a torch tensor)."""
    actual = ours.data if isinstance(ours, Tensor) else np.asarray(ours)
    expected = theirs.detach().numpy()
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, torch {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12, err_msg=what)


def _dims_of(shape):
    """A dimension of `shape` as torch takes it (a 0-d tensor takes 0 and -1)."""
    sides = max(len(shape), 1)
    return st.integers(-sides, sides - 1)


def _coarse(shape):
    return grid_arrays(shape, step=0.5, span=3)  # few distinct values: ties on purpose


# -- dim= and keepdim= beside axis= and keepdims= ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sum", "mean"])
@EXAMPLES
@given(data=st.data())
def test_sum_and_mean_take_torchs_dim_and_keepdim_with_torchs_values_and_gradients(name, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    dim = data.draw(axes_for(len(shape), allow_none=False), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    x, tx = _both(data.draw(arrays(shape), label="x"))
    ours = getattr(x, name)(dim=dim, keepdim=keepdim)
    theirs = getattr(tx, name)(dim=dim, keepdim=keepdim)
    _same(ours, theirs, f"{name} value")
    np.testing.assert_array_equal(ours.data, getattr(x, name)(axis=dim, keepdims=keepdim).data)
    _backward_both(ours, theirs)
    _same(x.grad, tx.grad, f"{name} gradient")


@pytest.mark.parametrize("name", ["sum", "mean"])
def test_sum_and_mean_read_a_positional_dimension_and_keepdim_as_torch(name):
    x, tx = _both([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]])
    _same(getattr(x, name)(1, True), getattr(tx, name)(1, True))
    _same(getattr(x, name)(), getattr(tx, name)())
    _same(getattr(x, name)(dim=()), getattr(tx, name)(dim=()))  # torch: every dimension
    assert getattr(x, name)(axis=()).shape == (2, 3)  # numpy: none


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda x: x.sum(axis=0, dim=0), "axis=0 .numpy's name. and dim=0"),
        (lambda x: x.mean(keepdims=True, keepdim=True), "keepdims=True .* keepdim=True"),
        (lambda x: x.max(dim=0, axis=0), "axis=0 .* dim=0"),
        (lambda x: x.min(0, keepdims=True, keepdim=True), "keepdims=True .* keepdim=True"),
        (lambda x: x.softmax(axis=0, dim=0), "axis=0 .* dim=0"),
        (lambda x: x.log_softmax(axis=1, dim=1), "axis=1 .* dim=1"),
        (lambda x: x.argmax(dim=0, axis=0), "axis=0 .* dim=0"),
    ],
)
def test_numpys_and_torchs_name_for_the_same_argument_at_once_is_a_clear_type_error(call, names):
    with pytest.raises(TypeError, match=f"{names}.*give one of them"):
        call(Tensor([[1.0, 2.0], [3.0, 4.0]]))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@EXAMPLES
@given(data=st.data())
def test_softmax_and_log_softmax_take_dim_as_torch(name, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    dim = data.draw(axis_for(len(shape)), label="dim")
    x, tx = _both(data.draw(arrays(shape, -20.0, 20.0), label="x"))
    ours, theirs = getattr(x, name)(dim=dim), getattr(tx, name)(dim=dim)
    _same(ours, theirs, f"{name} value")
    np.testing.assert_array_equal(ours.data, getattr(x, name)(dim).data)  # positionally too
    _backward_both(ours, theirs)
    _same(x.grad, tx.grad, f"{name} gradient")


# -- max(dim) and min(dim): (values, indices) ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["max", "min"])
@EXAMPLES
@given(data=st.data())
def test_max_and_min_along_a_dim_give_values_and_int64_indices_with_torchs_gradient_even_at_ties(name, data):
    shape = data.draw(shapes(), label="shape")
    dim = data.draw(_dims_of(shape), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    positional = data.draw(st.booleans(), label="positional")
    x, tx = _both(data.draw(_coarse(shape), label="x"))
    ours = getattr(x, name)(dim, keepdim) if positional else getattr(x, name)(dim=dim, keepdim=keepdim)
    theirs = getattr(tx, name)(dim, keepdim)
    values, indices = ours
    assert type(ours).__name__ == name and ours._fields == ("values", "indices")
    assert ours.values is values and ours.indices is indices
    _same(values, theirs.values, f"{name} values")
    assert indices.dtype == np.int64 and not indices.requires_grad
    np.testing.assert_array_equal(indices.data, theirs.indices.numpy())
    _backward_both(values, theirs.values)
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())  # all of it to the element at the index, as torch


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_without_a_dim_or_with_axis_return_a_tensor_whose_ties_share_the_gradient(name):
    x, tx = _both([[1.0, 3.0, 3.0], [0.0, 3.0, 0.0]])
    whole = getattr(x, name)()
    assert isinstance(whole, Tensor)
    _same(whole, getattr(tx, name)())
    whole.backward()
    getattr(tx, name)().backward()
    _same(x.grad, tx.grad, "the whole tensor's extremum (ties share it)")

    x, tx = _both([[1.0, 3.0, 3.0], [0.0, 3.0, 0.0]])
    along = getattr(x, name)(axis=1)  # numpy's axis=: a Tensor, ties shared as torch.amax/amin
    assert isinstance(along, Tensor)
    theirs = getattr(torch, "a" + name)(tx, dim=1)
    _same(along, theirs)
    _backward_both(along, theirs)
    _same(x.grad, tx.grad, f"{name}(axis=1) against torch.a{name}")
    assert isinstance(getattr(x, name)(axis=(0, 1)), Tensor)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_of_another_tensor_are_elementwise_as_torch(name):
    (a, ta), (b, tb) = _both([1.0, 5.0, 2.0]), _both([3.0, 4.0, 2.0])
    ours, theirs = getattr(a, name)(b), getattr(ta, name)(tb)
    _same(ours, theirs)
    _backward_both(ours, theirs)
    _same(a.grad, ta.grad)
    _same(b.grad, tb.grad)


def test_max_along_a_dim_of_a_0d_tensor_and_refusals():
    x, tx = _both(3.0)
    values, indices = x.max(0)
    theirs = tx.max(0)
    _same(values, theirs.values)
    assert indices.shape == () and indices.item() == theirs.indices.item() == 0
    with pytest.raises(TypeError, match=r"one dimension \(an int\).*max\(axis=\(0, 1\)\)"):
        Tensor(np.ones((2, 2))).max(dim=(0, 1))
    with pytest.raises(ShapeError, match="length 0"):
        Tensor(np.ones((2, 0))).max(1)
    with pytest.raises(ShapeError, match=r"out of range.*\[-2, 1\]"):
        Tensor(np.ones((2, 2))).min(dim=2)


# -- shapes: view, unsqueeze, squeeze, permute, t, transpose(dim0, dim1) ---------------------------------------------


def _shape_case(call, torch_call, shape, data):
    x, tx = _both(data.draw(arrays(shape), label="x"))
    ours, theirs = call(x), torch_call(tx)
    _same(ours, theirs, "value")
    _backward_both(ours, theirs)
    _same(x.grad, tx.grad, "gradient")


@EXAMPLES
@given(data=st.data())
def test_view_and_unsqueeze_as_torch(data):
    shape = data.draw(shapes(), label="shape")
    size = math.prod(shape)
    _shape_case(lambda x: x.view(-1), lambda t: t.view(-1), shape, data)
    _shape_case(lambda x: x.view(size, 1), lambda t: t.view(size, 1), shape, data)
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)), label="dim")
    _shape_case(lambda x: x.unsqueeze(dim), lambda t: t.unsqueeze(dim), shape, data)


@EXAMPLES
@given(data=st.data())
def test_squeeze_drops_dimensions_of_length_one_and_keeps_a_named_one_that_is_not(data):
    shape = data.draw(shapes(max_side=2), label="shape")
    _shape_case(lambda x: x.squeeze(), lambda t: t.squeeze(), shape, data)
    if shape:
        dim = data.draw(axis_for(len(shape)), label="dim")
        _shape_case(lambda x: x.squeeze(dim), lambda t: t.squeeze(dim), shape, data)
        dims = tuple(sorted(set(data.draw(st.lists(axis_for(len(shape), allow_negative=False), max_size=3)))))
        _shape_case(lambda x: x.squeeze(dims), lambda t: t.squeeze(dims), shape, data)


@EXAMPLES
@given(data=st.data())
def test_permute_t_and_torchs_two_dim_transpose(data):
    shape = data.draw(shapes(), label="shape")
    if shape:
        order = data.draw(permutations_of(len(shape)), label="order")
        _shape_case(lambda x: x.permute(*order), lambda t: t.permute(*order), shape, data)
        _shape_case(lambda x: x.permute(order), lambda t: t.permute(order), shape, data)
        first, second = data.draw(axis_for(len(shape))), data.draw(axis_for(len(shape)))
        _shape_case(lambda x: x.transpose(first, second), lambda t: t.transpose(first, second), shape, data)
    if len(shape) <= 2:
        _shape_case(lambda x: x.t(), lambda t: t.t(), shape, data)


def test_transpose_with_a_tuple_keeps_numpys_meaning():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    np.testing.assert_array_equal(x.transpose((2, 0, 1)).data, x.data.transpose(2, 0, 1))
    np.testing.assert_array_equal(x.transpose().data, x.data.T)
    np.testing.assert_array_equal(x.transpose(0, 2, 1).data, x.data.transpose(0, 2, 1))


def test_shape_methods_refuse_what_torch_refuses_with_clear_errors():
    x = Tensor(np.ones((2, 3, 4)))
    with pytest.raises(ShapeError, match=r"at most 2 dimensions.*\(2, 3, 4\)"):
        x.t()
    with pytest.raises(ShapeError, match=r"all its 3 dimension\(s\), got 2"):
        x.permute(1, 0)
    with pytest.raises(ShapeError, match="appears twice"):
        x.permute(0, 0, 1)
    with pytest.raises(ShapeError, match=r"unsqueeze: dimension 4 is out of range for a tensor with 3 .*\[-4, 3\]"):
        x.unsqueeze(4)
    with pytest.raises(TypeError, match="shape only, not a dtype"):
        x.view(np.float32)


# -- clamp, argmax/argmin, clone, numel, tolist --------------------------------------------------------------------


@EXAMPLES
@given(data=st.data())
def test_clamp_as_torch_with_either_bound_or_both(data):
    shape = data.draw(shapes(), label="shape")
    low = data.draw(st.integers(-4, 4).map(lambda k: k * 0.5), label="low")
    high = low + data.draw(st.integers(0, 4).map(lambda k: k * 0.5), label="high")
    bounds = data.draw(st.sampled_from([{"min": low}, {"max": high}, {"min": low, "max": high}]), label="bounds")
    x, tx = _both(data.draw(_coarse(shape), label="x"))  # on the bounds too: torch passes the gradient there
    ours, theirs = x.clamp(**bounds), tx.clamp(**bounds)
    assert ours.op == "clip"
    _same(ours, theirs)
    _backward_both(ours, theirs)
    _same(x.grad, tx.grad)


def test_clamp_needs_a_bound_and_takes_numbers():
    with pytest.raises(ValueError, match="give min=, max= or both"):
        Tensor([1.0]).clamp()
    with pytest.raises(TypeError, match="maximum"):
        Tensor([1.0]).clamp(min=Tensor([0.0]))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@EXAMPLES
@given(data=st.data())
def test_argmax_and_argmin_give_torchs_int64_indices_first_at_ties(name, data):
    shape = data.draw(shapes(), label="shape")
    dim = data.draw(st.none() | _dims_of(shape), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    x, tx = _both(data.draw(_coarse(shape), label="x"), requires_grad=False)
    ours, theirs = getattr(x, name)(dim=dim, keepdim=keepdim), getattr(tx, name)(dim=dim, keepdim=keepdim)
    assert ours.dtype == np.int64 and theirs.dtype == torch.int64
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_clone_copies_the_data_and_passes_the_gradient_back_as_torch():
    x, tx = _both([[1.0, -2.0], [3.0, 0.5]])
    ours, theirs = x.clone(), tx.clone()
    assert ours.op == "clone" and not np.shares_memory(ours.data, x.data)
    ours.data[0, 0] = 100.0
    assert x.data[0, 0] == 1.0
    ours, theirs = x.clone() * x, tx.clone() * tx
    _backward_both(ours, theirs)
    _same(x.grad, tx.grad)
    assert x.clone().grad_fn.name() == tx.clone().grad_fn.name() == "CloneBackward0"


def test_numel_and_tolist_as_torch():
    for array in ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], 2.5, [[[1.0]]]):
        x, tx = _both(array, requires_grad=False)
        assert x.numel() == tx.numel()
        assert x.tolist() == tx.tolist()


# -- norm -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [2, "fro", 1, 3, 1.5, math.inf, -math.inf, 0])
@EXAMPLES
@given(data=st.data())
def test_norm_matches_torch_values_and_gradients_zero_rows_included(p, data):
    shape = data.draw(shapes(min_dims=1), label="shape")
    dim = data.draw(st.none() | axes_for(len(shape), allow_none=False), label="dim")
    if p == "fro" and isinstance(dim, tuple) and len(dim) > 2:
        dim = dim[:2]  # torch's 'fro' takes at most two dimensions (gradviz takes more: the same sum of squares)
    keepdim = data.draw(st.booleans(), label="keepdim")
    values = data.draw(_coarse(shape) if p in (math.inf, -math.inf, 0) else arrays(shape), label="x")
    # |x|^p of a tiny |x| underflows to 0 (the norm is computed as written, (Σ|x|^p)^(1/p)): such values are 0 here
    values = np.where(np.abs(values) < 1e-3, 0.0, values)
    if data.draw(st.booleans(), label="a zero slice"):
        values = values.copy()
        values[0] = 0.0  # a zero norm: torch's gradient there is 0, not nan
    x, tx = _both(values)
    ours = x.norm(p, dim=dim, keepdim=keepdim)
    theirs = tx.norm(p, dim=dim, keepdim=keepdim)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert ours.shape == tuple(theirs.shape)
    _backward_both(ours, theirs)
    expected = tx.grad.numpy() if tx.grad is not None else np.zeros(shape)  # p = 0: torch sends no gradient
    np.testing.assert_allclose(x.grad, expected, rtol=1e-9, atol=1e-12)


def test_norm_refuses_what_it_cannot_differentiate_honestly():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="nuclear norm"):
        x.norm("nuc")
    with pytest.raises(ValueError, match="p ≥ 1"):
        x.norm(0.5)
    with pytest.raises(TypeError, match="a number or 'fro'"):
        x.norm(None)


# -- size ---------------------------------------------------------------------------------------------------------


@EXAMPLES
@given(shape=shapes())
def test_size_is_the_element_count_and_called_is_torchs_size(shape):
    x, tx = Tensor(np.zeros(shape)), torch.zeros(shape, dtype=torch.float64)
    assert x.size == tx.numel() == int(np.prod(shape))
    assert isinstance(x.size, int) and x.size + 0 == x.size
    assert x.size() == tuple(tx.size()) == tx.size()
    for dim in range(-len(shape), len(shape)):
        assert x.size(dim) == tx.size(dim)
    with pytest.raises(ShapeError, match="out of range"):
        x.size(max(len(shape), 1))


# -- requires_grad_, retain_grad, grad_fn ------------------------------------------------------------------------


def test_requires_grad_switches_a_leaf_and_returns_it_and_refuses_a_computed_tensor():
    w = Tensor([1.0, 2.0])
    assert w.requires_grad_() is w and w.requires_grad
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])
    assert w.requires_grad_(False) is w and not w.requires_grad
    with pytest.raises(RuntimeError, match="only a leaf's requires_grad can change.*detach"):
        (Tensor([1.0], requires_grad=True) * 2).requires_grad_()
    with pytest.raises(TypeError, match="floating-point"):
        Tensor(np.array([1, 2]), dtype=np.int64).requires_grad_()


def test_retain_grad_changes_nothing_an_intermediate_keeps_its_gradient_as_torchs_retained_one():
    x, tx = _both([1.0, -2.0, 3.0])
    h, th = x * x, tx * tx
    assert h.retain_grad() is None
    th.retain_grad()
    _backward_both(h.exp(), th.exp())
    _same(h.grad, th.grad)
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).retain_grad()


def _graph_pairs():
    a, b = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]), np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 1.0]])
    v, labels = np.array([1.0, -2.0, 0.5]), np.array([2, 0])
    return [
        ("add", lambda x: x + 1.0),
        ("sub", lambda x: x - 1.0),
        ("mul", lambda x: x * 2.0),
        ("div", lambda x: x / 2.0),
        ("neg", lambda x: -x),
        ("pow", lambda x: x**2),
        ("power", lambda x: abs(x) ** x),
        ("exp", lambda x: x.exp()),
        ("log", lambda x: abs(x).log()),
        ("sqrt", lambda x: abs(x).sqrt()),
        ("abs", lambda x: abs(x)),
        ("sin", lambda x: x.sin()),
        ("cos", lambda x: x.cos()),
        ("tanh", lambda x: x.tanh()),
        ("sigmoid", lambda x: x.sigmoid()),
        ("relu", lambda x: x.relu()),
        ("maximum", lambda x: x.max(x * 2.0)),
        ("clamp", lambda x: x.clamp(0.0, 1.0)),
        ("matmul 2-d", lambda x: x @ (x.t() if isinstance(x, Tensor) else x.t())),
        ("matmul mv", lambda x: x @ _constant(x, v)),
        ("matmul dot", lambda x: x[0] @ _constant(x, v)),
        ("matmul vm", lambda x: _constant(x, a[0, :2]) @ x),
        ("matmul batched", lambda x: x.unsqueeze(0) @ _constant(x, b)),
        ("sum", lambda x: x.sum()),
        ("sum dim", lambda x: x.sum(dim=1)),
        ("mean", lambda x: x.mean()),
        ("mean dim", lambda x: x.mean(dim=0)),
        ("max", lambda x: x.max()),
        ("min", lambda x: x.min()),
        ("view", lambda x: x.view(-1)),
        ("reshape", lambda x: x.reshape(3, 2)),
        ("permute", lambda x: x.permute(1, 0)),
        ("select", lambda x: x[0]),
        ("slice", lambda x: x[1:]),
        ("select then slice", lambda x: x[0, 1:]),
        ("slice then select", lambda x: x[:, 0]),
        ("index", lambda x: x[_index(x, [1, 0])]),
        ("newaxis", lambda x: x[None]),
        ("softmax", lambda x: x.softmax(dim=1)),
        ("log_softmax", lambda x: x.log_softmax(dim=1)),
        ("clone", lambda x: x.clone()),
        ("mse", lambda x: _loss(x, "mse_loss", _constant(x, a))),
        ("cross entropy, labels", lambda x: _loss(x, "cross_entropy", _index(x, labels))),
        ("leaky_relu", lambda x: x.leaky_relu() if isinstance(x, Tensor) else TF.leaky_relu(x)),
    ], a


def _constant(like, array):
    return Tensor(array) if isinstance(like, Tensor) else torch.tensor(array)


def _index(like, values):
    return np.asarray(values) if isinstance(like, Tensor) else torch.tensor(values)


def _loss(x, name: str, target):
    if isinstance(x, Tensor):
        return getattr(gradviz.functional, {"mse_loss": "mse"}.get(name, name))(x, target)
    return getattr(TF, name)(x, target)


@pytest.mark.parametrize("case", range(len(_graph_pairs()[0])), ids=[name for name, _ in _graph_pairs()[0]])
def test_grad_fn_names_the_backward_function_as_torch_does(case):
    (what, call), a = _graph_pairs()[0][case], _graph_pairs()[1]
    x, tx = _both(a)
    ours, theirs = call(x), call(tx)
    assert ours.grad_fn.name() == theirs.grad_fn.name(), what


def test_grad_fn_is_none_for_a_leaf_and_next_functions_mirror_torchs_structure():
    x, tx = _both([1.0, 2.0])
    c, tc = _both([3.0, 4.0], requires_grad=False)
    assert x.grad_fn is None and c.grad_fn is None and tx.grad_fn is None
    ours, theirs = ((x * c).exp() + x).sum(), ((tx * tc).exp() + tx).sum()

    def walk(fn):
        if fn is None:
            return None
        return (fn.name(), tuple(walk(f) for f, _ in fn.next_functions))

    assert walk(ours.grad_fn) == walk(theirs.grad_fn)
    leaf = ours.grad_fn.next_functions[0][0].next_functions[1][0]
    assert leaf.variable is x and all(index == 0 for _, index in ours.grad_fn.next_functions)
    assert ours.grad_fn == ours.grad_fn and hash(ours.grad_fn) == hash(ours.grad_fn)


# -- register_hook --------------------------------------------------------------------------------------------------


def test_a_hook_on_an_intermediate_tensor_changes_the_gradient_that_flows_on_as_torch():
    x, tx = _both([1.0, -2.0, 3.0])
    h, th = x * 2.0, tx * 2.0
    seen, seen_torch = [], []
    h.register_hook(lambda g: seen.append(g.data.copy()) or g * 3.0)
    th.register_hook(lambda g: seen_torch.append(g.numpy().copy()) or g * 3.0)
    h.register_hook(lambda g: g + 1.0)  # the second hook gets the first one's result
    th.register_hook(lambda g: g + 1.0)
    th.retain_grad()  # torch keeps a non-leaf's .grad only when asked (after its hooks); gradviz always
    _backward_both((h * h).sum(), (th * th).sum())
    np.testing.assert_allclose(seen[0], seen_torch[0])
    _same(x.grad, tx.grad)
    _same(h.grad, th.grad)


def test_a_leaf_hook_sees_each_passs_gradient_and_its_result_accumulates_as_torch():
    x, tx = _both([1.0, 2.0])
    seen, seen_torch = [], []
    x.register_hook(lambda g: seen.append(g.data.copy()) or g * 10.0)
    tx.register_hook(lambda g: seen_torch.append(g.numpy().copy()) or g * 10.0)
    for _ in range(2):
        (x * x).sum().backward()
        (tx * tx).sum().backward()
    np.testing.assert_allclose(seen, seen_torch)  # this pass's gradient, not the accumulated .grad
    _same(x.grad, tx.grad)
    root = (x * 3.0).sum()
    root_seen = []
    root.register_hook(lambda g: root_seen.append(g.item()))
    root.backward()
    assert root_seen == [1.0]


def test_a_hooks_handle_removes_it_and_the_count_of_hooks_goes_back_to_zero():
    start = engine.HOOKS[0]
    x = Tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 0.0)
    assert engine.HOOKS[0] == start + 1
    handle.remove()
    handle.remove()  # a second remove does nothing
    assert engine.HOOKS[0] == start
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    with x.register_hook(lambda g: g * 0.0):
        assert engine.HOOKS[0] == start + 1
    assert engine.HOOKS[0] == start
    y = Tensor([1.0], requires_grad=True)
    y.register_hook(lambda g: None)
    z = Tensor([1.0], requires_grad=True)
    z.register_hook(lambda g, tensor=z: print(tensor.shape))  # a hook holding its own tensor does not keep it
    kept = z.register_hook(lambda g: None)
    del y, z
    gc.collect()
    assert engine.HOOKS[0] == start  # a collected tensor's hooks no longer count
    kept.remove()  # after the tensor is gone: nothing to count down
    assert engine.HOOKS[0] == start


def test_without_hooks_backward_keeps_its_fast_loop(monkeypatch):
    def general(*args, **kwargs):
        raise AssertionError("the general loop ran although no hook is registered")

    monkeypatch.setattr(engine, "_backward_general", general)
    gc.collect()  # hooked tensors of earlier tests, if a cycle still holds them
    assert engine.HOOKS[0] == 0
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_hooks_run_in_anomaly_mode_and_refuse_a_wrong_shape_or_an_unhookable_tensor():
    x, tx = _both([1.0, 2.0])
    x.register_hook(lambda g: g * 2.0)
    tx.register_hook(lambda g: g * 2.0)
    with gradviz.detect_anomaly():
        (x * x).sum().backward()
    (tx * tx).sum().backward()
    _same(x.grad, tx.grad)

    h = Tensor([1.0, 2.0], requires_grad=True) * 2.0
    h.register_hook(lambda g: np.zeros(3))
    with pytest.raises(ShapeError, match=r"returned a gradient of shape \(3,\).*shape \(2,\)"):
        h.sum().backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).register_hook(lambda g: g)
    with pytest.raises(TypeError, match="function of the gradient"):
        Tensor([1.0], requires_grad=True).register_hook(3)


def test_the_gradient_a_hook_receives_is_read_only():
    h = Tensor([1.0, 2.0], requires_grad=True) * 2.0

    def in_place(g):
        g.data[0] = 0.0

    h.register_hook(in_place)
    with pytest.raises(ValueError, match="read-only"):
        h.sum().backward()


def test_a_hook_that_changes_a_gradient_inside_a_trace_warns_that_the_steps_show_it_unchanged():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2.0
    h.register_hook(lambda g: g * 5.0)
    with pytest.warns(GradvizWarning, match="before the hook's change"), gradviz.trace():
        h.sum().backward()
    np.testing.assert_array_equal(x.grad, [10.0, 10.0])
    x.grad = None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h.sum().backward()  # outside a trace: nothing to warn about


# -- backward(gradient, retain_graph, create_graph, inputs) ------------------------------------------------------


def test_backward_takes_torchs_arguments_in_torchs_order():
    x, tx = _both([1.0, 2.0, 3.0])
    upstream = np.array([0.5, -1.0, 2.0])
    y, ty = x * x, tx * tx
    y.backward(upstream, True)  # positional: gradient, retain_graph
    ty.backward(torch.from_numpy(upstream), True)
    y.backward(Tensor(upstream), retain_graph=False)  # gradviz keeps the graph either way
    ty.backward(torch.from_numpy(upstream))
    _same(x.grad, tx.grad)
    with pytest.raises(NotImplementedError, match="create_graph=True.*second derivatives"):
        y.backward(upstream, create_graph=True)


def test_backward_inputs_accumulates_only_into_the_tensors_named_as_torch():
    (x, tx), (w, tw), (u, tu) = _both([1.0, 2.0]), _both([3.0, 4.0]), _both([5.0, 6.0])
    w.grad, tw.grad = np.array([1.0, 1.0]), torch.tensor([1.0, 1.0], dtype=torch.float64)
    (x * w).sum().backward(inputs=[x])
    (tx * tw).sum().backward(inputs=[tx])
    _same(x.grad, tx.grad)
    _same(w.grad, tw.grad)  # untouched
    (x * w).sum().backward(inputs=x)  # one tensor, not a list
    (tx * tw).sum().backward(inputs=tx)
    _same(x.grad, tx.grad)
    (x * w).sum().backward(inputs=[u])  # not in the graph: nothing accumulates
    (tx * tw).sum().backward(inputs=[tu])
    assert u.grad is None and tu.grad is None
    _same(x.grad, tx.grad)

    x.grad, tx.grad = None, None
    h, th = x * w, tx * tw
    h.sum().backward(inputs=[h])  # a computed tensor gets its gradient; the leaves none
    th.sum().backward(inputs=[th])
    _same(h.grad, th.grad)
    assert x.grad is None and tx.grad is None

    with pytest.raises(RuntimeError, match="empty"):
        (x * w).sum().backward(inputs=[])
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * w).sum().backward(inputs=[Tensor([1.0, 2.0])])
    with pytest.raises(TypeError, match="a Tensor or a list of them"):
        (x * w).sum().backward(inputs=3)


def test_backward_inputs_leaves_the_hooks_of_the_other_leaves_alone_as_torch():
    (x, tx), (w, tw) = _both([1.0, 2.0]), _both([3.0, 4.0])
    calls, torch_calls = [], []
    w.register_hook(lambda g: calls.append("w"))
    tw.register_hook(lambda g: torch_calls.append("w"))
    x.register_hook(lambda g: calls.append("x") or g * 2.0)
    tx.register_hook(lambda g: torch_calls.append("x") or g * 2.0)
    (x * w).sum().backward(inputs=[x])
    (tx * tw).sum().backward(inputs=[tx])
    assert calls == torch_calls == ["x"]
    _same(x.grad, tx.grad)
    assert w.grad is None and tw.grad is None


def test_value_backward_takes_the_same_arguments():
    x, y = Value(2.0), Value(5.0)
    (x * y).backward(None, True, inputs=[y])
    assert (x.grad, y.grad) == (None, 2.0)
    (x * y).backward(retain_graph=False)
    assert (x.grad, y.grad) == (5.0, 4.0)
    with pytest.raises(NotImplementedError, match="create_graph"):
        (x * y).backward(create_graph=True)
    with pytest.raises(TypeError, match="not a Value"):
        (x * y).backward(inputs=[Tensor([1.0], requires_grad=True)])
