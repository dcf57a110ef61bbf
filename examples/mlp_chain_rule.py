"""The chain rule inside a network: ∂L/∂w for one weight of a small MLP as the sum over its paths.

    python examples/mlp_chain_rule.py --out chain-rule

A 2-3-2-1 tanh MLP, one sample x = (0.5, −1), target 0.3, the weight model[0].weight[1, 0] (drawn as W1[1,0]).
Prints each path's factors and product and their sum (= backward's gradient); writes paths.svg and paths.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gradviz import nn
from gradviz.viz import mlp_chain_rule


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("examples-out/mlp_chain_rule"), help="folder for the pictures")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    nn.manual_seed(0)
    model = nn.MLP(2, [3, 2, 1], activation="tanh")
    paths = mlp_chain_rule(model, [0.5, -1.0], [0.3], weight=(0, 1, 0))  # model[0].weight[1, 0]
    print(f"{paths.count} paths from {paths.weight_label} to {paths.loss_label}:")
    print(paths.equation)
    print(f"sum of the paths agrees with backward: {paths.matches()}")
    for name in ("paths.svg", "paths.png"):
        print(f"wrote {paths.save(args.out / name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
