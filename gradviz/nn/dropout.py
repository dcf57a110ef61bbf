"""Dropout (as torch.nn.Dropout): in training each element is kept with probability 1 − p and scaled by 1/(1 − p).

In the graph a dropout layer is one multiplication, x · m/(1−p), by the constant mask ``m/(1−p)`` (0 where an
element was dropped, 1/(1 − p) where it was kept), in a name scope 'dropout'; in evaluation (``model.eval()``) it
is the identity and adds no node. The masks come from a seeded numpy Generator: the layer's own (`seed`, `rng`)
or else the one ``nn.manual_seed`` resets, so a run repeats.

>>> import numpy as np
>>> from gradviz import Tensor, nn
>>> nn.manual_seed(0)
>>> drop = nn.Dropout(p=0.5)
>>> y = drop(Tensor(np.ones((2, 4)), requires_grad=True))
>>> y.data
array([[0., 2., 2., 2.],
       [0., 0., 0., 0.]])
>>> y.op, y.scope, y.inputs[1].label
('mul', 'dropout', 'm/(1−p)')
>>> drop.eval()(Tensor([1.0, 2.0])).data
array([1., 2.])
"""

from __future__ import annotations

import numbers

import numpy as np

from ..engine import Node
from ..tensor import Tensor
from .init import default_rng, make_rng
from .module import Module, _kind_scope

__all__ = ["Dropout"]

MASK_LABEL = "m/(1−p)"
"""The label of a dropout mask in the graph: the kept elements' factor 1/(1 − p), 0 for the dropped ones."""


class Dropout(Module):
    """Inverted dropout, ``torch.nn.Dropout(p=0.5, inplace=False)``: during training each element is zeroed with
    probability `p` and the others are multiplied by 1/(1 − p), so the expected output is the input; in
    evaluation mode (``eval()``) the input passes unchanged.

    `seed` or `rng` give the layer its own generator; otherwise the masks come from the generator that
    ``nn.manual_seed`` resets. `inplace` is accepted for torch's code (the result is a new node all the same).

    >>> import numpy as np
    >>> from gradviz import Tensor, nn
    >>> drop = nn.Dropout(p=0.25, seed=0)
    >>> x = Tensor(np.full((1, 8), 3.0), requires_grad=True)
    >>> drop(x).data                                        # kept: 3 / 0.75 = 4
    array([[4., 4., 4., 4., 0., 0., 4., 4.]])
    >>> drop
    Dropout(p=0.25, inplace=False)
    """

    def __init__(
        self,
        p: float = 0.5,
        inplace: bool = False,
        *,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")
        if not isinstance(inplace, (bool, int)):
            raise TypeError(f"Dropout: inplace must be True or False, got {inplace!r}")
        self.p = float(p)
        self.inplace = bool(inplace)
        # the layer's own generator, or None: the module-wide one, looked up at each call (nn.manual_seed replaces it)
        self._rng = make_rng(seed, rng) if seed is not None or rng is not None else None

    @property
    def name(self) -> str:
        return self._name or "dropout"

    @name.setter
    def name(self, value: str) -> None:
        Module.name.fset(self, value)

    def forward(self, x):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"Dropout works on Tensors, got {type(x).__name__}"
                + ("; a scalar network has no dropout layer" if isinstance(x, Node) else "")
            )
        if not self.training or self.p == 0.0 or x.data.size == 0:
            return x  # torch returns the input itself: no node
        if x.dtype.kind != "f":
            raise TypeError(f"Dropout needs a floating-point input, got dtype {x.dtype}")
        rng = self._rng if self._rng is not None else default_rng()
        if self.p == 1.0:
            mask = np.zeros(x.shape, dtype=x.dtype)  # torch: everything dropped, no division by 0
        else:
            keep = rng.random(x.shape) < 1.0 - self.p  # each element kept with probability 1 − p (torch's bernoulli)
            mask = keep.astype(x.dtype) / x.dtype.type(1.0 - self.p)
        with _kind_scope(self, "dropout"):
            return x * Tensor(mask, label=MASK_LABEL)

    def extra_repr(self) -> str:
        return f"p={self.p:g}, inplace={self.inplace}"
