"""Frames of a trace are built when read: one frame of a long trace costs one replay and that frame, frames
built out of order equal frames built in order, memory stays bounded, and the sequence acts as a list."""

from __future__ import annotations

import gc
import pickle
import random
import threading
import tracemalloc

import numpy as np
import pytest
from viz_examples import check_golden, worked_example

from gradviz import Tensor, Value, nn, optim, trace
from gradviz.viz import Frames, frames
from gradviz.viz.frame import FrameNode, _Walkthrough


def chain(length: int):
    """y = x · 1.001 · 1.001 · … (`length` ops), traced forward and backward: the issue's long trace."""
    x = Value(1.0, label="x")
    with trace() as t:
        y = x
        for _ in range(length):
            y = y * 1.001
        y.backward()
    return t


def two_passes():
    """Two backward passes over one graph (intermediate gradients start again, the leaves' add up), a node used
    twice (w·w), and a second graph's pass that these frames leave out."""
    w, b = Value(2.0, label="w"), Value(-1.0, label="b")
    with trace() as t:
        (Value(1.0) * 3).backward()  # another graph: its frames are not these
        s = w * w + b
        s.label = "s"
        loss = s.tanh()
        loss.label = "L"
        loss.backward()
        loss.backward()
    return t


def mlp_steps():
    nn.manual_seed(0)
    model = nn.MLP(2, [3, 1])
    X = Tensor(np.random.RandomState(0).randn(4, 2))
    opt = optim.SGD(model.parameters(), lr=0.1)
    with trace() as t:
        for _ in range(2):
            opt.zero_grad()
            model(X).sum().backward()
            opt.step()
    return t


@pytest.fixture
def assembled(monkeypatch):
    """The indices of the frames assembled while the test runs, in order."""
    made: list[int] = []
    assemble = _Walkthrough._assemble

    def counting(self, k):
        made.append(k)
        return assemble(self, k)

    monkeypatch.setattr(_Walkthrough, "_assemble", counting)
    return made


def plain(frame) -> tuple:
    """A frame as nested plain data that == can compare (arrays as lists)."""

    def value(x):
        if isinstance(x, np.ndarray):
            return ("array", x.shape, x.tolist())
        if isinstance(x, tuple):
            return tuple(value(item) for item in x)
        return x

    return (
        frame.index,
        frame.kind,
        frame.step,
        frame.active,
        frame.active_edges,
        frame.pending,
        frame.caption,
        frame.equation,
        frame.latex,
        frame.output,
        frame.language,
        tuple(tuple(value(field) for field in node) for node in frame.nodes),
        tuple(tuple(value(field) for field in edge) for edge in frame.edges),
    )


def test_one_frame_of_a_long_trace_builds_only_that_frame(assembled):
    t = chain(400)
    made = frames(t)
    assert len(made) == 803 and assembled == []  # counting the frames builds none
    frame = made[401]
    assert assembled == [401]
    assert frame.kind == "backward" and frame.index == 401 and frame.step == 0
    assert made[-1].kind == "final" and assembled == [401, 802]
    assert made[401] is frame and assembled == [401, 802]  # read again: kept, not rebuilt


def test_a_slice_is_a_lazy_view_that_builds_only_what_is_read(assembled):
    made = frames(chain(300))
    tail = made[-10:]
    assert isinstance(tail, Frames) and len(tail) == 10 and assembled == []
    assert [frame.index for frame in tail[:3]] == [593, 594, 595]
    assert assembled == [593, 594, 595]
    assert tail[-1].kind == "final" and made[::100][2].index == 200


def test_frames_built_in_any_order_equal_frames_built_in_order():
    for t in (worked_example()[0], two_passes(), mlp_steps(), chain(30)):
        for mode in ("both", "forward", "backward"):
            in_order = [plain(frame) for frame in frames(t, mode=mode)]
            backwards = [plain(frame) for frame in reversed(frames(t, mode=mode))][::-1]
            assert backwards == in_order
            shuffled = frames(t, mode=mode)
            order = list(range(len(in_order)))
            random.Random(len(order)).shuffle(order)
            assert all(plain(shuffled[k]) == in_order[k] for k in order), mode


def test_two_passes_and_a_node_used_twice_keep_their_states_step_by_step():
    # the golden file was written by the eager frames() (every frame built in order) before frames became lazy
    lines = []
    for frame in frames(two_passes()):
        lines.append(f"## {frame.index} {frame.kind} step {frame.step} active {frame.active_label}: {frame.caption}")
        lines += [
            f"  {n.label}: {n.state}{' updated' if n.updated else ''} value={n.value} grad={n.grad} terms={n.grad_terms}"
            for n in frame.nodes
        ]
        lines += [
            f"  {frame.node(e.source).label}->{frame.node(e.target).label}#{e.position}: {e.state} "
            f"local={e.local} {e.local_text!r} upstream={e.upstream} contribution={e.contribution}"
            for e in frame.edges
        ]
    check_golden("two_passes_frame_states.txt", "\n".join(lines) + "\n")


def test_every_frame_held_shares_its_unchanged_node_records():
    t = chain(200)
    held = list(frames(t))
    nodes = len(held[0].nodes)
    assert len(held) == 403 and nodes == 401
    records = {id(node) for frame in held for node in frame.nodes}
    # eagerly built, every frame had its own 401 records (161,603); shared, a node gets a new record only
    # when its value, gradient or highlight changes
    assert len(records) < 6 * (nodes + len(held))


def test_reading_every_frame_without_holding_them_keeps_only_a_few_alive():
    made = frames(chain(300))
    for frame in made:
        assert frame.kind
    del frame
    gc.collect()
    walk = made._walk
    assert len(walk._alive) <= walk.KEEP


def test_one_frame_of_a_1000_op_trace_allocates_a_few_megabytes_not_gigabytes():
    t = chain(1000)
    _ = t.steps  # the trace's own replay is not the frames' cost
    gc.collect()
    tracemalloc.start()
    try:
        frame = frames(t)[1500]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert frame.kind == "backward" and len(frame.nodes) == 2001
    assert peak < 40e6, f"{peak / 1e6:.0f} MB"  # built eagerly: about 1 GB


def test_frames_act_as_a_list():
    t, _ = worked_example()
    made = frames(t)
    listed = list(made)
    assert made == listed and listed == made and made != listed[:-1]
    assert made[-1] is listed[6] and made[-7] is listed[0]
    assert made.index(listed[3]) == 3 and listed[2] in made and made.count(listed[1]) == 1
    together = []
    together += made
    assert len(together) == 7 and len(made + made) == 14 and len(listed + made) == 14
    assert made.language == "en" and repr(made).startswith("<Frames: 7 frames")
    copied = pickle.loads(pickle.dumps(made))
    assert isinstance(copied, list) and [f.caption for f in copied] == [f.caption for f in listed]


def test_a_frame_index_out_of_range_or_not_an_integer_says_what_there_is():
    made = frames(worked_example()[0])
    with pytest.raises(IndexError, match="there are 7 frames, 0 to 6"):
        made[7]
    with pytest.raises(IndexError, match="there are 7 frames"):
        made[-8]
    with pytest.raises(TypeError, match="integers or slices, not str"):
        made["q"]
    assert made[np.int64(2)].index == 2


def test_two_threads_reading_the_same_frames_see_the_same_frames():
    t = chain(150)
    shared = frames(t)
    expected = list(frames(t))  # scalar frames: == compares every field
    seen: dict[str, list] = {}

    def read(name, order):
        seen[name] = [(k, shared[k]) for k in order]

    order = list(range(len(shared)))
    workers = [
        threading.Thread(target=read, args=("forwards", order)),
        threading.Thread(target=read, args=("backwards", order[::-1])),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for name in ("forwards", "backwards"):
        assert all(frame == expected[k] for k, frame in seen[name]), name


def test_a_frame_node_is_still_plain_data():
    frame = frames(chain(3))[2]
    assert all(type(node) is FrameNode for node in frame.nodes)
    assert frame.node("x").value == 1.0 and frame.node("v3").state == "pending"


def test_the_frames_benchmark_checks_a_frame_read_alone_against_it_read_in_order():
    import importlib
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        lines = importlib.import_module("bench_frames").check(length=20)
    finally:
        sys.path.pop(0)
    assert lines and "(agrees)" in lines[0]
