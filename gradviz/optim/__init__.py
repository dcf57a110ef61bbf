"""Optimizers and learning-rate schedules, with torch.optim's names and update rules.

>>> import numpy as np
>>> from gradviz import Tensor, optim
>>> w = Tensor(np.array([1.0, -2.0]), requires_grad=True, label="w")
>>> opt = optim.Adam([w], lr=0.1)
>>> for _ in range(100):
...     opt.zero_grad()
...     (w * w).sum().backward()
...     opt.step()
>>> bool(np.abs(w.data).max() < 0.1), sorted(opt.state[w])
(True, ['exp_avg', 'exp_avg_sq', 'step'])
"""

from __future__ import annotations

from . import lr_scheduler
from .lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)
from .optimizers import (
    NAG,
    OPTIMIZERS,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    Optimizer,
    RMSprop,
    get_optimizer,
)

__all__ = [
    "Optimizer",
    "SGD",
    "Momentum",
    "Nesterov",
    "NAG",
    "Adagrad",
    "Adadelta",
    "RMSprop",
    "Adam",
    "AdamW",
    "OPTIMIZERS",
    "get_optimizer",
    "lr_scheduler",
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LinearLR",
    "LambdaLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
]
