"""The backward semantics README.md states, one test each, for Value and Tensor."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import gradviz
from gradviz import Tensor, Value, enable_grad, is_grad_enabled, no_grad
from gradviz.engine import topological_order

# -- topological order ------------------------------------------------------------------------


def test_topological_order_puts_inputs_before_the_ops_that_use_them():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    f = q * z
    order = topological_order(f)
    assert order[-1] is f
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.inputs:
            if parent.requires_grad:
                assert position[id(parent)] < position[id(node)]
    assert {id(n) for n in order} == {id(n) for n in (x, y, z, q, f)}


def test_topological_order_skips_constants():
    x = Value(1.0)
    order = topological_order(x * 3 + 2)
    assert all(n.requires_grad for n in order)
    assert len(order) == 3


def _reused_through_a_longer_path(x):
    a = x * 2
    c = (a * 3) * 4  # a reaches f directly and through a longer path
    return a + c, a


@pytest.mark.parametrize(
    "make",
    [Value, lambda v: Tensor(v, requires_grad=True)],
    ids=["Value", "Tensor"],
)
def test_topological_order_holds_when_a_node_is_reused_through_a_longer_path(make):
    f, a = _reused_through_a_longer_path(make(1.0))
    order = topological_order(f)
    position = {id(n): i for i, n in enumerate(order)}
    assert all(position[id(p)] < position[id(n)] for n in order for p in n.inputs if p.requires_grad)


@pytest.mark.parametrize(
    "make",
    [Value, lambda v: Tensor(v, requires_grad=True)],
    ids=["Value", "Tensor"],
)
def test_node_reused_through_a_longer_path_receives_every_contribution(make):
    x = make(1.0)
    f, a = _reused_through_a_longer_path(x)
    f.backward()
    assert float(a.grad) == 1 + 12
    assert float(x.grad) == 2 * 13


@pytest.mark.slow
def test_chain_of_a_million_scalar_ops_backpropagates_without_recursion_error():
    x = Value(0.5, label="x")
    y = x
    gc.disable()  # a million short-lived nodes would trigger many needless collections
    try:
        for _ in range(1_000_000):
            y = -y  # a one-input op: no constant per step, so the chain builds fast
        y.backward()
    finally:
        gc.enable()
    assert x.grad == 1.0
    assert y.data == 0.5


@pytest.mark.slow
def test_chain_of_a_hundred_thousand_tensor_ops_backpropagates_without_recursion_error():
    x = Tensor([0.5, 1.5], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = -y
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    np.testing.assert_array_equal(y.data, [0.5, 1.5])


# -- a node used several times ----------------------------------------------------------------


def test_x_times_x_receives_both_contributions():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    t = Tensor([3.0, -1.0], requires_grad=True)
    (t * t).sum().backward()
    np.testing.assert_array_equal(t.grad, [6.0, -2.0])


def test_fan_out_node_receives_the_sum_of_its_contributions():
    x = Value(2.0, label="x")
    h = x * 3  # h feeds three ops
    f = h * 2 + h.tanh() + h**2
    f.backward()
    dh = 2 + (1 - np.tanh(6.0) ** 2) + 2 * 6.0
    assert h.grad == pytest.approx(dh)
    assert x.grad == pytest.approx(3 * dh)


def test_fan_out_tensor_receives_the_sum_of_its_contributions():
    w = Tensor([[1.0, -2.0]], requires_grad=True)
    h = w * 2
    f = (h + h * h + h.exp()).sum()
    f.backward()
    dh = 1 + 2 * h.data + np.exp(h.data)
    np.testing.assert_allclose(h.grad, dh)
    np.testing.assert_allclose(w.grad, 2 * dh)


# -- accumulation and reset -------------------------------------------------------------------


def test_leaf_gradients_accumulate_across_backward_calls():
    x = Value(3.0)
    (x * 2).backward()
    (x * 5).backward()
    assert x.grad == 7.0
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * 2).sum().backward()
    (w * 5).sum().backward()
    np.testing.assert_array_equal(w.grad, [7.0, 7.0])


def test_zero_grad_and_assigning_none_reset_leaf_gradients():
    x = Value(3.0)
    (x * 2).backward()
    x.zero_grad()
    assert x.grad is None
    (x * 5).backward()
    assert x.grad == 5.0
    x.grad = None
    (x * 4).backward()
    assert x.grad == 4.0
    w = Tensor([1.0], requires_grad=True)
    (w * 2).sum().backward()
    w.zero_grad()
    assert w.grad is None
    (w * 5).sum().backward()
    np.testing.assert_array_equal(w.grad, [5.0])


def _fan_out_graph(x, y):
    h = x * y  # an intermediate used twice
    return h * h + (h * 0.5).tanh(), h


def test_second_backward_gives_leaves_exactly_twice_and_intermediates_the_same():
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    f, h = _fan_out_graph(x, y)
    f.backward()
    once = (x.grad, y.grad, h.grad, f.grad)
    f.backward()
    assert x.grad == pytest.approx(2 * once[0], rel=1e-15)
    assert y.grad == pytest.approx(2 * once[1], rel=1e-15)
    assert h.grad == once[2]  # recomputed, not accumulated
    assert f.grad == once[3] == 1.0


def test_second_tensor_backward_gives_leaves_exactly_twice_and_intermediates_the_same():
    x = Tensor([0.7, 0.2], requires_grad=True)
    y = Tensor([[-1.3], [0.4]], requires_grad=True)
    f, h = _fan_out_graph(x, y)
    loss = f.sum()
    loss.backward()
    once = (x.grad.copy(), y.grad.copy(), h.grad.copy())
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * once[0], rtol=1e-15)
    np.testing.assert_allclose(y.grad, 2 * once[1], rtol=1e-15)
    np.testing.assert_array_equal(h.grad, once[2])


def test_backward_from_two_outputs_sharing_an_intermediate_adds_up_at_the_leaves():
    x = Value(2.0)
    h = x * x
    (h * 3).backward()
    (h * 5).backward()
    assert h.grad == 5.0  # the last pass's ∂/∂h only
    assert x.grad == (3 + 5) * 2 * 2.0


def test_grad_is_none_before_any_backward():
    x = Value(1.0)
    h = x * 2
    assert x.grad is None and h.grad is None
    w = Tensor([1.0], requires_grad=True)
    assert w.grad is None


def test_leaf_gradient_is_a_writable_array_of_its_own():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.sum().backward()  # sum's gradient broadcasts: a read-only view inside the engine
    x.grad += 1.0
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    a = Tensor([1.0], requires_grad=True)
    b = Tensor([1.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad += 1.0
    np.testing.assert_array_equal(b.grad, [1.0])


def test_leaf_gradient_does_not_alias_the_array_passed_to_backward():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    upstream = np.ones(3)
    w.backward(upstream)
    upstream[0] = 100.0
    np.testing.assert_array_equal(w.grad, [1.0, 1.0, 1.0])


# -- non-scalar outputs -----------------------------------------------------------------------


def test_backward_on_non_scalar_tensor_needs_a_gradient():
    y = Tensor([1.0, 2.0], requires_grad=True, label="y") * 2
    with pytest.raises(
        RuntimeError, match=r"backward\(\) on a Tensor of shape \(2,\) needs a gradient argument"
    ) as info:
        y.backward()
    assert ".sum().backward()" in str(info.value)


def test_backward_on_non_scalar_tensor_with_a_gradient_is_a_vector_jacobian_product():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.backward(np.array([10.0, 100.0]))
    np.testing.assert_array_equal(x.grad, [20.0, 400.0])


def test_backward_gradient_of_wrong_shape_is_refused():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(gradviz.ShapeError, match=r"the gradient has shape \(3,\) but the Tensor has shape \(2,\)"):
        y.backward(np.ones(3))


def test_backward_on_one_element_tensor_of_any_rank_needs_no_gradient():
    x = Tensor([[2.0]], requires_grad=True)
    (x * 3).backward()
    np.testing.assert_array_equal(x.grad, [[3.0]])


# -- no_grad, requires_grad=False, enable_grad ------------------------------------------------


def test_no_grad_records_nothing():
    x = Value(2.0)
    w = Tensor([1.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 3 + 1
        v = (w * 2).sum()
    assert is_grad_enabled()
    assert y.data == 7.0 and not y.requires_grad and y.inputs == () and y.op == ""
    assert not v.requires_grad and v.inputs == ()


def test_backward_through_a_graph_built_under_no_grad_explains_why_it_cannot():
    x = Value(2.0)
    with no_grad():
        y = x * 3
    with pytest.raises(
        RuntimeError, match=r"does not require grad, so no graph was recorded.*inside gradviz\.no_grad\(\)"
    ):
        y.backward()
    w = Tensor([1.0], requires_grad=True)
    with no_grad():
        loss = (w * 2).sum()
    with pytest.raises(RuntimeError, match=r"no graph was recorded for it"):
        loss.backward()
    assert x.grad is None and w.grad is None


def test_leaves_with_requires_grad_false_record_nothing():
    a = Value(2.0, requires_grad=False)
    b = a * 3
    assert not b.requires_grad and b.inputs == ()
    t = Tensor([1.0, 2.0])
    u = (t * 2).exp()
    assert not u.requires_grad and u.inputs == ()
    with pytest.raises(RuntimeError, match=r"none of its inputs requires grad"):
        u.sum().backward()


def test_mixing_constant_and_grad_leaves_differentiates_only_the_grad_leaves():
    x = Value(2.0)
    c = Value(5.0, requires_grad=False)
    (x * c).backward()
    assert x.grad == 5.0
    assert c.grad is None


def test_enable_grad_records_again_inside_no_grad():
    x = Value(2.0)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            y = x * 3
        z = x * 3
        assert not is_grad_enabled()
    assert y.requires_grad and not z.requires_grad
    y.backward()
    assert x.grad == 3.0


def test_no_grad_restores_recording_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            raise ZeroDivisionError
    assert is_grad_enabled()
    assert (Value(1.0) * 2).requires_grad


# -- the general loop (trace/anomaly) must agree with the fast loops --------------------------


def _value_graph():
    x, y = Value(0.3, label="x"), Value(-1.1, label="y")
    h = x * y + x.sigmoid()
    f = (h * h).tanh() + (x / y).exp() + y.maximum(x) - x.leaky_relu(0.2) + x**2.5 + 2**y
    return f, (x, y)


def _tensor_graph():
    rng = np.random.default_rng(1)
    X = Tensor(rng.normal(size=(5, 3)))
    W = Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    b = Tensor(rng.normal(size=(4,)), requires_grad=True)
    h = (X @ W + b).tanh()
    f = (h * h).sum(axis=1).mean() + h.softmax().max() + h.reshape(4, 5).T[1:3].sum()
    return f, (W, b)


@pytest.mark.parametrize("build", [_value_graph, _tensor_graph], ids=["Value", "Tensor"])
def test_recording_a_trace_or_detecting_anomalies_does_not_change_gradients(build):
    f, leaves = build()
    f.backward()
    fast = [np.copy(leaf.grad) for leaf in leaves]
    for context in (gradviz.trace, gradviz.detect_anomaly):
        f, leaves = build()
        with context():
            f.backward()
        for leaf, expected in zip(leaves, fast, strict=True):
            np.testing.assert_allclose(leaf.grad, expected, rtol=1e-13)


# -- data changed in place after it was recorded (PyTorch's version counter) ------------------------------------

CHANGED = "changed in place"


def test_a_leaf_changed_in_place_between_forward_and_backward_is_refused_with_its_name():
    w = Value(3.0, label="w")
    loss = w * w
    loss.label = "L"
    with no_grad():
        w -= 1
    with pytest.raises(RuntimeError, match=r"backward\(\): w was changed in place .* after L = w · w was computed"):
        loss.backward()
    assert w.grad is None  # nothing was half-accumulated


def test_a_tensor_changed_in_place_between_forward_and_backward_is_refused():
    w = Tensor([1.0, 2.0], requires_grad=True, label="w")
    y = (w * w).sum()
    with no_grad():
        w -= 1
    with pytest.raises(RuntimeError, match=f"w was {CHANGED}"):
        y.backward()


def test_torch_refuses_the_same_change_so_gradviz_is_not_stricter_here():
    torch = pytest.importorskip("torch")
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    with torch.no_grad():
        w -= 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


@pytest.mark.parametrize(
    "make", [lambda: Value(0.5, label="w"), lambda: Tensor([0.5, -1.0], requires_grad=True, label="w")]
)
def test_an_optimizer_step_between_forward_and_backward_is_refused(make):
    w = make()
    opt = gradviz.optim.SGD([w], lr=0.1)
    loss = (w * w).sum() if isinstance(w, Tensor) else w * w
    loss.backward()
    loss2 = (w * 3.0).sum() if isinstance(w, Tensor) else w * 3.0
    opt.step()
    with pytest.raises(RuntimeError, match=f"w was {CHANGED}"):
        loss2.backward()


def test_the_usual_loop_forward_backward_step_runs_for_many_iterations():
    w = Tensor([0.5, -1.0], requires_grad=True, label="w")
    opt = gradviz.optim.SGD([w], lr=0.1)
    for _ in range(60):
        opt.zero_grad()
        loss = ((w - 2.0) * (w - 2.0)).sum()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.data, [2.0, 2.0], atol=1e-4)


def test_a_change_made_before_the_forward_pass_is_fine():
    w = Value(3.0, label="w")
    with no_grad():
        w -= 1
    loss = w * w
    loss.backward()
    assert w.grad == 4.0


def test_an_intermediate_changed_in_place_is_refused_at_its_consumer():
    x = Value(0.5, label="x")
    h = x.tanh()
    h.label = "h"
    y = h * 2.0
    with no_grad():
        h += 1
    with pytest.raises(RuntimeError, match=f"h was {CHANGED}"):
        y.backward()


def test_load_state_dict_after_the_forward_pass_is_refused():
    layer = gradviz.nn.Linear(2, 1)
    out = layer(Tensor([[1.0, 2.0]])).sum()
    layer.load_state_dict({k: np.zeros_like(v) for k, v in layer.state_dict().items()})
    with pytest.raises(RuntimeError, match=CHANGED):
        out.backward()


def test_changing_dot_data_directly_is_not_tracked_as_in_pytorch():
    # `.data` is the escape hatch in both libraries: numerical checks perturb it and put it back
    w = Value(3.0, label="w")
    loss = w * w
    w.data = 3.0
    loss.backward()
    assert w.grad == 6.0


def test_a_weights_gradient_through_its_transpose_is_taken_without_a_copy_but_never_an_array_shared_elsewhere(
    monkeypatch,
):
    import gradviz.engine as engine
    from gradviz import nn

    taken = []
    real = engine._own
    monkeypatch.setattr(engine, "_own", lambda view: taken.append(real(view) is view.base) or real(view))
    layer = nn.Linear(5, 3, seed=0)
    x = Tensor(np.arange(10.0).reshape(2, 5))
    hidden = layer(x)  # x @ W.T + b
    (hidden * hidden).sum().backward()
    np.testing.assert_allclose(layer.weight.grad, (2 * hidden.data).T @ x.data, rtol=1e-12)
    assert layer.weight.grad.flags.c_contiguous and layer.weight.grad.base is None and taken == [True]
    # w.T.T: the view flowing to w is also another node's gradient (z's): copied, so w's is its own
    w = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    z = w.T.T
    (z * 2).sum().backward()
    assert taken[-1] is False and w.grad.base is None
    w.grad[:] = 0.0
    assert z.grad.tolist() == [[2.0] * 3] * 2


def test_one_node_as_both_inputs_of_a_symmetric_op_gets_both_gradients_computed_once():
    from gradviz.ops import OPS

    assert OPS["mul"].symmetric and OPS["add"].symmetric and not OPS["sub"].symmetric

    def gradients():
        x = Tensor(np.array([0.1, -2.0, 3.0]), requires_grad=True)
        y = Tensor(np.array([1.5, 2.5, -0.3]), requires_grad=True)
        z = y * y
        ((x * x).sum() * 3.0 + (x + x).sum() + (z + z).sum()).backward()
        return x.grad, y.grad, z.grad

    fast = gradients()
    with gradviz.detect_anomaly():  # the general loop, which computes each input's gradient on its own
        general = gradients()
    for ours, theirs in zip(fast, general, strict=True):
        np.testing.assert_array_equal(ours, theirs)  # bit for bit: the same numbers in the same order
    np.testing.assert_allclose(fast[0], 6.0 * np.array([0.1, -2.0, 3.0]) + 2.0, rtol=1e-15)
