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

    A subclass defines ``defaults`` and ``_update(param, grad, state, group)``, which changes the
    numpy array `param` in place.

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
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {}
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
        return loss

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        raise NotImplementedError

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


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float, scratch: np.ndarray) -> None:
    """start ← start + weight·(end − start) in place, as torch.lerp_ computes it: from the nearer end, so a
    weight of 1 gives `end` exactly (start + 1·(end − start) loses a small end next to a large start)."""
    np.subtract(end, start, out=scratch)
    if abs(weight) < 0.5:
        scratch *= weight
        start += scratch
    else:
        scratch *= 1 - weight
        np.subtract(end, scratch, out=start)


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

    def _update(self, param, grad, state, group):
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

    def _update(self, param, grad, state, group):
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(param, group["initial_accumulator_value"])
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total = state["sum"]
        total += grad * grad
        std = np.sqrt(total) + group["eps"]
        param -= lr * (grad / std)


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

    def _update(self, param, grad, state, group):
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            state["acc_delta"] = np.zeros_like(param)
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * (grad * grad)
        std = np.sqrt(square_avg + eps)
        delta = np.sqrt(acc_delta + eps) / std * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * (delta * delta)
        param -= group["lr"] * delta


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

    def _update(self, param, grad, state, group):
        alpha, momentum = group["alpha"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param)
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param)
        state["step"] += 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * param
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * (grad * grad)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            _lerp_(grad_avg, grad, 1 - alpha, np.empty_like(grad_avg))  # torch's lerp: exactly g for α = 0
            # E[∇²] − E[∇]² ≥ 0 in exact arithmetic; rounding can take it below 0 when the variance is ~0 (α = 0,
            # a constant gradient), where torch's fused multiply-add gives sqrt(−tiny) = nan: 0 keeps it finite
            avg = np.sqrt(np.maximum(square_avg - grad_avg * grad_avg, 0.0))
        else:
            avg = np.sqrt(square_avg)
        avg = avg + group["eps"]
        if momentum > 0:
            velocity = state.setdefault("momentum_buffer", np.zeros_like(param))
            velocity *= momentum
            velocity += grad / avg
            param -= group["lr"] * velocity
        else:
            param -= group["lr"] * (grad / avg)


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

    def _update(self, param, grad, state, group):
        beta1, beta2 = group["betas"]
        lr, weight_decay = group["lr"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_avg_sq"] = np.zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(param)
        state["step"] += 1
        step = state["step"]
        if weight_decay:
            if self._decoupled:
                param *= 1 - lr * weight_decay
            else:
                grad = grad + weight_decay * param
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        # the same arithmetic, in the same order, as the textbook lines in the comments, done in one
        # scratch array: a large layer would otherwise allocate nine temporaries every step
        scratch = np.empty_like(param)
        _lerp_(exp_avg, grad, 1 - beta1, scratch)  # exp_avg ← lerp(exp_avg, g, 1 − β1): exactly g for β1 = 0
        exp_avg_sq *= beta2  # exp_avg_sq = β2·exp_avg_sq + (1 − β2)·g²
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - beta2
        exp_avg_sq += scratch
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = math.sqrt(1 - beta2**step)
        if group["amsgrad"]:
            second = state.setdefault("max_exp_avg_sq", np.zeros_like(param))
            np.maximum(second, exp_avg_sq, out=second)
        else:
            second = exp_avg_sq
        np.sqrt(second, out=scratch)  # denom = √second / √(1 − β2^t) + ε
        scratch /= bias_correction2_sqrt
        scratch += group["eps"]
        np.divide(exp_avg, scratch, out=scratch)  # param −= step_size · exp_avg / denom
        scratch *= step_size
        param -= scratch


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
