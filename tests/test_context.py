"""no_grad / enable_grad / is_grad_enabled and name scopes: what they switch, and that they always switch back."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import Tensor, Value, enable_grad, is_grad_enabled, no_grad, scope
from gradviz._state import STATE
from gradviz.context import current_scope


def test_grad_is_enabled_by_default():
    assert is_grad_enabled()
    assert (Value(1.0) * 2).requires_grad


def test_no_grad_switches_recording_off_and_back_on():
    with no_grad():
        assert not is_grad_enabled()
        y = Value(1.0) * 2
        t = Tensor([1.0], requires_grad=True) * 2
    assert is_grad_enabled()
    assert not y.requires_grad and not t.requires_grad


def test_no_grad_keeps_the_leaves_requires_grad():
    w = Tensor([1.0], requires_grad=True)
    with no_grad():
        w.data -= 0.5  # the parameter update of an optimizer
    assert w.requires_grad
    np.testing.assert_array_equal(w.data, [0.5])


def test_no_grad_works_as_a_decorator():
    @no_grad()
    def evaluate(x):
        assert not is_grad_enabled()
        return x * 2

    assert not evaluate(Value(1.0)).requires_grad
    assert not evaluate(Value(1.0)).requires_grad  # the decorator can be used more than once
    assert is_grad_enabled()


def test_nested_no_grad_restores_the_outer_state():
    with no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_enable_grad_inside_no_grad_records_and_then_stops_again():
    x = Value(2.0)
    with no_grad():
        with enable_grad():
            assert is_grad_enabled()
            y = x * 3
        assert not is_grad_enabled()
    y.backward()
    assert x.grad == 3.0


def test_context_managers_restore_state_after_an_exception():
    for manager in (no_grad, enable_grad, lambda: scope("s")):
        with pytest.raises(KeyError):
            with manager():
                raise KeyError("boom")
    assert is_grad_enabled()
    assert current_scope() is None
    assert not STATE.slow  # the engine is back on its fast path


def test_scope_yields_its_full_name_and_tags_values_and_tensors():
    with scope("mlp") as outer:
        with scope("layer1") as inner:
            assert current_scope() == "mlp/layer1"
            h = (Value(1.0) * 2).relu()
            t = Tensor([1.0], requires_grad=True).tanh()
        assert current_scope() == "mlp"
    assert (outer, inner) == ("mlp", "mlp/layer1")
    assert h.scope == "mlp/layer1" and t.scope == "mlp/layer1"
    assert current_scope() is None


def test_nodes_created_outside_a_scope_have_none():
    assert (Value(1.0) * 2).scope is None


@pytest.mark.parametrize("name", ["", "a/b", 3, None])
def test_scope_name_must_be_a_non_empty_string_without_a_slash(name):
    with pytest.raises(ValueError, match=r"scope name must be a non-empty string without '/', got "):
        with scope(name):
            pass
    assert current_scope() is None


def test_scope_under_no_grad_still_records_nothing():
    with no_grad(), scope("eval"):
        y = Value(1.0) * 2
    assert not y.requires_grad and y.inputs == ()
