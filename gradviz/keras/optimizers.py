"""Keras 3's optimizers — SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW — with Keras' argument names and defaults.

Made without parameters (``optimizers.Adam(1e-3)``), an optimizer is built on the model's parameters when fit
starts; from then on it *is* the model's gradviz optimizer (``model.optimizer``): a subclass of the
:mod:`gradviz.optim` class of the same rule, so its state is readable and every update can be drawn.
``learning_rate`` reads and sets the rate (also while training, as Keras' callbacks do); ``weight_decay`` is
Keras' decoupled decay, w ← w − w·wd·lr before each update, for every optimizer.

The update rules are gradviz.optim's (torch's formulas). Keras writes two of them slightly differently:
Adam's and RMSprop's ε (Keras: √(v + ε) for RMSprop and Adagrad, ε not bias-corrected for Adam) and SGD's
velocity (Keras keeps lr inside it); with a constant learning rate SGD's numbers are the same.

Per-step control, as Keras 3: ``learning_rate`` may be a schedule (:mod:`keras.optimizers.schedules
<gradviz.keras.schedules>`: the update made at ``iterations == k`` uses ``schedule(k)``); ``clipnorm``,
``global_clipnorm`` or ``clipvalue`` clip the gradients before each update; ``gradient_accumulation_steps=N``
changes the weights every N-th step only, with the mean of the N gradients. The clipped (or averaged) gradients
are the update's own: the parameters' ``.grad`` keep what backward computed, and a recorded trace's update shows
the gradient the update used.

>>> import numpy as np
>>> import gradviz
>>> from gradviz import keras
>>> opt = keras.optimizers.Adam(1e-2)
>>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)], seed=0).compile(optimizer=opt, loss="mse")
>>> _ = model.fit(np.ones((4, 1)), np.ones(4), epochs=1, verbose=0)
>>> model.optimizer is opt, opt.learning_rate, isinstance(opt, gradviz.optim.Adam)
(True, 0.01, True)
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import Any

import numpy as np

from .. import optim as _optim
from ..context import enable_grad
from ..optim.optimizers import check_hyperparameter
from . import schedules
from .schedules import LearningRateSchedule

# Keras' path: `from keras.optimizers.schedules import CosineDecay` (this module is not a package: os.path's way)
sys.modules.setdefault(f"{__name__}.schedules", schedules)

__all__ = ["Optimizer", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "AdamW", "get", "OPTIMIZERS", "schedules"]

_SCHEDULE_NOT_SETTABLE = (
    "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` constructor argument, "
    "hence its learning rate is not settable. If you need the learning rate to be settable, you should instantiate "
    "the optimizer with a float `learning_rate` argument."
)

# Keras' arguments of every optimizer, with their defaults: get_config holds them all, the repr the ones changed
_KERAS_DEFAULTS: dict[str, Any] = {
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


def _number(value, name: str, who: str, low: float = 0.0, high: float | None = None, high_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{who}: {name} must be a number, got {value!r}")
    value = float(value)
    inside = value >= low and (high is None or (value < high if high_open else value <= high))
    if not inside:
        span = f"in [{low:g}, {high:g}{')' if high_open else ']'}" if high is not None else f"≥ {low:g}"
        raise ValueError(f"{who}: {name} must be {span}, got {value!r}")
    return value


def _accumulation_steps(value, who: str) -> int | None:
    """Keras' gradient_accumulation_steps: None (or 0) for none, else a whole number ≥ 2."""
    if value is None or (isinstance(value, numbers.Integral) and not isinstance(value, bool) and value == 0):
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 2:
        raise ValueError(
            f"{who}: `gradient_accumulation_steps` must be an integer >= 2. Received: "
            f"gradient_accumulation_steps={value!r} (leave it out, or None, to update the weights at every step)"
        )
    return int(value)


class Optimizer:
    """What Keras' optimizers share: ``learning_rate`` (a number or a schedule), ``weight_decay``, gradient clipping
    (``clipnorm``, ``global_clipnorm``, ``clipvalue``), ``gradient_accumulation_steps`` and the other arguments of
    ``keras.optimizers.Optimizer``, held until the optimizer is built on a model's parameters (by fit, or
    ``build(params)``). Each concrete optimizer is this and a gradviz.optim class.

    Each step, in Keras 3's order: with N accumulation steps, the gradients are added up and only every N-th step
    goes on, with their mean; the gradients are clipped; the learning rate is the schedule's at ``iterations``;
    the weights decay, then the rule updates them. ``iterations`` counts the updates (with accumulation, Keras'
    ``iterations`` is the number of steps // N); the schedule reads the number of steps, ``_iterations``.

    >>> from gradviz import Tensor
    >>> opt = SGD(learning_rate=0.1)
    >>> opt.built
    False
    >>> w = Tensor([1.0], requires_grad=True)
    >>> _ = opt.build([w]); (w * w).sum().backward(); opt.step()
    >>> opt.built, w.data
    (True, array([0.8]))
    """

    _keras_name = "optimizer"

    def __init__(
        self,
        learning_rate: float | LearningRateSchedule = 0.001,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs,
    ) -> None:
        who = type(self).__name__
        if "lr" in kwargs:  # Keras 2's name
            learning_rate = kwargs.pop("lr")
        if kwargs:
            raise TypeError(f"{who} got unexpected arguments: {', '.join(kwargs)}")
        unsupported = {"ema_overwrite_frequency": ema_overwrite_frequency, "loss_scale_factor": loss_scale_factor}
        given = [key for key, value in unsupported.items() if value is not None] + (["use_ema"] if use_ema else [])
        if given:
            raise ValueError(f"{who}: {', '.join(given)} not supported by gradviz yet; leave them out")
        clipping = {"clipnorm": clipnorm, "clipvalue": clipvalue, "global_clipnorm": global_clipnorm}
        if sum(value is not None for value in clipping.values()) > 1:
            raise ValueError(
                f"{who}: Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                + ", ".join(f"{key}={value}" for key, value in clipping.items())
            )
        # 0 clips nothing, as in Keras
        self.clipnorm = None if clipnorm is None else _number(clipnorm, "clipnorm", who)
        self.clipvalue = None if clipvalue is None else _number(clipvalue, "clipvalue", who)
        self.global_clipnorm = None if global_clipnorm is None else _number(global_clipnorm, "global_clipnorm", who)
        self.gradient_accumulation_steps = _accumulation_steps(gradient_accumulation_steps, who)
        self._schedule: LearningRateSchedule | None = None
        if isinstance(learning_rate, LearningRateSchedule):
            self._schedule = learning_rate
            learning_rate = learning_rate(0)
        elif not isinstance(learning_rate, numbers.Real) or isinstance(learning_rate, bool):
            raise TypeError(
                f"{who}: learning_rate must be a number or a keras.optimizers.schedules.LearningRateSchedule (a "
                f"schedule of the epoch is a callback: keras.callbacks.LearningRateScheduler), got "
                f"{type(learning_rate).__name__}"
            )
        self._learning_rate = check_hyperparameter("learning_rate", learning_rate, who, rule="lr")
        self.weight_decay = None if weight_decay is None else _number(weight_decay, "weight_decay", who)
        self.name = name or self._keras_name
        self.ema_momentum = ema_momentum
        self.built = False
        self.accumulators: dict = {}
        """The sum of the gradients since the last update, per parameter (gradient_accumulation_steps)."""
        # what gradviz.optim's methods read before the optimizer is built: nothing to update yet
        self.defaults: dict[str, Any] = {}
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict = {}

    # the gradviz.optim class and its arguments (lr=..., eps=...): each optimizer says them
    def _gradviz_options(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def _gradviz_class(cls) -> type:
        return next(c for c in cls.__mro__ if c.__module__ == _optim.optimizers.__name__)

    def build(self, params) -> Optimizer:
        """Build the optimizer on `params` (a model's parameters); fit does it. Returns self."""
        if self.built:
            raise ValueError(
                f"this {type(self).__name__} is already built on other parameters; make a new one for each model "
                f"(keras.optimizers.{type(self).__name__}(...))"
            )
        self._gradviz_class().__init__(self, params, **self._gradviz_options())
        decay = self.weight_decay or 0.0
        self.defaults["decoupled_decay"] = decay
        for group in self.param_groups:
            group["decoupled_decay"] = decay
        self.built = True
        return self

    @property
    def schedule(self) -> LearningRateSchedule | None:
        """The learning-rate schedule given as ``learning_rate`` (None for a number): the rate of the update made at
        ``_iterations == k`` is ``schedule(k)`` — ``schedule.value(xp, k)`` on any array namespace."""
        return self._schedule

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next update (a schedule's at the current step); setting a number changes the
        rate of the next update (as Keras' callbacks do) — refused, as in Keras, while a schedule sets it."""
        if self._schedule is not None:
            return self._schedule(self._iterations)
        return self.param_groups[0]["lr"] if self.built else self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float | LearningRateSchedule) -> None:
        if isinstance(value, LearningRateSchedule):  # Keras lets a schedule replace the rate
            self._schedule = value
            value = value(self._iterations)
        elif self._schedule is not None:
            raise TypeError(_SCHEDULE_NOT_SETTABLE)
        value = check_hyperparameter("learning_rate", value, type(self).__name__, rule="lr")
        self._learning_rate = value
        for group in self.param_groups:
            group["lr"] = value

    @property
    def lr(self) -> float:
        """gradviz.optim's name of the learning rate."""
        return self.learning_rate

    @lr.setter
    def lr(self, value: float) -> None:
        self.learning_rate = value

    @property
    def iterations(self) -> int:
        """The number of updates made so far (Keras' ``optimizer.iterations``: with gradient_accumulation_steps N,
        the number of steps // N)."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    _iterations = 0  # the number of step() calls (Keras' private `_iterations`, which a schedule reads)

    # -- the per-step rules, written once over an array namespace (numpy here, jax.numpy in the jax backend) --

    def clip_gradients(self, xp, grads: list) -> list:
        """`grads` (arrays of `xp`, one per parameter) clipped as Keras 3 clips them: ``clipnorm`` each gradient g to
        g·c / max(‖g‖, c), ``global_clipnorm`` all of them by c·min(1/‖all‖, 1/c) (nan if that norm is inf or nan),
        ``clipvalue`` each element into [−c, c]; the same list when none is set (or it is 0).

        >>> import numpy as np
        >>> SGD(global_clipnorm=1.0).clip_gradients(np, [np.array([3.0]), np.array([4.0])])
        [array([0.6]), array([0.8])]
        >>> SGD(clipvalue=0.5).clip_gradients(np, [np.array([-2.0, 0.25])])
        [array([-0.5 ,  0.25])]
        """
        if self.clipnorm:
            clip = self.clipnorm
            return [g * clip / xp.maximum(xp.sqrt(xp.sum(g * g)), clip) for g in grads]
        if self.global_clipnorm:
            clip = self.global_clipnorm
            norm = xp.sqrt(xp.sum(xp.stack([xp.sum(g * g) for g in grads])))
            # Keras' 1/norm, inf for a norm of 0, without numpy's divide-by-zero warning
            inverse = xp.where(norm > 0, 1.0 / xp.where(norm > 0, norm, 1.0), xp.inf)
            scale = clip * xp.minimum(inverse, 1.0 / clip)
            scale = scale + (norm - norm)  # nan when the norm is inf or nan, as Keras
            return [g * scale for g in grads]
        if self.clipvalue:
            return [xp.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return list(grads)

    def accumulate(self, xp, grads: list, accumulators: list, iterations) -> tuple[Any, list, list]:
        """Keras 3's gradient accumulation, one step: ``(apply, grads_to_apply, new_accumulators)``.

        `grads` are this step's gradients and `accumulators` the sums of those since the last update (zeros at
        first), arrays of `xp` in the same order; `iterations` is the number of steps before this one (Keras'
        ``_iterations``: a Python int, or a traced integer). `apply` (a boolean scalar of `xp`) says whether this
        step updates the weights: every N-th, ``(iterations + 1) % N == 0``; then `grads_to_apply` is the mean of
        the N gradients, (g + accumulator) / N, and the accumulators go back to zeros; otherwise they hold
        g + accumulator and `grads_to_apply` should not be used (a compiled loop computes the update anyway and
        keeps the old weights and state with ``xp.where(apply, new, old)``). Without accumulation: (True, grads,
        accumulators). Clip after it (:meth:`clip_gradients` of `grads_to_apply`): Keras clips the mean.

        >>> import numpy as np
        >>> opt = SGD(gradient_accumulation_steps=2)
        >>> apply, _, sums = opt.accumulate(np, [np.array([1.0])], [np.zeros(1)], 0)
        >>> bool(apply), sums
        (False, [array([1.])])
        >>> apply, mean, sums = opt.accumulate(np, [np.array([3.0])], sums, 1)
        >>> bool(apply), mean, sums
        (True, [array([2.])], [array([0.])])
        """
        steps = self.gradient_accumulation_steps
        if not steps:
            return xp.asarray(True), list(grads), list(accumulators)
        apply = xp.asarray((iterations + 1) % steps == 0)
        totals = [g + total for g, total in zip(grads, accumulators, strict=True)]
        means = [total / steps for total in totals]
        return apply, means, [xp.where(apply, xp.zeros_like(total), total) for total in totals]

    @property
    def _per_step(self) -> bool:
        """Whether a step does more than gradviz.optim's: a schedule, clipping or accumulation."""
        clipping = self.clipnorm or self.global_clipnorm or self.clipvalue
        return bool(self._schedule is not None or clipping or self.gradient_accumulation_steps)

    def step(self, closure=None):
        """One Keras step on the parameters' gradients (``.grad``, left as backward made them)."""
        if not self._per_step:
            loss = super().step(closure)
            self._iterations += 1
            return loss
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        params = [p for p in self.parameters() if p.grad is not None]
        grads = [self._gradient(p) for p in params]
        apply = True
        if self.gradient_accumulation_steps:
            sums = [self.accumulators.get(p) for p in params]
            sums = [np.zeros_like(g) if s is None else s for s, g in zip(sums, grads, strict=True)]
            apply, grads, sums = self.accumulate(np, grads, sums, self._iterations)
            self.accumulators.update(zip(params, sums, strict=True))
        if apply and params:
            if self._schedule is not None:
                rate = float(self._schedule(self._iterations))
                for group in self.param_groups:
                    group["lr"] = rate
            grads = self.clip_gradients(np, grads)
            computed = [p.grad for p in params]
            try:  # gradviz.optim's step (its fast paths, the trace's record) on the gradients of this update
                for p, g in zip(params, grads, strict=True):
                    p.grad = float(g) if p.is_scalar else g
                super().step()
            finally:
                for p, g in zip(params, computed, strict=True):
                    p.grad = g
        self._iterations += 1
        return loss

    def _gradient(self, p) -> np.ndarray:
        """`p`'s gradient as an array of its dtype, its shape checked (as gradviz.optim's step checks it)."""
        if p.is_scalar:
            return np.asarray(p.grad, dtype=np.float64)
        grad = np.asarray(p.grad)
        if grad.shape != p.data.shape:
            raise ValueError(
                f"{type(self).__name__}: {p.label or 'a parameter'} has shape {p.data.shape} but its gradient has "
                f"shape {grad.shape}"
            )
        return grad.astype(p.data.dtype, copy=False)

    def rule(self, xp, p, g, state, group, lr, t):
        decay = group.get("decoupled_decay", 0.0)
        if decay:
            p = p - p * decay * lr  # Keras' weight decay, applied before the update
        return super().rule(xp, p, g, state, group, lr, t)

    def _in_place(self, param, grad, state, group):
        if group.get("decoupled_decay"):
            return False  # the rule above has the decay; the in-place fast path has not
        return super()._in_place(param, grad, state, group)

    def get_config(self) -> dict:
        """Keras' config: name, learning_rate (a schedule as ``schedules.serialize`` writes it), weight_decay, the
        clipping and accumulation arguments, and the optimizer's own arguments (JSON-ready)."""
        rate = schedules.serialize(self._schedule) if self._schedule is not None else self.learning_rate
        return {
            "name": self.name,
            "learning_rate": rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": False,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": None,
            "loss_scale_factor": None,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Optimizer:
        """A new (unbuilt) optimizer from get_config()'s dict (a serialized schedule becomes the schedule again;
        `custom_objects` names your own schedule classes)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

    def _table_entry(self) -> tuple[str, dict[str, Any]]:
        """(gradviz.optim name, its arguments) for OPTIMIZERS."""
        import inspect

        cls = self._gradviz_class()
        defaults = {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items()}
        options = {k: v for k, v in self._gradviz_options().items() if k == "lr" or defaults.get(k, object()) != v}
        return _NAMES[cls.__name__], options

    def __repr__(self) -> str:
        if self.built:
            return super().__repr__()
        config = self.get_config()
        if self._schedule is not None:
            config["learning_rate"] = self._schedule
        shown = {
            k: v for k, v in config.items() if k != "name" and not (k in _KERAS_DEFAULTS and _KERAS_DEFAULTS[k] == v)
        }
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


_NAMES = {"SGD": "sgd", "RMSprop": "rmsprop", "Adagrad": "adagrad", "Adadelta": "adadelta", "Adam": "adam"}


class SGD(Optimizer, _optim.SGD):
    """Gradient descent with optional momentum and Nesterov: Keras' ``SGD(learning_rate=0.01, momentum=0.0,
    nesterov=False)``; gradviz.optim.SGD's rule (v ← μ·v + ∇, w ← w − lr·v).

    >>> SGD(momentum=0.9).get_config()["momentum"]
    0.9
    """

    _keras_name = "SGD"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum = _number(momentum, "momentum", "SGD", 0.0, 1.0)
        self.nesterov = bool(nesterov)

    def _gradviz_options(self):
        # Keras takes nesterov=True with momentum 0 (it changes nothing); torch refuses it
        return {"lr": self.learning_rate, "momentum": self.momentum, "nesterov": self.nesterov and self.momentum > 0}

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer, _optim.RMSprop):
    """RMSprop: Keras' ``RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False)``.

    >>> RMSprop().get_config()["rho"]
    0.9
    """

    _keras_name = "rmsprop"

    def __init__(
        self,
        learning_rate: float = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho = _number(rho, "rho", "RMSprop", 0.0, 1.0)
        self.momentum = _number(momentum, "momentum", "RMSprop")
        self.epsilon = _number(epsilon, "epsilon", "RMSprop")
        self.centered = bool(centered)

    def _gradviz_options(self):
        return {
            "lr": self.learning_rate,
            "alpha": self.rho,
            "eps": self.epsilon,
            "momentum": self.momentum,
            "centered": self.centered,
        }

    def get_config(self):
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adagrad(Optimizer, _optim.Adagrad):
    """Adagrad: Keras' ``Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-07)``.

    >>> Adagrad().get_config()["initial_accumulator_value"]
    0.1
    """

    _keras_name = "adagrad"

    def __init__(
        self, learning_rate: float = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7, **kwargs
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = _number(initial_accumulator_value, "initial_accumulator_value", "Adagrad")
        self.epsilon = _number(epsilon, "epsilon", "Adagrad")

    def _gradviz_options(self):
        return {
            "lr": self.learning_rate,
            "initial_accumulator_value": self.initial_accumulator_value,
            "eps": self.epsilon,
        }

    def get_config(self):
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


class Adadelta(Optimizer, _optim.Adadelta):
    """Adadelta: Keras' ``Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-07)`` (compile's name 'adadelta'
    uses learning_rate=1.0, the paper's, as gradviz's course does).

    >>> Adadelta().learning_rate, get("adadelta").learning_rate
    (0.001, 1.0)
    """

    _keras_name = "adadelta"

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.95, epsilon: float = 1e-7, **kwargs) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho = _number(rho, "rho", "Adadelta", 0.0, 1.0)
        self.epsilon = _number(epsilon, "epsilon", "Adadelta")

    def _gradviz_options(self):
        return {"lr": self.learning_rate, "rho": self.rho, "eps": self.epsilon}

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adam(Optimizer, _optim.Adam):
    """Adam: Keras' ``Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)``.

    >>> Adam(1e-3).get_config()["beta_2"]
    0.999
    """

    _keras_name = "adam"

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        who = type(self).__name__
        self.beta_1 = _number(beta_1, "beta_1", who, 0.0, 1.0, high_open=True)
        self.beta_2 = _number(beta_2, "beta_2", who, 0.0, 1.0, high_open=True)
        self.epsilon = _number(epsilon, "epsilon", who)
        self.amsgrad = bool(amsgrad)

    def _gradviz_options(self):
        return {
            "lr": self.learning_rate,
            "betas": (self.beta_1, self.beta_2),
            "eps": self.epsilon,
            "amsgrad": self.amsgrad,
        }

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay: Keras' ``AdamW(learning_rate=0.001, weight_decay=0.004, ...)``.

    >>> AdamW().weight_decay
    0.004
    """

    _keras_name = "adamw"

    def __init__(
        self,
        learning_rate: float = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)

    def _table_entry(self):
        name, options = super()._table_entry()
        return "adamw", {**options, "weight_decay": self.weight_decay}


_CLASSES: dict[str, type] = {
    "SGD": SGD,
    "RMSprop": RMSprop,
    "Adagrad": Adagrad,
    "Adadelta": Adadelta,
    "Adam": Adam,
    "AdamW": AdamW,
}

# compile's names: Keras' own, and the course's momentum / Nesterov (NAG) shortcuts
_BY_NAME: dict[str, tuple[type, dict[str, Any]]] = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "nag": (SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (Adagrad, {}),
    "adadelta": (Adadelta, {"learning_rate": 1.0}),
    "rmsprop": (RMSprop, {}),
    "adam": (Adam, {}),
    "adamw": (AdamW, {}),
}


def get(identifier, **overrides) -> Optimizer:
    """A new optimizer from a name ('adam', 'sgd', 'momentum', 'nesterov'/'nag', 'adagrad', 'adadelta', 'rmsprop',
    'adamw'; Keras' class names too) or a config dict, with `overrides` (learning_rate=...); an Optimizer passes
    through.

    >>> get("momentum")
    SGD(learning_rate=0.01, weight_decay=None, momentum=0.9, nesterov=False)
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        name = identifier.get("class_name")
        if name not in _CLASSES:
            raise ValueError(f"unknown optimizer class {name!r}; gradviz knows: {', '.join(_CLASSES)}")
        return _CLASSES[name].from_config({**identifier.get("config", {}), **overrides})
    if isinstance(identifier, str):
        if identifier in _CLASSES:
            return _CLASSES[identifier](**overrides)
        key = identifier.lower()
        if key in _BY_NAME:
            cls, options = _BY_NAME[key]
            return cls(**{**options, **overrides})
    raise ValueError(f"unknown optimizer {identifier!r}; valid names: {', '.join(_BY_NAME)}")


OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {name: get(name)._table_entry() for name in _BY_NAME}
"""Optimizer names compile() accepts, each as (gradviz.optim name, its arguments) with Keras' defaults
(Adadelta: lr 1.0, as its paper and the course).

The optimizer is built when fit starts; compile's `learning_rate` overrides the rate.

>>> import numpy as np
>>> from gradviz import keras
>>> keras.OPTIMIZERS["nesterov"]
('sgd', {'lr': 0.01, 'momentum': 0.9, 'nesterov': True})
>>> model = keras.Sequential([keras.layers.Dense(1, input_dim=1)], seed=0).compile("adam", "mse", learning_rate=0.1)
>>> history = model.fit(np.ones((4, 1)), np.ones(4), epochs=1, verbose=0)
>>> type(model.optimizer).__name__, model.optimizer.learning_rate, model.optimizer.defaults["eps"]
('Adam', 0.1, 1e-07)
"""
