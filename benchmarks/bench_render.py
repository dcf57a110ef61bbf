"""How long pictures take: the worked example's whole walkthrough (every frame to SVG, one layout for all), the
PowerPoint deck of one training step of a 2-2-1 MLP, and a scalar MLP(2, [4, 4, 1]) graph of one sample to SVG,
with the share spent in the layout program.

    .venv/bin/python benchmarks/bench_render.py [--quick] [--repeats N]

Goals (issues 3 and 14): the worked example's whole walkthrough under 0.5 s with graphviz-pure; the 2-2-1 MLP
step's whole PPTX under 5 s.
"""

from __future__ import annotations

import importlib.util
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import fmt_ms, measure, parse_args, print_table  # noqa: E402

from gradviz import Value, scope, trace  # noqa: E402
from gradviz.export import export  # noqa: E402
from gradviz.viz import find_renderer, fixed_layout, frames, render, to_dot  # noqa: E402
from gradviz.viz.render import RendererNotFound  # noqa: E402


def worked_example_trace():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    with trace() as t:
        q = x + y
        q.label = "q"
        f = q * z
        f.label = "f"
        f.backward()
    return t


def scalar_mlp_output(sizes=(2, 4, 4, 1), seed=0) -> Value:
    """MLP(2, [4, 4, 1]) from scalar Values (tanh hidden layers, linear output), one sample, backward done."""
    rng = random.Random(seed)
    xs = [Value(0.5, label="x1"), Value(-1.5, label="x2")]
    with scope("mlp"):
        for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
            with scope(f"layer{k}"):
                outs = []
                for j in range(n_out):
                    act = Value(0.0, label=f"b{k}{j}")
                    for i in range(n_in):
                        act = act + Value(rng.uniform(-1, 1), label=f"w{k}{j}{i}") * xs[i]
                    outs.append(act.tanh() if k < len(sizes) - 1 else act)
                xs = outs
    out = xs[0]
    out.backward()
    return out


def mlp_step_trace():
    """One sample through a 2-2-1 scalar MLP (gradviz.nn.scalar) with the squared error, forward and backward."""
    from gradviz.nn.scalar import MLP

    model = MLP(2, [2, 1], seed=0)
    x = [Value(1.0, label="x₁", requires_grad=False), Value(-1.0, label="x₂", requires_grad=False)]
    target = Value(1.0, label="y", requires_grad=False)
    with trace() as t:
        loss = (model(x) - target) ** 2
        loss.label = "L"
        loss.backward()
    return t


def main(argv=None) -> None:
    args = parse_args(__doc__.splitlines()[0], argv, repeats=10)
    engines = ["graphviz-pure"]
    try:
        if find_renderer("svg", engine="dot").name == "dot":
            engines.append("dot")
    except RendererNotFound:
        pass

    t = worked_example_trace()
    walkthrough_dots = [to_dot(frame) for frame in frames(t)]
    mlp = scalar_mlp_output()
    mlp_dot = to_dot(mlp)
    mlp_collapsed = to_dot(mlp, collapse=True)

    folder = Path(tempfile.mkdtemp())
    mlp_t = mlp_step_trace()
    pptx_name = f"2-2-1 MLP step, all {len(frames(mlp_t))} slides → PPTX"
    contenders = {
        "worked example: frames()": lambda: frames(t),
        "worked example: frames → DOT": lambda: [to_dot(fr).source for fr in frames(t)],
        "MLP graph → DOT": lambda: to_dot(mlp).source,
    }
    for engine in engines:
        contenders[f"worked example, all {len(walkthrough_dots)} frames → SVG [{engine}]"] = lambda e=engine: export(
            t, folder / f"steps-{e}", engine=e
        )
        laid_out = [to_dot(fr, layout=fixed_layout(frames(t), engine=engine)) for fr in frames(t)]
        contenders[f"  of which layout [{engine}]"] = lambda e=engine, dots=laid_out: [
            render(d, "svg", engine=e) for d in dots
        ]
        contenders[f"MLP graph ({len(mlp.graph())} nodes) → SVG [{engine}]"] = lambda e=engine: render(
            to_dot(mlp), "svg", engine=e
        )
        contenders[f"  of which layout [{engine}]  "] = lambda e=engine: render(mlp_dot, "svg", engine=e)
        contenders[f"MLP collapsed by scope → SVG [{engine}]"] = lambda e=engine: render(
            to_dot(mlp, collapse=True), "svg", engine=e
        )
        contenders[f"  of which layout [{engine}]   "] = lambda e=engine: render(mlp_collapsed, "svg", engine=e)

    if importlib.util.find_spec("pptx") is not None:
        contenders[pptx_name] = lambda: export(mlp_t, folder / "mlp.pptx")
    timings = measure(contenders, repeats=args.repeats)
    rows = []
    totals: dict[str, float] = {}
    previous = ""
    for name, timing in timings.items():
        share = ""
        if name.startswith("  of which"):
            share = f"{100 * timing.best / totals[previous]:.0f} %"  # best over best: the machine is shared and noisy
        else:
            totals[name] = timing.best
            previous = name
        rows.append([name, fmt_ms(timing.median), fmt_ms(timing.best), share])
    print_table("Rendering (median of interleaved runs)", ["what", "median (ms)", "best (ms)", "layout share"], rows)
    goal = timings[f"worked example, all {len(walkthrough_dots)} frames → SVG [graphviz-pure]"].median
    print(
        f"\nworked-example walkthrough with graphviz-pure: {goal * 1e3:.0f} ms (goal < 500 ms: {'met' if goal < 0.5 else 'NOT met'})"
    )
    if pptx_name in timings:
        deck = timings[pptx_name].median
        print(f"2-2-1 MLP step's PPTX: {deck:.2f} s (goal < 5 s: {'met' if deck < 5 else 'NOT met'})")


if __name__ == "__main__":
    main()
