"""Pictures of the graph: frames (pure data), DOT diagrams, rendering to svg/png/pdf, and draw().

>>> from gradviz import Value
>>> from gradviz.viz import frames, to_dot
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> len(frames(y)), "tanh" in to_dot(y).source
(1, True)
"""

from __future__ import annotations

from .dot import THEMES, Layout, fixed_layout, to_dot
from .draw import Drawing, draw
from .frame import Frame, FrameEdge, FrameNode, Frames, final_frame, frames
from .layers import layer_texts, layer_view
from .paths import ChainRulePaths, chain_rule_paths, mlp_chain_rule, scalar_network
from .render import RendererNotFound, find_renderer, render, save

__all__ = [
    "Frame",
    "FrameNode",
    "FrameEdge",
    "Frames",
    "frames",
    "final_frame",
    "layer_view",
    "layer_texts",
    "to_dot",
    "fixed_layout",
    "Layout",
    "THEMES",
    "render",
    "save",
    "find_renderer",
    "RendererNotFound",
    "draw",
    "Drawing",
    "chain_rule_paths",
    "scalar_network",
    "mlp_chain_rule",
    "ChainRulePaths",
]
