"""Keras 3's learning-rate schedules (``keras.optimizers.schedules``): the rate of each update as a function of the
optimizer's step, each formula written once over an array namespace.

A schedule passed as an optimizer's ``learning_rate`` sets the rate of the update made at ``iterations == k`` to
``schedule(k)``. ``schedule(step)`` is a float; ``schedule.value(xp, step)`` is the same formula over `xp` (numpy or
jax.numpy), with `step` a Python int, a numpy array of steps (a whole curve at once) or a traced integer, and no
Python branch on its value — so the JAX backend evaluates it inside its compiled loop.

>>> import numpy as np
>>> from gradviz.keras.optimizers import schedules
>>> cosine = schedules.CosineDecay(0.0, decay_steps=100, warmup_target=0.1, warmup_steps=10)
>>> cosine(0), cosine(5), round(cosine(60), 6), cosine(110)
(0.0, 0.05, 0.05, 0.0)
>>> schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True).value(np, np.arange(0, 40, 10))
array([0.1   , 0.05  , 0.025 , 0.0125])
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
    "serialize",
    "deserialize",
]


def _number(value, name: str, who: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{who}: {name} must be a number, got {value!r}")
    return value


def _positive(value, name: str, who: str):
    _number(value, name, who)
    if value <= 0:
        raise ValueError(f"{who}: Argument `{name}` must be > 0. Received: {name}={value}")
    return value


def _float(step):
    """The step as a float of `xp` (a traced int32 becomes float32; a Python int a float)."""
    return step * 1.0


def _floor_ratio(xp, step, steps):
    """floor(step / steps), exactly: in integers when `steps` is a whole number (compiled float32 code may divide by
    multiplying with 1/steps, and floor(30 · (1/30)) can then be 1 too few or ceil one too many)."""
    if float(steps).is_integer():
        return (step // int(steps)) * 1.0
    return xp.floor(_float(step) / steps)


def _ceil_ratio(xp, step, steps):
    """ceil(step / steps), exactly (as :func:`_floor_ratio`)."""
    if float(steps).is_integer():
        return -((-step) // int(steps)) * 1.0
    return xp.ceil(_float(step) / steps)


class LearningRateSchedule:
    """The base of every schedule (Keras' ``keras.optimizers.schedules.LearningRateSchedule``).

    A subclass writes its formula once as ``value(self, xp, step)`` over the array namespace `xp` (so it runs on
    numpy and inside the JAX backend's compiled loop) and its arguments in ``get_config``; ``schedule(step)`` is
    then ``float(value(numpy, step))``. A Keras-style subclass that overrides ``__call__(step)`` instead works on
    the numpy backend.

    >>> class Halving(LearningRateSchedule):
    ...     def __init__(self, initial_learning_rate, every):
    ...         self.initial_learning_rate, self.every = initial_learning_rate, every
    ...     def value(self, xp, step):
    ...         return self.initial_learning_rate * 0.5 ** xp.floor(step / self.every)
    ...     def get_config(self):
    ...         return {"initial_learning_rate": self.initial_learning_rate, "every": self.every}
    >>> Halving(0.1, every=10)(25)
    0.025
    """

    def __call__(self, step) -> float:
        return float(self.value(np, step))

    def value(self, xp, step):
        """The learning rate at `step`, computed with `xp` (numpy or jax.numpy) — each schedule's formula."""
        raise NotImplementedError(
            f"learning rate schedule {type(self).__name__!r} must override value(self, xp, step) (the formula over "
            "an array namespace) or __call__(self, step)"
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"learning rate schedule {type(self).__name__!r} must override get_config() in order to be serializable"
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """A new schedule from get_config()'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            return f"<{type(self).__name__}>"
        return f"{type(self).__name__}({arguments})"


class _TimeDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: their arguments, and how far along the decay a step is
    (step / decay_steps, floored with ``staircase=True``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase: bool = False, name=None) -> None:
        who = type(self).__name__
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate", who)
        self.decay_steps = _positive(decay_steps, "decay_steps", who)
        self.decay_rate = _number(decay_rate, "decay_rate", who)
        self.staircase = staircase
        self.name = who if name is None else name

    def _progress(self, xp, step):
        return _floor_ratio(xp, step, self.decay_steps) if self.staircase else _float(step) / self.decay_steps

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class ExponentialDecay(_TimeDecay):
    """initial_learning_rate · decay_rate^(step / decay_steps), the exponent floored with ``staircase=True``.

    >>> ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)(100)
    0.05
    """

    def value(self, xp, step):
        return self.initial_learning_rate * xp.power(self.decay_rate, self._progress(xp, step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while step ≤ boundaries[0], values[1] while step ≤ boundaries[1], …, values[-1] after the last.

    >>> rates = PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1])
    >>> rates(100), rates(101), rates(111)
    (1.0, 0.5, 0.1)
    """

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant") -> None:
        who = type(self).__name__
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                f"{who}: The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of length {len(values)}."
            )
        for i, b in enumerate(boundaries):
            _number(b, f"boundaries[{i}]", who)
        for i, v in enumerate(values):
            _number(v, f"values[{i}]", who)
        if any(later <= earlier for earlier, later in zip(boundaries[:-1], boundaries[1:], strict=True)):
            raise ValueError(f"{who}: boundaries must be strictly increasing, got {boundaries}")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def value(self, xp, step):
        rate = self.values[-1] * 1.0  # after the last boundary; each where() below takes the interval before
        for boundary, value in zip(reversed(self.boundaries), reversed(self.values[:-1]), strict=True):
            rate = xp.where(step <= boundary, value * 1.0, rate)
        return rate

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From initial_learning_rate to end_learning_rate in decay_steps: (initial − end)·(1 − step/decay_steps)^power
    + end, the step held at decay_steps — or, with ``cycle=True``, decay_steps stretched to the first multiple of
    it past the step.

    >>> PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0)(5)
    0.05
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        who = type(self).__name__
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate", who)
        self.decay_steps = _positive(decay_steps, "decay_steps", who)
        self.end_learning_rate = _number(end_learning_rate, "end_learning_rate", who)
        self.power = _number(power, "power", who)
        self.cycle = cycle
        self.name = name

    def value(self, xp, step):
        decay_steps = self.decay_steps
        if self.cycle:  # the first multiple of decay_steps past the step (1 at step 0)
            decay_steps = decay_steps * xp.where(step == 0, 1.0, _ceil_ratio(xp, step, self.decay_steps))
            step = _float(step)
        else:
            step = xp.minimum(_float(step), decay_steps)
        p = step / decay_steps
        # 1 − p ≥ 0; jit may divide by multiplying with 1/decay_steps, so that p = 1.0000001 in float32 (0 keeps it
        # from a nan power)
        remaining = xp.maximum(1 - p, 0.0)
        return (self.initial_learning_rate - self.end_learning_rate) * xp.power(
            remaining, self.power
        ) + self.end_learning_rate

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(_TimeDecay):
    """initial_learning_rate / (1 + decay_rate · step / decay_steps), the quotient floored with ``staircase=True``.

    >>> InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)(2)
    0.05
    """

    def value(self, xp, step):
        return self.initial_learning_rate / (1.0 + self.decay_rate * self._progress(xp, step))


def _cosine(xp, step, decay_steps, start, alpha):
    """start · ((1 − α)·½(1 + cos(π·step/decay_steps)) + α): from start down to α·start."""
    cosine_decayed = 0.5 * (1.0 + xp.cos(math.pi * (step / decay_steps)))
    return start * ((1 - alpha) * cosine_decayed + alpha)


class CosineDecay(LearningRateSchedule):
    """A cosine from initial_learning_rate to alpha·initial_learning_rate in decay_steps — after a linear warmup
    from initial_learning_rate to `warmup_target` in `warmup_steps` when a warmup_target is given (the cosine then
    starts at warmup_target).

    >>> CosineDecay(0.1, decay_steps=10)(5), CosineDecay(0.1, decay_steps=10, alpha=0.1)(10)
    (0.05, 0.01)
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        alpha=0.0,
        name: str = "CosineDecay",
        warmup_target=None,
        warmup_steps=0,
    ) -> None:
        who = type(self).__name__
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate", who)
        self.decay_steps = _positive(decay_steps, "decay_steps", who)
        self.alpha = _number(alpha, "alpha", who)
        self.name = name
        self.warmup_steps = _number(warmup_steps, "warmup_steps", who)
        if warmup_steps < 0:
            raise ValueError(f"{who}: warmup_steps must be ≥ 0, got {warmup_steps!r}")
        self.warmup_target = None if warmup_target is None else _number(warmup_target, "warmup_target", who)

    def value(self, xp, step):
        step = _float(step)
        if self.warmup_target is None:
            return _cosine(
                xp, xp.minimum(step, self.decay_steps), self.decay_steps, self.initial_learning_rate, self.alpha
            )
        step = xp.minimum(step, self.decay_steps + self.warmup_steps)
        # both branches are computed (no Python branch on the step): a warmup of 0 steps divides by 1, never chosen
        fraction = step / (self.warmup_steps or 1)
        warmup = (self.warmup_target - self.initial_learning_rate) * fraction + self.initial_learning_rate
        decay = _cosine(xp, step - self.warmup_steps, self.decay_steps, self.warmup_target, self.alpha)
        return xp.where(step < self.warmup_steps, warmup, decay)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): a cosine from 1 to alpha over first_decay_steps, then again over
    t_mul times as many steps, starting at m_mul times the rate of the previous start.

    >>> rates = CosineDecayRestarts(0.1, first_decay_steps=10)
    >>> rates(0), rates(10), rates(20)
    (0.1, 0.1, 0.05)
    """

    def __init__(
        self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name: str = "SGDRDecay"
    ) -> None:
        who = type(self).__name__
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate", who)
        self.first_decay_steps = _positive(first_decay_steps, "first_decay_steps", who)
        self.t_mul = _positive(t_mul, "t_mul", who)
        self.m_mul = _number(m_mul, "m_mul", who)
        self.alpha = _number(alpha, "alpha", who)
        self.name = name

    def value(self, xp, step):
        fraction = _float(step) / self.first_decay_steps
        t_mul = self.t_mul
        if t_mul == 1.0:  # periods of one length
            restart = _floor_ratio(xp, step, self.first_decay_steps)
            fraction = fraction - restart
        else:  # periods growing geometrically: restart i begins after (1 − t_mulⁱ)/(1 − t_mul) first periods
            restart = xp.floor(xp.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            sum_r = (1.0 - xp.power(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - sum_r) / xp.power(t_mul, restart)
        m_fac = xp.power(self.m_mul, restart)
        cosine_decayed = 0.5 * m_fac * (1.0 + xp.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine_decayed + self.alpha)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self.t_mul,
            "m_mul": self.m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


_SCHEDULES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict[str, Any]:
    """The schedule as a JSON-ready dict, in Keras' form ({'module', 'class_name', 'config', 'registered_name'}).

    >>> serialize(ExponentialDecay(0.1, 1000, 0.96))["class_name"]
    'ExponentialDecay'
    """
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError(
            f"serialize takes a keras.optimizers.schedules.LearningRateSchedule, got "
            f"{type(learning_rate_schedule).__name__}"
        )
    cls = type(learning_rate_schedule)
    builtin = _SCHEDULES.get(cls.__name__) is cls
    return {
        "module": "keras.optimizers.schedules" if builtin else cls.__module__,
        "class_name": cls.__name__,
        "config": learning_rate_schedule.get_config(),
        "registered_name": None if builtin else cls.__name__,
    }


def deserialize(config: dict[str, Any], custom_objects: dict[str, type] | None = None) -> LearningRateSchedule:
    """A schedule from :func:`serialize`'s dict (or {'class_name', 'config'}); `custom_objects` maps the names of
    your own LearningRateSchedule subclasses to them.

    >>> deserialize({"class_name": "PolynomialDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 10}})
    PolynomialDecay(initial_learning_rate=0.1, decay_steps=10, end_learning_rate=0.0001, power=1.0, cycle=False, \
name='PolynomialDecay')
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"deserialize takes a dict with 'class_name' and 'config' (serialize's), got {config!r}")
    name = config["class_name"]
    known = {**_SCHEDULES, **(custom_objects or {})}
    for key in (config.get("registered_name"), name):
        if key in known:
            return known[key].from_config(dict(config.get("config", {})))
    raise ValueError(
        f"unknown learning rate schedule {name!r}; gradviz knows {', '.join(_SCHEDULES)} — pass your own class in "
        f"custom_objects={{{name!r}: {name}}}"
    )
