"""Tensor: construction, dtypes, broadcasting gradients, the array protocol and the worked example."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import Tensor


def test_worked_example_with_tensors():
    x = Tensor(-2.0, requires_grad=True, label="x")
    y = Tensor(5.0, requires_grad=True, label="y")
    z = Tensor(-4.0, requires_grad=True, label="z")
    q = x + y
    f = q * z
    assert q.item() == 3.0
    assert f.item() == -12.0
    f.backward()
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-4.0, -4.0, 3.0)
    assert q.grad.item() == -4.0
    assert x.grad.shape == () and isinstance(x.grad, np.ndarray)


def test_created_from_number_list_and_array():
    assert Tensor(3).shape == () and Tensor(3).item() == 3.0
    assert Tensor([1, 2, 3]).shape == (3,)
    assert Tensor([[1.0, 2.0], [3.0, 4.0]]).shape == (2, 2)
    array = np.arange(6.0).reshape(2, 3)
    t = Tensor(array)
    np.testing.assert_array_equal(t.data, array)
    assert isinstance(t.data, np.ndarray)


def test_float64_by_default_even_from_ints():
    assert Tensor(1).dtype == np.float64
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(np.arange(3)).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float16)).dtype == np.float64


def test_float32_on_request_and_kept_from_float32_arrays():
    assert Tensor([1, 2], dtype="float32").dtype == np.float32
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32


def test_float32_stays_float32_through_ops_and_gradients():
    a = Tensor(np.ones((2, 3)), dtype="float32", requires_grad=True)
    b = Tensor([1.0, 2.0, 3.0], dtype="float32", requires_grad=True)
    W = Tensor(np.full((3, 2), 0.5), dtype="float32", requires_grad=True)
    h = ((a * b + 1) / 2 - 0.25) ** 2
    out = (h.tanh().exp().sigmoid() @ W).relu().mean()
    assert h.dtype == np.float32
    assert out.dtype == np.float32
    out.backward()
    assert a.grad.dtype == np.float32
    assert b.grad.dtype == np.float32
    assert W.grad.dtype == np.float32


def test_integer_tensors_hold_labels_but_cannot_require_grad():
    labels = Tensor([0, 2, 1], dtype="int64")
    assert labels.dtype == np.int64
    assert not labels.requires_grad
    with pytest.raises(TypeError, match=r"only floating-point tensors can require gradients.*dtype int64"):
        Tensor([0, 1], dtype="int64", requires_grad=True)


def test_requires_grad_is_off_by_default_and_on_when_asked():
    assert Tensor([1.0]).requires_grad is False
    w = Tensor([1.0], requires_grad=True)
    assert w.requires_grad is True
    assert (w * 2).requires_grad is True
    assert (Tensor([1.0]) * 2).requires_grad is False


def test_broadcast_gradients_are_reduced_to_each_input_shape():
    rng = np.random.default_rng(0)
    a = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    row = Tensor(rng.normal(size=(3,)), requires_grad=True)
    column = Tensor(rng.normal(size=(4, 1)), requires_grad=True)
    scalar = Tensor(2.0, requires_grad=True)
    out = (a * row + column) * scalar
    assert out.shape == (4, 3)
    out.sum().backward()
    assert a.grad.shape == (4, 3)
    assert row.grad.shape == (3,)
    assert column.grad.shape == (4, 1)
    assert scalar.grad.shape == ()
    np.testing.assert_allclose(a.grad, np.broadcast_to(row.data * scalar.data, (4, 3)))
    np.testing.assert_allclose(row.grad, (a.data * scalar.data).sum(axis=0))
    np.testing.assert_allclose(column.grad, np.full((4, 1), 3 * scalar.data))
    np.testing.assert_allclose(scalar.grad, (a.data * row.data + column.data).sum())


def test_attributes_shape_ndim_dtype_item_numpy():
    t = Tensor(np.arange(6.0).reshape(2, 3))
    assert t.shape == (2, 3)
    assert t.ndim == 2
    assert t.dtype == np.float64
    assert t.size == 6
    assert t.numpy() is t.data
    assert Tensor([[7.5]]).item() == 7.5
    with pytest.raises(ValueError, match=r"item\(\) needs a tensor with one element, this one has shape \(2, 3\)"):
        t.item()


def test_grad_is_none_then_an_ndarray_of_the_data_shape():
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    assert w.grad is None
    (w * 3).sum().backward()
    assert isinstance(w.grad, np.ndarray)
    np.testing.assert_array_equal(w.grad, np.full((2, 2), 3.0))


def test_np_asarray_uses_the_array_protocol():
    t = Tensor([1.0, 2.0])
    assert np.asarray(t) is t.data
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(np.array(t), [1.0, 2.0])


def test_detach_gives_a_leaf_without_grad_sharing_the_data():
    w = Tensor([1.0, 2.0], requires_grad=True)
    h = w * 2
    d = h.detach()
    assert d.requires_grad is False
    assert d.is_leaf
    np.testing.assert_array_equal(d.data, h.data)


def test_len_and_iteration_walk_the_first_axis():
    t = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    assert len(t) == 3
    rows = list(t)
    assert [r.shape for r in rows] == [(2,)] * 3
    np.testing.assert_array_equal(rows[2].data, [5.0, 6.0])
    sum(r.sum() for r in rows).backward()
    np.testing.assert_array_equal(t.grad, np.ones((3, 2)))
    with pytest.raises(TypeError, match=r"len\(\) of a 0-d tensor"):
        len(Tensor(1.0))


def test_repr_is_readable():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    w = Tensor([1.0], requires_grad=True, label="w")
    assert repr(w) == "Tensor([1.], requires_grad=True, label='w')"
    assert repr(Tensor([1.0], dtype="float32")) == "Tensor([1.], dtype=float32)"
    assert "op=mul" in repr(w * 2)
    assert "..." in repr(Tensor(np.zeros((100, 100))))  # large tensors are summarised


def test_numpy_array_on_the_left_of_mul_and_matmul():
    w = Tensor([[1.0], [2.0]], requires_grad=True)
    left = np.array([[3.0, 4.0]])
    product = left * w.T
    assert isinstance(product, Tensor)
    np.testing.assert_array_equal(product.data, [[3.0, 8.0]])
    out = left @ w
    assert isinstance(out, Tensor)
    np.testing.assert_array_equal(out.data, [[11.0]])
    out.backward()
    np.testing.assert_array_equal(w.grad, [[3.0], [4.0]])
    assert isinstance(np.array([1.0, 2.0]) + Tensor([1.0, 1.0]), Tensor)
    assert isinstance(np.array([1.0, 2.0]) - Tensor([1.0, 1.0]), Tensor)
    assert isinstance(np.array([1.0, 2.0]) / Tensor([1.0, 1.0]), Tensor)


# (name, function, expected gradient of sum(f(x)) at x = [0.5, 2.0])
ELEMENTWISE = [
    ("rsub", lambda x: 1 - x, lambda x: -np.ones_like(x)),
    ("rtruediv", lambda x: 2 / x, lambda x: -2 / x**2),
    ("pow", lambda x: x**3, lambda x: 3 * x**2),
    ("rpow", lambda x: 2**x, lambda x: 2**x * np.log(2)),
    ("neg", lambda x: -x, lambda x: -np.ones_like(x)),
    ("abs", lambda x: abs(x), lambda x: np.sign(x)),
    ("exp", lambda x: x.exp(), np.exp),
    ("log", lambda x: x.log(), lambda x: 1 / x),
    ("sqrt", lambda x: x.sqrt(), lambda x: 0.5 / np.sqrt(x)),
    ("sin", lambda x: x.sin(), np.cos),
    ("cos", lambda x: x.cos(), lambda x: -np.sin(x)),
    ("tanh", lambda x: x.tanh(), lambda x: 1 - np.tanh(x) ** 2),
    ("sigmoid", lambda x: x.sigmoid(), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    ("relu", lambda x: (x - 1).relu(), lambda x: (x > 1).astype(float)),
    ("leaky_relu", lambda x: (x - 1).leaky_relu(0.1), lambda x: np.where(x > 1, 1.0, 0.1)),
]


@pytest.mark.parametrize(("name", "fn", "expected"), ELEMENTWISE, ids=[c[0] for c in ELEMENTWISE])
def test_elementwise_tensor_op_gradient(name, fn, expected):
    x = Tensor([0.5, 2.0], requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_allclose(x.grad, expected(x.data), rtol=1e-12)


def test_reductions_reshape_transpose_and_indexing_route_gradients():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    out = x.sum(axis=0).sum() + x.mean() + x.max() + x.reshape(3, 2).T[0, 1] + x[1].min()
    out.backward()
    expected = np.ones((2, 3)) + 1 / 6
    expected[1, 2] += 1  # max
    expected[0, 2] += 1  # reshape(3, 2).T[0, 1] is element 2 of the flat array
    expected[1, 0] += 1  # min of row 1
    np.testing.assert_allclose(x.grad, expected)


@pytest.mark.parametrize("name", ["sum", "mean"])
def test_whole_sum_and_mean_record_the_same_node_as_the_general_reduction(name):
    from gradviz import no_grad

    x = Tensor([[1.0, -2.0], [3.0, 4.5]], requires_grad=True)
    fast, general = getattr(x, name)(), getattr(x, name)(axis=(0, 1))
    assert fast.op == general.op == name and fast.inputs == (x,) and fast.params == {"axis": None, "keepdims": False}
    assert fast.item() == general.item() and fast.shape == general.shape == ()
    fast.backward()
    expected = np.ones((2, 2)) / (4 if name == "mean" else 1)
    np.testing.assert_array_equal(x.grad, expected)
    with no_grad():
        untracked = getattr(x, name)()
    assert not untracked.requires_grad and untracked.inputs == () and untracked.op == ""
    assert not getattr(Tensor([1.0, 2.0]), name)().requires_grad
