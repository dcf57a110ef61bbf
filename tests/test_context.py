"""no_grad / enable_grad / is_grad_enabled and name scopes: what they switch, and that they always switch back."""

from __future__ import annotations

import threading

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


def test_a_scope_used_as_a_decorator_enters_afresh_on_every_call_and_recursive_calls_nest():
    seen = []

    @scope("block")
    def depth(k):
        seen.append(current_scope())
        if k:
            depth(k - 1)

    depth(2)
    assert seen == ["block", "block/block", "block/block/block"]
    assert current_scope() is None and not STATE.slow


def test_one_scope_object_entered_twice_in_turn_restores_each_time():
    layer = scope("layer")
    for _ in range(2):
        with layer as path:
            assert path == "layer" and (Value(1.0) * 2).scope == "layer"
        assert current_scope() is None
    with no_grad():
        with layer:
            assert not is_grad_enabled()  # a scope changes only the scope
    assert is_grad_enabled() and not STATE.slow


def test_one_context_manager_object_entered_inside_itself_unwinds_each_entry():
    layer, off = scope("layer"), no_grad()
    with layer, off:
        with layer as inner, off:
            assert inner == "layer/layer" and not is_grad_enabled()
        assert current_scope() == "layer" and not is_grad_enabled()
    assert current_scope() is None and is_grad_enabled() and not STATE.slow


def test_one_scope_object_shared_by_two_threads_leaves_each_threads_own_entry():
    layer = scope("layer")
    inside, leave, seen = threading.Event(), threading.Event(), {}

    def other():
        with layer:
            inside.set()
            leave.wait(10)
            seen["other"] = current_scope()
        seen["after"] = current_scope()

    worker = threading.Thread(target=other)
    with layer:
        worker.start()
        inside.wait(10)
    seen["main"] = current_scope()  # the main thread left its entry while the other thread was still inside
    leave.set()
    worker.join(10)
    assert seen == {"main": None, "other": "layer", "after": None}
    assert not STATE.slow


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


# -- one set of switches per thread (as PyTorch's grad mode) ---------------------------------------------------


def in_thread(work):
    """Run `work()` in a new thread and return what it returned (or raise what it raised)."""
    import threading

    result: dict = {}

    def run():
        try:
            result["value"] = work()
        except BaseException as error:  # noqa: BLE001 — handed back to the test
            result["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the thread did not finish"
    if "error" in result:
        raise result["error"]
    return result["value"]


def test_no_grad_in_one_thread_leaves_another_thread_recording_and_back_propagating():
    def worker():
        w = Value(3.0, label="w")
        loss = (w * w).tanh()
        loss.backward()
        return is_grad_enabled(), loss.requires_grad, w.grad

    with no_grad():
        enabled, requires_grad, grad = in_thread(worker)
        assert not is_grad_enabled()
    assert enabled and requires_grad
    assert grad == pytest.approx(6.0 * (1 - np.tanh(9.0) ** 2))


def test_interleaved_no_grad_blocks_of_two_threads_each_restore_their_own_mode():
    import threading

    inside, leave_first, done = threading.Event(), threading.Event(), threading.Event()

    def worker():
        with no_grad():  # enters after the main thread, leaves before it
            inside.set()
            leave_first.wait(10)
        done.set()
        return is_grad_enabled(), (Value(1.0) * 2).requires_grad

    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        with no_grad():
            future = pool.submit(worker)
            assert inside.wait(10)
            leave_first.set()
            assert done.wait(10)
            assert not is_grad_enabled()  # the worker leaving its block did not switch the main thread back on
        enabled, records = future.result(10)
    assert enabled and records
    assert is_grad_enabled() and (Value(1.0) * 2).requires_grad
    assert not STATE.slow


def test_a_scope_names_only_the_nodes_of_the_thread_that_opened_it():
    with scope("main"):
        assert in_thread(lambda: ((Value(1.0) * 2).scope, (Tensor([1.0]) * 2).scope, current_scope())) == (
            None,
            None,
            None,
        )
        assert (Value(1.0) * 2).scope == "main"
        assert in_thread(lambda: _scoped_in_thread()) == "worker"


def _scoped_in_thread():
    with scope("worker"):
        return (Value(1.0) * 2).scope


def test_a_thread_hammering_no_grad_never_switches_off_another_threads_recording():
    import threading

    stop = threading.Event()

    def toggler():
        while not stop.is_set():
            with no_grad():
                Value(1.0) * 2

    thread = threading.Thread(target=toggler)
    thread.start()
    try:
        for _ in range(20_000):
            a, b = Value(0.5), Value(-1.5)
            assert (a * b).tanh().requires_grad
    finally:
        stop.set()
        thread.join(10)
