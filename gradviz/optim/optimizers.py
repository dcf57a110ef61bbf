"""The optimizers of the course, with torch.optim's update rules: SGD (momentum, Nesterov), Adagrad,
Adadelta, RMSprop, Adam, AdamW.

Each one updates the parameters' ``.data`` in place (never recorded in a graph, dtype kept) and
keeps its per-parameter state readable in ``optimizer.state[param]`` — the velocity
('momentum_buffer'), the running averages of the gradient ('exp_avg', 'grad_avg') and of its
square ('exp_avg_sq', 'square_avg', 'sum', 'acc_delta') — for plots.

>>> from gradviz import Value, optim
>>> w = Value(3.0, label="w")
>>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
>>> for _ in range(2):
...     opt.zero_grad()
...     loss = w * w
...     loss.backward()
...     opt.step()
>>> round(w.data, 4), float(opt.state[w]["momentum_buffer"])
(1.38, 10.2)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..context import enable_grad
from ..engine import Node, mark_modified
from ..trace import ParameterUpdate
from ..trace import active as active_trace

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
]


class Optimizer:
    """Base class: holds ``param_groups`` (dicts with 'params' and the hyperparameters, e.g. 'lr')
    and ``state`` (a dict from each parameter to its own dict of arrays).

    A subclass defines ``defaults`` and either its update rule, written once over an array namespace for
    every backend — ``rule(xp, p, g, state, group, lr, t)`` returning the new parameter and state arrays,
    with :meth:`initial_state` saying which arrays a parameter's state starts with — or
    ``_update(param, grad, state, group)``, which changes the numpy array `param` in place (numpy only).

    >>> from gradviz import Value
    >>> from gradviz.optim import Optimizer
    >>> class Descent(Optimizer):                  # plain gradient descent, written by hand
    ...     def __init__(self, params, lr=0.1):
    ...         super().__init__(params, {"lr": lr})
    ...     def _update(self, param, grad, state, group):
    ...         param -= group["lr"] * grad
    >>> w = Value(3.0)
    >>> opt = Descent([w], lr=0.25)
    >>> (w * w).backward()                         # ∂(w²)/∂w = 6
    >>> opt.step()
    >>> w.data, opt.lr
    (1.5, 0.25)
    """

    state_names: dict[str, str] = {}
    """What each entry of ``state[param]`` holds, in words."""

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = self._checked(dict(defaults))
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Node, dict[str, Any]] = {}
        if hasattr(params, "parameters") and callable(params.parameters):  # a Module
            params = params.parameters()
        if isinstance(params, Node):
            raise TypeError(
                f"{type(self).__name__} takes an iterable of parameters (e.g. model.parameters() or [w, b]), "
                "not a single Tensor/Value: wrap it in a list"
            )
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got an empty list of parameters: nothing to optimize")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (the others come from the defaults)."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError("a parameter group is a dict with a 'params' list (and optional hyperparameters)")
        params = group["params"]
        params = [params] if isinstance(params, Node) else list(params)
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        seen: set[int] = set()
        for i, p in enumerate(params):
            if not isinstance(p, Node):
                raise TypeError(
                    f"{type(self).__name__}: parameter {i} is a {type(p).__name__}, not a Tensor or Value; "
                    "pass model.parameters() or a list of Tensors/Values"
                )
            if not p.requires_grad:
                raise ValueError(
                    f"{type(self).__name__}: parameter {i} ({p.label or 'unnamed'}) does not require grad; create "
                    "it with requires_grad=True (Values do by default)"
                )
            if not p.is_leaf:
                raise ValueError(
                    f"{type(self).__name__}: parameter {i} ({p.label or 'unnamed'}) is the result of op "
                    f"{p.op!r}, not a leaf; optimize the leaves it was computed from"
                )
            if id(p) in taken or id(p) in seen:
                raise ValueError(f"{type(self).__name__}: parameter {p.label or i} appears twice")
            seen.add(id(p))
        full = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}, "params": params}
        for key in full:
            if key != "params" and key not in self.defaults:
                raise TypeError(
                    f"{type(self).__name__} has no hyperparameter {key!r}; it takes: {', '.join(self.defaults)}"
                )
        self.param_groups.append(self._checked(full))

    def _checked(self, group: dict[str, Any]) -> dict[str, Any]:
        """`group` with every hyperparameter checked by :func:`check_hyperparameter` (a subclass adds the rules
        that tie two of them together)."""
        who = type(self).__name__
        for key, value in group.items():
            if key in _LIMITS or key == "betas":
                group[key] = check_hyperparameter(key, value, who)
        return group

    @property
    def lr(self) -> float:
        """The learning rate of the first group (set it to change every group's)."""
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        value = check_hyperparameter("lr", value, type(self).__name__)
        for group in self.param_groups:
            group["lr"] = value

    def parameters(self) -> list[Node]:
        return [p for group in self.param_groups for p in group["params"]]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (None), or fill it with zeros when set_to_none=False."""
        for p in self.parameters():
            p.zero_grad(set_to_none)

    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient (those with ``grad is None`` are skipped).

        `closure`, if given, recomputes and returns the loss (after zero_grad and backward).
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        recording = active_trace()  # inside `with gradviz.trace()`: the step is part of the lesson
        moves: list[ParameterUpdate] = []
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {}
                if recording is not None:
                    before, gradient = _kept(p.data), _kept(p.grad)
                if p.is_scalar:
                    data = np.array(p.data, dtype=np.float64)
                    self._update(data, np.asarray(p.grad, dtype=np.float64), state, group)
                    p.data = float(data)
                else:
                    grad = p.grad
                    if grad.shape != p.data.shape:
                        raise ValueError(
                            f"{type(self).__name__}: {p.label or 'a parameter'} has shape {p.data.shape} but its "
                            f"gradient has shape {np.shape(grad)}"
                        )
                    if grad.dtype != p.data.dtype:
                        grad = grad.astype(p.data.dtype)
                    if not p.data.flags.writeable:  # e.g. a parameter made from np.broadcast_to
                        p.data = p.data.copy()
                    self._update(p.data, grad, state, group)
                mark_modified(p)  # a graph recorded before this step can no longer back-propagate
                if recording is not None:
                    hyper = {key: value for key, value in group.items() if key != "params"}
                    kept_state = {key: _kept(value) for key, value in state.items()}
                    moves.append(ParameterUpdate(p, before, gradient, _kept(p.data), hyper, kept_state))
        if recording is not None and moves:
            recording.record_update(type(self).__name__, moves)
        return loss

    tracks_steps = True
    """Whether ``state[param]`` counts the updates in 'step' (as torch: all but SGD)."""

    def initial_state(self, group: dict[str, Any]) -> dict[str, float]:
        """The arrays a parameter's state starts with, each by the number it is filled with."""
        return {}

    def rule(self, xp, p, g, state: dict, group: dict, lr, t):
        """One update, the same on every backend: the parameter `p` and its gradient `g` (arrays of `xp`, numpy or
        jax.numpy), its `state` arrays, the group's hyperparameters, the learning rate and the update's number `t`
        (1 for the first; a Python int on numpy, a traced integer on jax). Returns (new p, new state arrays)."""
        raise NotImplementedError

    def _in_place(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> bool:
        """The rule on numpy without temporaries, where a subclass has one for speed (SGD, Adam): the same
        arithmetic in the same order, so the numbers are the rule's exactly (tests check it); False: none."""
        return False

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        if type(self).rule is Optimizer.rule:
            raise NotImplementedError(f"{type(self).__name__} defines neither rule() nor _update()")
        if self._in_place(param, grad, state, group):
            return
        first = not state
        for key, fill in self.initial_state(group).items():
            if key not in state:
                state[key] = np.full_like(param, fill)
        t = state.get("step", 0) + 1 if self.tracks_steps else (1 if first else 2)
        arrays = {key: value for key, value in state.items() if key != "step"}
        new, arrays = self.rule(np, param, grad, arrays, group, group["lr"], t)
        param[...] = new  # in place: the parameter's array stays the one the model holds
        state.update(arrays)
        if self.tracks_steps:
            state["step"] = t

    # -- saving -----------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """{'state': {index: {name: array or number}}, 'param_groups': [{hyperparameters, 'params': [index]}]}
        with parameters numbered in group order (as torch); arrays are copies."""
        index = {id(p): i for i, p in enumerate(self.parameters())}
        state = {
            index[id(p)]: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
            for p, s in self.state.items()
            if id(p) in index
        }
        groups = [
            {**{k: v for k, v in g.items() if k != "params"}, "params": [index[id(p)] for p in g["params"]]}
            for g in self.param_groups
        ]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and per-parameter state saved by :meth:`state_dict`."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups) or any(
            len(g["params"]) != len(own["params"]) for g, own in zip(groups, self.param_groups, strict=False)
        ):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the saved groups hold "
                f"{[len(g['params']) for g in groups]} parameters, this optimizer's "
                f"{[len(g['params']) for g in self.param_groups]}"
            )
        params = self.parameters()
        for saved, own in zip(groups, self.param_groups, strict=False):
            own.update(self._checked({**own, **{k: v for k, v in saved.items() if k != "params"}}))
        self.state = {}
        for i, s in state_dict["state"].items():
            p = params[int(i)]
            self.state[p] = {
                k: (
                    np.array(v, dtype=p.data.dtype if not p.is_scalar else np.float64)
                    if isinstance(v, np.ndarray)
                    else v
                )
                for k, v in s.items()
            }

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"


def _kept(value):
    """A number as it is now (an array copied: the optimizer changes it in place)."""
    return value.copy() if isinstance(value, np.ndarray) else value


@dataclass(frozen=True)
class _Limit:
    """The values torch.optim accepts for one hyperparameter, and the words of its message."""

    words: str  # torch's: "Invalid learning rate: -1"
    low: float | None = 0.0  # included
    high: float | None = None
    high_included: bool = False

    def holds(self, value: float) -> bool:
        # written as torch writes it (`not 0.0 <= value`), so nan fails every range
        if self.low is not None and not self.low <= value:
            return False
        if self.high is not None and not (value <= self.high if self.high_included else value < self.high):
            return False
        return not math.isnan(value)

    def describe(self) -> str:
        if self.high is None:
            return f"a number ≥ {self.low:g}" if self.low is not None else "a number (not nan)"
        return f"in [{self.low:g}, {self.high:g}{']' if self.high_included else ')'}"


_BETA = _Limit("beta parameter at index {index}", 0.0, 1.0)
_LIMITS: dict[str, _Limit] = {
    "lr": _Limit("learning rate"),
    "momentum": _Limit("momentum value"),
    "dampening": _Limit("dampening value", low=None),  # torch sets no range: any number
    "weight_decay": _Limit("weight_decay value"),
    "eps": _Limit("epsilon value"),
    "lr_decay": _Limit("lr_decay value"),
    "initial_accumulator_value": _Limit("initial_accumulator_value value"),
    "rho": _Limit("rho value", 0.0, 1.0, high_included=True),
    "alpha": _Limit("alpha value"),
}
"""Every numeric hyperparameter's valid range, as torch.optim checks it (betas: each in [0, 1)).

>>> from gradviz.optim.optimizers import _LIMITS
>>> _LIMITS["rho"].describe(), _LIMITS["lr"].describe()
('in [0, 1]', 'a number ≥ 0')
"""


def check_hyperparameter(name: str, value, who: str = "", *, rule: str | None = None):
    """`value` checked against hyperparameter `name`'s range (:data:`_LIMITS`), as a float (betas: a pair).

    The one check behind every optimizer's arguments, its parameter groups and ``optimizer.lr = ...``:
    the conditions are torch.optim's, and so is the start of the message; nan is refused everywhere.
    `rule` reads another name's range (Keras' ``learning_rate`` is checked as ``lr``).

    >>> from gradviz.optim.optimizers import check_hyperparameter
    >>> check_hyperparameter("betas", (0.0, 0.999))
    (0.0, 0.999)
    >>> check_hyperparameter("betas", (float("nan"), 0.9), "Adam")
    Traceback (most recent call last):
    ...
    ValueError: Adam: Invalid beta parameter at index 0: nan. betas[0] must be in [0, 1)
    """
    prefix = f"{who}: " if who else ""
    if (rule or name) == "betas":
        if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)) or len(value) != 2:
            raise TypeError(f"{prefix}betas must be a pair (beta1, beta2), got {value!r}")
        return tuple(_checked(f"{name}[{i}]", beta, _BETA, prefix, index=i) for i, beta in enumerate(value))
    return _checked(name, value, _LIMITS[rule or name], prefix)


def _checked(name: str, value, limit: _Limit, prefix: str, index: int | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{prefix}{name} must be a number, got {value!r}")
    number = float(value)
    if not limit.holds(number):
        words = limit.words.format(index=index)
        raise ValueError(f"{prefix}Invalid {words}: {value}. {name} must be {limit.describe()}")
    return number


def lerp(start, end, weight: float):
    """start + weight·(end − start) as torch.lerp computes it: from the nearer end, so a weight of 1 gives `end`
    exactly (start + 1·(end − start) loses a small end next to a large start)."""
    return start + weight * (end - start) if abs(weight) < 0.5 else end - (end - start) * (1 - weight)


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float, scratch: np.ndarray) -> None:
    """:func:`lerp` in place into `start` (numpy), with `scratch` for the difference."""
    np.subtract(end, start, out=scratch)
    if abs(weight) < 0.5:
        scratch *= weight
        start += scratch
    else:
        scratch *= 1 - weight
        np.subtract(end, scratch, out=start)


def _first(t, xp, first, later):
    """`first` on the first update (t = 1), else `later`; t is a number on numpy, traced on jax."""
    if isinstance(t, int):
        return xp.array(first, copy=True) if t == 1 else later
    return xp.where(t == 1, first, later)


def _count(t, dtype):
    """The update's number as a float of the parameters' dtype on jax (a Python int stays one)."""
    return t if isinstance(t, int) else t.astype(dtype)


class SGD(Optimizer):
    """Stochastic gradient descent, torch semantics: with weight decay d, momentum μ, dampening τ,

    g ← ∇ + d·w;  v ← g (first step), else v ← μ·v + (1 − τ)·g;  g ← g + μ·v (Nesterov) or v;  w ← w − lr·g.

    momentum=0 is plain gradient descent, w ← w − lr·∇. The velocity v is
    ``state[w]['momentum_buffer']``.

    >>> from gradviz import Value
    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.5)
    >>> (w * w).backward(); opt.step(); w.data
    0.0
    """

    state_names = {"momentum_buffer": "the velocity v (a running sum of gradients)"}

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=bool(nesterov),
        )
        super().__init__(params, defaults)

    def _checked(self, group: dict[str, Any]) -> dict[str, Any]:
        group = super()._checked(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{type(self).__name__}: Nesterov momentum requires a momentum and zero dampening (momentum > 0, "
                f"dampening = 0), got momentum={group['momentum']:g}, dampening={group['dampening']:g}"
            )
        return group

    tracks_steps = False

    def initial_state(self, group):
        return {"momentum_buffer": 0.0} if group["momentum"] else {}

    def rule(self, xp, p, g, state, group, lr, t):
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        if weight_decay:
            g = g + weight_decay * p
        if momentum:
            # the first step's velocity is the gradient itself (torch's rule), later ones μ·v + (1 − τ)·g
            velocity = _first(t, xp, g, state["momentum_buffer"] * momentum + (1 - group["dampening"]) * g)
            state = {"momentum_buffer": velocity}
            g = g + momentum * velocity if group["nesterov"] else velocity
        return p - lr * g, state

    def _in_place(self, param, grad, state, group):
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        if weight_decay:
            grad = grad + weight_decay * param
        if momentum:
            velocity = state.get("momentum_buffer")
            if velocity is None:
                velocity = np.array(grad, copy=True)
            else:
                velocity *= momentum
                velocity += (1 - group["dampening"]) * grad
            state["momentum_buffer"] = velocity
            grad = grad + momentum * velocity if group["nesterov"] else velocity
        param -= group["lr"] * grad
        return True


class Momentum(SGD):
    """SGD with (heavy-ball) momentum: v ← μ·v + ∇, w ← w − lr·v (μ = 0.9 by default).

    >>> from gradviz import Value
    >>> Momentum([Value(1.0)], lr=0.1).defaults["momentum"]
    0.9
    """

    def __init__(
        self, params, lr: float = 1e-3, momentum: float = 0.9, dampening: float = 0.0, weight_decay: float = 0.0
    ):
        super().__init__(params, lr, momentum, dampening, weight_decay, nesterov=False)


class Nesterov(SGD):
    """Nesterov accelerated gradient (NAG), torch's formulation: v ← μ·v + ∇, w ← w − lr·(∇ + μ·v).

    >>> from gradviz import Value
    >>> Nesterov([Value(1.0)], lr=0.1).defaults["nesterov"]
    True
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.9, weight_decay: float = 0.0):
        super().__init__(params, lr, momentum, 0.0, weight_decay, nesterov=True)


NAG = Nesterov


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients.

    G ← G + ∇²;  w ← w − lr_t · ∇ / (√G + ε), with lr_t = lr / (1 + (t − 1)·lr_decay).
    G is ``state[w]['sum']``.

    >>> from gradviz import Value
    >>> w = Value(1.0)
    >>> opt = Adagrad([w], lr=0.1)
    >>> (w * w).backward(); opt.step(); round(w.data, 6)
    0.9
    """

    state_names = {"step": "the number of updates t", "sum": "G, the sum of squared gradients"}

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        super().__init__(params, defaults)

    def initial_state(self, group):
        return {"sum": group["initial_accumulator_value"]}

    def rule(self, xp, p, g, state, group, lr, t):
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        rate = lr / (1 + (_count(t, p.dtype) - 1) * group["lr_decay"])
        total = state["sum"] + g * g
        std = xp.sqrt(total) + group["eps"]
        return p - rate * (g / std), {"sum": total}


class Adadelta(Optimizer):
    """Adadelta: steps scaled by the ratio of running RMS of past steps to running RMS of gradients.

    E[∇²] ← ρ·E[∇²] + (1 − ρ)·∇²;  Δ = √(E[Δ²] + ε) / √(E[∇²] + ε) · ∇;
    E[Δ²] ← ρ·E[Δ²] + (1 − ρ)·Δ²;  w ← w − lr·Δ. E[∇²] is 'square_avg', E[Δ²] 'acc_delta'.

    >>> from gradviz import Value
    >>> w = Value(1.0)
    >>> opt = Adadelta([w])
    >>> (w * w).backward(); opt.step(); round(w.data, 5)
    0.99684
    """

    state_names = {
        "square_avg": "E[∇²], the running average of squared gradients",
        "acc_delta": "E[Δ²], the running average of squared updates",
    }

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def initial_state(self, group):
        return {"square_avg": 0.0, "acc_delta": 0.0}

    def rule(self, xp, p, g, state, group, lr, t):
        rho, eps = group["rho"], group["eps"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        square_avg = state["square_avg"] * rho + (1 - rho) * (g * g)
        std = xp.sqrt(square_avg + eps)
        delta = xp.sqrt(state["acc_delta"] + eps) / std * g
        acc_delta = state["acc_delta"] * rho + (1 - rho) * (delta * delta)
        return p - lr * delta, {"square_avg": square_avg, "acc_delta": acc_delta}


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root-mean-square of recent gradients.

    E[∇²] ← α·E[∇²] + (1 − α)·∇²;  w ← w − lr·∇ / (√E[∇²] + ε). `centered` subtracts the
    squared running mean of ∇ first; `momentum` adds a velocity on top. E[∇²] is 'square_avg'.

    >>> from gradviz import Value
    >>> w = Value(1.0)
    >>> opt = RMSprop([w], lr=0.01)
    >>> (w * w).backward(); opt.step(); round(w.data, 4)
    0.9
    """

    state_names = {
        "square_avg": "E[∇²], the running average of squared gradients",
        "grad_avg": "E[∇], the running average of gradients (centered=True)",
        "momentum_buffer": "the velocity (momentum > 0)",
    }

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=bool(centered),
        )
        super().__init__(params, defaults)

    def initial_state(self, group):
        state = {"square_avg": 0.0}
        if group["momentum"] > 0:
            state["momentum_buffer"] = 0.0
        if group["centered"]:
            state["grad_avg"] = 0.0
        return state

    def rule(self, xp, p, g, state, group, lr, t):
        alpha, momentum = group["alpha"], group["momentum"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        out = dict(state)
        out["square_avg"] = state["square_avg"] * alpha + (1 - alpha) * (g * g)
        if group["centered"]:
            out["grad_avg"] = lerp(state["grad_avg"], g, 1 - alpha)  # torch's lerp: exactly g for α = 0
            # E[∇²] − E[∇]² ≥ 0 in exact arithmetic; rounding can take it below 0 when the variance is ~0 (α = 0,
            # a constant gradient), where torch's fused multiply-add gives sqrt(−tiny) = nan: 0 keeps it finite
            avg = xp.sqrt(xp.maximum(out["square_avg"] - out["grad_avg"] * out["grad_avg"], 0.0))
        else:
            avg = xp.sqrt(out["square_avg"])
        avg = avg + group["eps"]
        if momentum > 0:
            out["momentum_buffer"] = state["momentum_buffer"] * momentum + g / avg
            return p - lr * out["momentum_buffer"], out
        return p - lr * (g / avg), out


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMSprop's scaling, both bias-corrected.

    m ← β₁·m + (1 − β₁)·∇;  v ← β₂·v + (1 − β₂)·∇²;  w ← w − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
    m is ``state[w]['exp_avg']``, v ``state[w]['exp_avg_sq']``; `amsgrad` uses the running
    maximum of v ('max_exp_avg_sq'). `weight_decay` adds d·w to the gradient (L2, as torch's Adam).

    >>> from gradviz import Value
    >>> w = Value(1.0)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).backward(); opt.step(); round(w.data, 6)
    0.9
    """

    state_names = {
        "step": "the number of updates t",
        "exp_avg": "m, the running average of gradients (momentum)",
        "exp_avg_sq": "v, the running average of squared gradients",
        "max_exp_avg_sq": "the running maximum of v (amsgrad=True)",
    }
    _decoupled = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=bool(amsgrad),
        )
        super().__init__(params, defaults)

    def initial_state(self, group):
        state = {"exp_avg": 0.0, "exp_avg_sq": 0.0}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = 0.0
        return state

    def rule(self, xp, p, g, state, group, lr, t):
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        if weight_decay:
            if self._decoupled:
                p = p * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * p
        out = dict(state)
        out["exp_avg"] = lerp(state["exp_avg"], g, 1 - beta1)  # exactly g for β1 = 0
        out["exp_avg_sq"] = state["exp_avg_sq"] * beta2 + (g * g) * (1 - beta2)
        t = _count(t, p.dtype)
        step_size = lr / (1 - beta1**t)
        # on numpy a Python float, so that a float32 model stays float32 (a numpy float64 scalar would promote it)
        bias_correction2_sqrt = math.sqrt(1 - beta2**t) if isinstance(t, int) else xp.sqrt(1 - beta2**t)
        second = out["exp_avg_sq"]
        if group["amsgrad"]:
            second = out["max_exp_avg_sq"] = xp.maximum(state["max_exp_avg_sq"], second)
        denom = xp.sqrt(second) / bias_correction2_sqrt + group["eps"]
        return p - (out["exp_avg"] / denom) * step_size, out

    def _in_place(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        lr, weight_decay = group["lr"], group["weight_decay"]
        for key, fill in self.initial_state(group).items():
            if key not in state:
                state[key] = np.full_like(param, fill)
        state["step"] = step = state.get("step", 0) + 1
        if weight_decay:
            if self._decoupled:
                param *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        # rule()'s lines, in their order, in one scratch array: a large layer would otherwise allocate nine
        # temporaries every step
        scratch = np.empty_like(param)
        _lerp_(exp_avg, grad, 1 - beta1, scratch)
        exp_avg_sq *= beta2
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - beta2
        exp_avg_sq += scratch
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = math.sqrt(1 - beta2**step)
        second = exp_avg_sq
        if group["amsgrad"]:
            second = state["max_exp_avg_sq"]
            np.maximum(second, exp_avg_sq, out=second)
        np.sqrt(second, out=scratch)
        scratch /= bias_correction2_sqrt
        scratch += group["eps"]
        np.divide(exp_avg, scratch, out=scratch)
        scratch *= step_size
        param -= scratch
        return True


class AdamW(Adam):
    """Adam with decoupled weight decay: w ← w·(1 − lr·d) before the Adam step (d = 0.01 by default).

    >>> from gradviz import Value
    >>> AdamW([Value(1.0)]).defaults["weight_decay"]
    0.01
    """

    _decoupled = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


OPTIMIZERS: dict[str, type] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "nag": Nesterov,
    "adagrad": Adagrad,
    "adadelta": Adadelta,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}
"""Optimizer names accepted by :func:`get_optimizer` (case-insensitive).

>>> from gradviz import Value, optim
>>> optim.OPTIMIZERS["nag"] is optim.Nesterov
True
>>> optim.OPTIMIZERS["adam"]([Value(1.0)], lr=0.01).lr
0.01
"""


def get_optimizer(name: str, params: Iterable, **hyperparameters) -> Optimizer:
    """Build an optimizer by name; unknown names list the valid ones.

    >>> from gradviz import Value
    >>> get_optimizer("adam", [Value(1.0)], lr=0.01).lr
    0.01
    """
    if not isinstance(name, str) or name.lower() not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name.lower()](params, **hyperparameters)
