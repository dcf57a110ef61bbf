"""Learning-rate schedules (torch.optim.lr_scheduler's rules): StepLR, ExponentialLR, CosineAnnealingLR, LinearLR.

Call ``scheduler.step()`` once per epoch, after ``optimizer.step()``; it writes the new rate into
every parameter group's 'lr'. ``get_last_lr()`` returns the rates now in force.

>>> from gradviz import Value, optim
>>> opt = optim.SGD([Value(1.0)], lr=1.0)
>>> schedule = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
>>> rates = []
>>> for epoch in range(5):
...     rates.append(schedule.get_last_lr()[0])
...     opt.step(); schedule.step()
>>> rates
[1.0, 1.0, 0.5, 0.5, 0.25]
"""

from __future__ import annotations

import math
from typing import Any

from .optimizers import Optimizer

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR"]


class LRScheduler:
    """Base class: remembers each group's starting rate ('initial_lr'), counts epochs in
    ``last_epoch``, and sets the rates computed by ``get_lr()`` (chainable, as torch's).

    >>> from gradviz import Value, optim
    >>> class Halving(optim.LRScheduler):          # halve the rate every epoch
    ...     def get_lr(self):
    ...         return [group["lr"] / (1 if self.last_epoch == 0 else 2) for group in self.optimizer.param_groups]
    >>> schedule = Halving(optim.SGD([Value(1.0)], lr=0.8))
    >>> schedule.step(); schedule.step()
    >>> schedule.get_last_lr(), schedule.last_epoch
    ([0.2], 2)
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__} needs a gradviz optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param_groups[{i}] has no 'initial_lr': resume with last_epoch=-1 or load its state"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial = True
        self.step()
        self._initial = False

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and set the new learning rates."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=False):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each parameter group, as last set."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def _lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]


class StepLR(LRScheduler):
    """Multiply the rate by `gamma` every `step_size` epochs: lr = lr₀·γ^⌊epoch / step_size⌋.

    >>> from gradviz import Value, optim
    >>> s = StepLR(optim.SGD([Value(1.0)], lr=0.1), step_size=1, gamma=0.5)
    >>> s.step(); s.get_last_lr()
    [0.05]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        self.step_size = step_size
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the rate by `gamma` every epoch: lr = lr₀·γ^epoch.

    >>> from gradviz import Value, optim
    >>> s = ExponentialLR(optim.SGD([Value(1.0)], lr=1.0), gamma=0.9)
    >>> s.step(); s.step(); round(s.get_last_lr()[0], 10)
    0.81
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = float(gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


class CosineAnnealingLR(LRScheduler):
    """Follow half a cosine from lr₀ down to `eta_min` over `T_max` epochs (and back up after):
    lr = η_min + (lr₀ − η_min)·(1 + cos(π·epoch / T_max)) / 2.

    >>> from gradviz import Value, optim
    >>> s = CosineAnnealingLR(optim.SGD([Value(1.0)], lr=1.0), T_max=2)
    >>> s.step(); round(s.get_last_lr()[0], 10)
    0.5
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive integer, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = float(eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self._lrs()
        if (t - 1 - T) % (2 * T) == 0:
            return [
                lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for base, lr in zip(self.base_lrs, self._lrs(), strict=False)
            ]
        return [
            (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (lr - eta_min) + eta_min
            for lr in self._lrs()
        ]


class LinearLR(LRScheduler):
    """Change the rate linearly from lr₀·start_factor to lr₀·end_factor over `total_iters` epochs
    (linear decay with end_factor < start_factor; a warm-up the other way round).

    >>> from gradviz import Value, optim
    >>> s = LinearLR(optim.SGD([Value(1.0)], lr=1.0), start_factor=1.0, end_factor=0.5, total_iters=2)
    >>> s.step(); s.get_last_lr()
    [0.75]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if not 0 < start_factor <= 1 or not 0 <= end_factor <= 1:
            raise ValueError(
                f"LinearLR: start_factor must be in (0, 1] and end_factor in [0, 1], got {start_factor} and {end_factor}"
            )
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            raise ValueError(f"LinearLR: total_iters must be a positive integer, got {total_iters!r}")
        self.start_factor = float(start_factor)
        self.end_factor = float(end_factor)
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t = self.last_epoch
        if t == 0:
            return [lr * self.start_factor for lr in self._lrs()]
        if self._initial or t > self.total_iters:
            return self._lrs()
        change = self.end_factor - self.start_factor
        factor = 1.0 + change / (self.total_iters * self.start_factor + (t - 1) * change)
        return [lr * factor for lr in self._lrs()]
