"""The op registry: every operation declared once — forward, derivative rules, symbol and formulas.

Each op is written against an array namespace `xp` (``gradviz.xp.scalar``, ``numpy`` or, later,
``jax.numpy``), so the scalar engine, the tensor engine, the renderers and other backends all read
the same declaration. An elementwise op declares its *local derivative* per input (the engine
multiplies by the upstream gradient and sums away broadcast dimensions); any other op declares its
*vector-Jacobian product* per input. Formulas are templates over the input names (``{a}``,
``{b}``), the output (``{out}``) and the op's parameters; renderers fill in the nodes' labels. A formula is
math, the same in every language; one with a condition is a :class:`Piecewise` whose words ("if",
"otherwise") come from the message catalogue in the language asked for, and one that depends on a parameter
(the power rule: ``2·v`` for ``v²``) is a function of the parameters.

>>> from gradviz.ops import OPS
>>> OPS["mul"].symbol, OPS["mul"].rules[0].text
('×', '{b}')
>>> OPS["leaky_relu"].format_local(0, ["v"], "y", {"alpha": 0.01}, language="es")
'1 si v > 0; 0.01 si no'
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .i18n import message

__all__ = ["Op", "Rule", "Piecewise", "OPS", "op", "scalar_ops"]


class Piecewise:
    r"""A formula by cases, as a derivative with a condition is written: rows of (value, condition) templates,
    the last condition None for "otherwise"; `latex` gives the rows in LaTeX when they differ from the text.
    Its words come from the catalogue (``formulas.*``) in the language a formula is asked for.

    >>> step = Piecewise(("1", "{a} > 0"), ("0", None))
    >>> step.template(language="en"), step.template(language="es")
    ('1 if {a} > 0; 0 otherwise', '1 si {a} > 0; 0 si no')
    >>> print(OPS["relu"].format_local(0, ["v"], "y", latex=True, language="es"))   # the template, filled in
    \begin{cases} 1 & v > 0 \\ 0 & \text{si no} \end{cases}
    """

    __slots__ = ("rows", "latex_rows")

    def __init__(self, *rows: tuple[str, str | None], latex: tuple[tuple[str, str | None], ...] | None = None):
        if not rows or any(condition is None for _, condition in rows[:-1]):
            raise ValueError("Piecewise: give (value, condition) rows; only the last condition may be None")
        self.rows = tuple(rows)
        self.latex_rows = tuple(latex) if latex is not None else self.rows

    def template(self, latex: bool = False, language: str | None = None) -> str:
        """The formula as one template in `language` (default: the one in use): rows joined by "; " in text, a
        ``cases`` environment in LaTeX (see the class's example)."""
        if not latex:
            return "; ".join(
                message("formulas.otherwise", language, value=value)
                if condition is None
                else message("formulas.case", language, value=value, condition=condition)
                for value, condition in self.rows
            )
        otherwise = message("formulas.otherwise_latex", language).replace("{", "{{").replace("}", "}}")
        rows = [f"{value} & {otherwise if condition is None else condition}" for value, condition in self.latex_rows]
        return r"\begin{{cases}} " + r" \\ ".join(rows) + r" \end{{cases}}"

    def __repr__(self) -> str:
        return f"Piecewise{self.rows!r}"


@dataclass(frozen=True)
class Rule:
    """How the output changes with one input: a local derivative (elementwise ops) or a VJP.

    >>> from gradviz.ops import OPS
    >>> rule = OPS["mul"].rules[0]                 # ∂(a·b)/∂a = b
    >>> rule.input, rule.text, rule.local(None, 6.0, 2.0, 3.0)
    ('a', '{b}', 3.0)
    >>> OPS["matmul"].rules[0].vjp is not None     # not elementwise: a vector-Jacobian product
    True
    """

    input: str
    # the local derivative, as a template ("{b}" for ∂(a·b)/∂a), a Piecewise, or a function of the op's
    # parameters returning either (see `formula`)
    text: Any
    latex: Any
    local: Callable | None = None  # (xp, out, *inputs, **params) -> ∂out/∂input, elementwise
    vjp: Callable | None = None  # (xp, g, out, *inputs, **params) -> g·∂out/∂input
    constant: float | None = None  # the local derivative when it is a constant (add: 1), so loops skip the call
    equals: int | None = None  # the local derivative is this input's value (mul: ∂(a·b)/∂a = b, input 1)
    # a selection (relu, max, clip, where): where the local derivative is 0 the input gets exactly 0,
    # even from a nan or inf upstream gradient — as torch's masked backward does
    selects: bool = False

    def formula(self, params: dict[str, Any] | None = None, latex: bool = False, language: str | None = None) -> str:
        """The rule's formula as a template over the op's names, for `params` and in `language` (default: the
        one in use): a Piecewise one with its words in that language, a parameter-dependent one made for `params`.

        >>> from gradviz.ops import OPS
        >>> OPS["relu"].rules[0].formula(language="es")
        '1 si {a} > 0; 0 si no'
        >>> OPS["pow"].rules[0].formula({"exponent": 2}), OPS["pow"].rules[0].formula({"exponent": 3})
        ('{exponent}·{a}', '{exponent}·{a}²')
        """
        written = self.latex if latex else self.text
        if callable(written):
            written = written(**(params or {}))
        if isinstance(written, Piecewise):
            written = written.template(latex, language)
        return written


@dataclass(eq=False)
class Op:
    """One registered operation. Call it through Value/Tensor methods or gradviz.functional.

    >>> from gradviz.ops import OPS
    >>> tanh = OPS["tanh"]
    >>> tanh, tanh.inputs, tanh.elementwise
    (<op tanh 'tanh'>, ('a',), True)
    >>> tanh.format(["x"]), tanh.format_local(0, ["x"], "y")     # ∂tanh(x)/∂x = 1 − y², y = tanh(x)
    ('tanh(x)', '1 − y²')
    """

    name: str
    symbol: str
    forward: Callable
    text: str  # the forward formula, e.g. "{a} + {b}"
    latex: str
    elementwise: bool = True
    scalar: bool = True  # available on Value
    domain: str = ""  # what the op needs to stay finite; non-empty: the engine checks each result and warns
    inputs: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    variadic: bool = False
    doc: str = ""
    activation: bool = False  # usable as a layer's activation: activation="name" in nn and keras
    rules: list[Rule] = field(default_factory=list)
    locals: tuple = ()  # per input: the local-derivative function, the constant (a float) or an input (int), for hot loops
    selects: bool = False  # some rule is a selection (see Rule.selects)
    plan: tuple = ()  # per rule: (constant, local, vjp, selects), unpacked in the tensor engine's loop
    # for an op that adds terms up (+, −, Σ, @): (xp, *inputs, **params) -> the size of those terms,
    # elementwise; a result far smaller than it is round-off, which pictures show as 0 (gradviz.viz.format.snap)
    magnitude: Callable | None = None
    # op(a, b) = op(b, a): with one node as both inputs (x · x) the two gradients are the same numbers, computed once
    symmetric: bool = False
    # the forward as one C function of the inputs alone (operator.add for add), which Value's and Tensor's fast
    # paths call instead of `forward`: one Python call less per node (tests hold the two equal, bit for bit)
    native: Callable | None = None

    def __repr__(self) -> str:
        return f"<op {self.name} {self.symbol!r}>"

    def derivative(
        self,
        input: str,
        text: Any,
        latex: Any = None,
        *,
        constant: float | None = None,
        selects: bool = False,
        equals: str | None = None,
    ):
        """Declare ∂out/∂input for an elementwise op (decorator), or pass `constant=` when it is a number.

        `text` and `latex` are the formula: a template (``"{b}"``), a :class:`Piecewise` for a derivative with a
        condition (its words in every language), or a function of the op's parameters returning either (the power
        rule). `selects=True` marks a selection (relu, max, clip, where): a 0 local derivative blocks the
        upstream gradient entirely, nan and inf included. `equals="b"` says the local derivative is input b itself
        (∂(a·b)/∂a = b), so the scalar engine's loop reads it without a call.
        """
        latex = latex if latex is not None else text
        if equals is not None:
            if equals not in self.inputs:
                raise ValueError(f"op {self.name!r} has no input {equals!r}; inputs are {self.inputs}")
            k = self.inputs.index(equals)
            self._add(Rule(input, text, latex, local=lambda xp, out, *inputs, **params: inputs[k], equals=k))
            return None
        if constant is not None:
            value = float(constant)
            self._add(Rule(input, text, latex, local=lambda xp, out, *inputs, **params: value, constant=value))
            return None

        def register(fn: Callable) -> Callable:
            self._add(Rule(input, text, latex, local=fn, selects=selects))
            return fn

        return register

    def vjp(self, input: str, text: Any, latex: Any = None) -> Callable:
        """Declare the vector-Jacobian product for one input of a non-elementwise op (decorator); `text` and
        `latex` as for :meth:`derivative`."""

        def register(fn: Callable) -> Callable:
            self._add(Rule(input, text, latex if latex is not None else text, vjp=fn))
            return fn

        return register

    def _add(self, rule: Rule) -> None:
        if rule.input not in self.inputs:
            raise ValueError(f"op {self.name!r} has no input {rule.input!r}; inputs are {self.inputs}")
        self.rules.append(rule)
        self.rules.sort(key=lambda r: self.inputs.index(r.input))
        if rule.local is not None:
            self.locals = tuple(  # the scalar loop's: a constant (float), an input's index (int), or the function
                r.constant if r.constant is not None else r.equals if r.equals is not None else r.local
                for r in self.rules
            )
        self.selects = any(r.selects for r in self.rules)
        self.plan = tuple((r.constant, r.local, r.vjp, r.selects) for r in self.rules)

    def rule(self, index: int) -> Rule:
        """The rule for input number `index` (variadic ops share one rule)."""
        return self.rules[0] if self.variadic else self.rules[index]

    def format(
        self,
        labels: list[str],
        params: dict[str, Any] | None = None,
        latex: bool = False,
        *,
        number: Callable[[float], str] | None = None,
        separator: str = ", ",
    ) -> str:
        """The forward formula with the inputs' labels filled in: ``x + y``; `number` writes the numbers among the
        parameters (default: as Python prints them) and `separator` separates list items (``"; "`` beside a
        decimal comma).

        >>> from gradviz.ops import OPS
        >>> OPS["clip"].format(["v"], {"low": 0.5, "high": 1.5}, number=lambda x: str(x).replace(".", ","),
        ...                    separator="; ")
        'clip(v; 0,5; 1,5)'
        """
        return _fill(self.latex if latex else self.text, self, labels, "", params, number, separator)

    def format_local(
        self,
        index: int,
        labels: list[str],
        out: str,
        params: dict[str, Any] | None = None,
        latex: bool = False,
        *,
        language: str | None = None,
        number: Callable[[float], str] | None = None,
        separator: str = ", ",
    ) -> str:
        """The local derivative ∂out/∂input with labels filled in: ``z`` for ∂(q·z)/∂q; its words (a derivative by
        cases) in `language` (default: the one in use), `number` and `separator` as for :meth:`format`.

        >>> from gradviz.ops import OPS
        >>> OPS["pow"].format_local(0, ["v"], "y", {"exponent": 2})
        '2·v'
        >>> OPS["leaky_relu"].format_local(0, ["v"], "y", {"alpha": 0.01}, language="en")
        '1 if v > 0; 0.01 otherwise'
        """
        rule = self.rule(index)
        template = rule.formula(params, latex, language)
        return _fill(template, self, labels, out, params, number, separator)


def _fill(
    template: str,
    op: Op,
    labels: list[str],
    out: str,
    params: dict[str, Any] | None,
    number: Callable[[float], str] | None = None,
    separator: str = ", ",
) -> str:
    names = {"out": out}
    if op.variadic:
        names["xs"] = separator.join(labels)
    else:
        names.update(zip(op.inputs, labels, strict=False))
    for key, value in (params or {}).items():
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        names[key] = number(value) if number is not None and numeric else _short(value, separator)
    if separator != ", ":
        template = template.replace(", ", separator)
    return template.format(**names)


def _short(value: Any, separator: str = ", ") -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple):
        return "(" + separator.join(_short(v, separator) for v in value) + ("," if len(value) == 1 else "") + ")"
    if hasattr(value, "shape") and getattr(value, "ndim", 0) > 0:
        return f"array{tuple(value.shape)}"
    return str(value)


class _Registry(dict):
    """The op table; whoever makes something of each op (Value and Tensor methods) is told when one is added or
    removed, so that declaring an op is all it takes, and removing it leaves nothing behind."""

    def __init__(self) -> None:
        super().__init__()
        self.listeners: list[Callable[[str, Op | None], None]] = []

    def listen(self, listener: Callable[[str, Op | None], None]) -> None:
        """Call `listener(name, op)` for every op there is and each one added later; (name, None) on removal."""
        self.listeners.append(listener)
        for name, declared in list(self.items()):
            listener(name, declared)

    def __setitem__(self, name: str, declared: Op) -> None:
        super().__setitem__(name, declared)
        for listener in self.listeners:
            listener(name, declared)

    def __delitem__(self, name: str) -> None:
        super().__delitem__(name)
        for listener in self.listeners:
            listener(name, None)


OPS: dict[str, Op] = _Registry()
"""Every registered op by name: the one declaration the engines, the renderers and the backends read.

>>> from gradviz.ops import OPS
>>> OPS["mul"].symbol, OPS["mul"].format(["q", "z"])
('×', 'q · z')
>>> sorted(OPS)[:4]
['abs', 'add', 'binary_cross_entropy', 'binary_cross_entropy_with_logits']
"""


def op(
    name: str,
    *,
    symbol: str,
    text: str,
    latex: str | None = None,
    elementwise: bool = True,
    scalar: bool = True,
    domain: str = "",
    activation: bool = False,
    magnitude: Callable | None = None,
    symmetric: bool = False,
    native: Callable | None = None,
) -> Callable[[Callable], Op]:
    """Register an op from its forward function ``fn(xp, *inputs, **params)`` (decorator).

    The decorated name becomes the Op; declare each input's derivative on it. That one declaration is the
    whole op: an elementwise op of one input and no parameters is then a method of Value and Tensor
    (``x.cube()``), a function of :mod:`gradviz.functional` (``F.cube``) and of the formulas the command
    line draws; ``activation=True`` makes it an activation (``Dense(4, activation="cube")``, also on the JAX
    backend, which runs every op's forward over jax.numpy). An op that adds terms up declares their size
    as `magnitude` ``(xp, *inputs, **params)``, so that pictures show its round-off as 0. An op whose forward is
    one of Python's operators may name it as `native` (``operator.add``): the engines' fast paths call it directly.

    >>> from gradviz import Value
    >>> from gradviz.engine import apply
    >>> from gradviz.ops import OPS, op
    >>> @op("cube", symbol="³", text="{a}³", latex="{a}^3")
    ... def cube(xp, a):
    ...     return a * a * a
    >>> derivative = cube.derivative("a", "3·{a}²")(lambda xp, out, a: 3 * a * a)
    >>> x = Value(2.0, label="x")
    >>> y = apply(cube, (x,))
    >>> y.backward()
    >>> y.data, x.grad, cube.format_local(0, ["x"], "y")
    (8.0, 12.0, '3·x²')
    >>> del OPS["cube"]                         # leave the registry as it was
    """

    def register(fn: Callable) -> Op:
        signature = inspect.signature(fn)
        positional = [
            p for p in list(signature.parameters.values())[1:] if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        variadic = any(p.kind is p.VAR_POSITIONAL for p in signature.parameters.values())
        params = tuple(p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY)
        inputs = ("xs",) if variadic else tuple(p.name for p in positional)
        declared = Op(
            name=name,
            symbol=symbol,
            forward=fn,
            text=text,
            latex=latex if latex is not None else text,
            elementwise=elementwise,
            scalar=scalar,
            domain=domain,
            inputs=inputs,
            params=params,
            variadic=variadic,
            doc=(fn.__doc__ or "").strip(),
            activation=activation,
            magnitude=magnitude,
            symmetric=symmetric,
            native=native,
        )
        if name in OPS:
            raise ValueError(f"op {name!r} is declared twice")
        OPS[name] = declared
        return declared

    return register


def unary(name: str, scalar: bool = False) -> Op | None:
    """The registered elementwise op `name` of one input and no parameters (on Value too when `scalar`), else None:
    what Value and Tensor methods and gradviz.functional's functions are made from.

    >>> from gradviz.ops import unary
    >>> unary("tanh").name, unary("matmul"), unary("clip")
    ('tanh', None, None)
    """
    op = OPS.get(name)
    if op is None or not op.elementwise or op.variadic or op.params or len(op.inputs) != 1:
        return None
    return op if op.scalar or not scalar else None


def scalar_ops() -> list[Op]:
    """The ops the scalar Value engine supports.

    >>> from gradviz.ops import scalar_ops
    >>> names = [o.name for o in scalar_ops()]
    >>> "tanh" in names, "matmul" in names
    (True, False)
    """
    return [o for o in OPS.values() if o.scalar]


# ----------------------------------------------------------------------------------------------
# Arithmetic


@op(
    "add",
    symbol="+",
    text="{a} + {b}",
    magnitude=lambda xp, a, b: xp.abs(a) + xp.abs(b),
    symmetric=True,
    native=operator.add,
)
def add(xp, a, b):
    r"""a + b"""
    return a + b


add.derivative("a", "1", constant=1.0)
add.derivative("b", "1", constant=1.0)


@op(
    "sub",
    symbol="−",
    text="{a} − {b}",
    latex="{a} - {b}",
    magnitude=lambda xp, a, b: xp.abs(a) + xp.abs(b),
    native=operator.sub,
)
def sub(xp, a, b):
    r"""a - b"""
    return a - b


sub.derivative("a", "1", constant=1.0)
sub.derivative("b", "−1", "-1", constant=-1.0)


@op("neg", symbol="−", text="−{a}", latex="-{a}", native=operator.neg)
def neg(xp, a):
    r"""-a"""
    return -a


neg.derivative("a", "−1", "-1", constant=-1.0)


@op("mul", symbol="×", text="{a} · {b}", latex=r"{a} \cdot {b}", symmetric=True, native=operator.mul)
def mul(xp, a, b):
    r"""a \cdot b"""
    return a * b


mul.derivative("a", "{b}", equals="b")
mul.derivative("b", "{a}", equals="a")


@op("div", symbol="÷", text="{a} / {b}", latex=r"\frac{{{a}}}{{{b}}}", domain="a divisor other than 0")
def div(xp, a, b):
    r"""\frac{a}{b}"""
    return xp.divide(a, b)


div.derivative("a", "1/{b}", r"\frac{{1}}{{{b}}}")(lambda xp, out, a, b: xp.divide(1.0, b))
div.derivative("b", "−{a}/{b}²", r"-\frac{{{a}}}{{{b}^2}}")(lambda xp, out, a, b: xp.divide(-out, b))


@op(
    "pow",
    symbol="^",
    text="{a}^{exponent}",
    latex="{a}^{{{exponent}}}",
    domain="a positive base for a fractional exponent, a non-zero base for a negative one, and a result within float range (about ±1.8e308)",
)
def pow(xp, a, *, exponent):
    r"""a^n for a constant exponent n"""
    return xp.power(a, exponent)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _power_rule(exponent, latex: bool) -> str:
    """n·a^(n−1) as a person writes it: 2·v for v², 3·v² for v³, 1 for v; unsimplified for a fractional n."""
    if exponent == 0:
        return "0"
    if exponent == 1:
        return "1"
    if not float(exponent).is_integer():
        return r"{exponent}\,{a}^{{{exponent}-1}}" if latex else "{exponent}·{a}^({exponent}−1)"
    lower = int(exponent) - 1
    if lower == 1:
        return r"{exponent}\,{a}" if latex else "{exponent}·{a}"
    return r"{exponent}\,{a}^{{" + str(lower) + "}}" if latex else "{exponent}·{a}" + str(lower).translate(_SUPERSCRIPT)


# a^0 is the constant 1, so its derivative is 0 even at a = 0 (where 0·0^(−1) would be nan), as torch
pow.derivative("a", lambda *, exponent: _power_rule(exponent, False), lambda *, exponent: _power_rule(exponent, True))(
    lambda xp, out, a, *, exponent: exponent * xp.power(a, exponent - 1) if exponent != 0 else 0.0 * a
)


@op(
    "power",
    symbol="^",
    text="{a}^{b}",
    latex="{a}^{{{b}}}",
    domain="a positive base for a fractional exponent, a non-zero base for a negative one, and a result within float range (about ±1.8e308)",
)
def power(xp, a, b):
    r"""a^b where the exponent is itself a variable"""
    return xp.power(a, b)


# as for pow: where b = 0 the derivative is 0, not 0·0^(−1) = nan at a = 0 (torch agrees)
power.derivative("a", "{b}·{a}^({b}−1)", r"{b}\,{a}^{{{b}-1}}")(
    lambda xp, out, a, b: xp.where(b == 0, 0.0 * out, b * xp.power(a, b - 1))
)
# as torch: 0^b with b ≥ 0 contributes 0 rather than 0·log 0 = nan
power.derivative("b", "{a}^{b}·ln {a}", r"{a}^{{{b}}} \ln {a}")(
    lambda xp, out, a, b: xp.where((a == 0) & (b >= 0), 0.0 * out, out * xp.log(a))
)


# ----------------------------------------------------------------------------------------------
# Elementary functions


@op(
    "exp",
    symbol="exp",
    text="exp({a})",
    latex=r"e^{{{a}}}",
    domain="an input below about 709 (exp overflows float64 above it)",
)
def exp(xp, a):
    r"""e^a"""
    return xp.exp(a)


exp.derivative("a", "exp({a})", r"e^{{{a}}}")(lambda xp, out, a: out)


@op(
    "log",
    symbol="log",
    text="ln({a})",
    latex=r"\ln {a}",
    domain="a positive input (log(0) = −inf, log of a negative = nan)",
)
def log(xp, a):
    r"""\ln a (natural logarithm)"""
    return xp.log(a)


log.derivative("a", "1/{a}", r"\frac{{1}}{{{a}}}")(lambda xp, out, a: xp.divide(1.0, a))


@op("sqrt", symbol="√", text="√{a}", latex=r"\sqrt{{{a}}}", domain="a non-negative input")
def sqrt(xp, a):
    r"""\sqrt{a}"""
    return xp.sqrt(a)


sqrt.derivative("a", "1/(2√{a})", r"\frac{{1}}{{2\sqrt{{{a}}}}}")(lambda xp, out, a: xp.divide(0.5, out))


@op("abs", symbol="|·|", text="|{a}|", latex=r"\lvert {a} \rvert")
def abs(xp, a):
    r"""\lvert a \rvert"""
    return xp.abs(a)


abs.derivative("a", "sgn({a})", r"\operatorname{{sgn}}({a})")(lambda xp, out, a: xp.sign(a))


@op("sin", symbol="sin", text="sin({a})", latex=r"\sin {a}")
def sin(xp, a):
    r"""\sin a"""
    return xp.sin(a)


sin.derivative("a", "cos({a})", r"\cos {a}")(lambda xp, out, a: xp.cos(a))


@op("cos", symbol="cos", text="cos({a})", latex=r"\cos {a}")
def cos(xp, a):
    r"""\cos a"""
    return xp.cos(a)


cos.derivative("a", "−sin({a})", r"-\sin {a}")(lambda xp, out, a: -xp.sin(a))


# ----------------------------------------------------------------------------------------------
# Activations


@op("tanh", symbol="tanh", text="tanh({a})", latex=r"\tanh {a}")
def tanh(xp, a):
    r"""\tanh a"""
    return xp.tanh(a)


tanh.derivative("a", "1 − {out}²", "1 - {out}^2")(lambda xp, out, a: 1.0 - out * out)


@op("sigmoid", symbol="σ", text="σ({a})", latex=r"\sigma({a})")
def sigmoid(xp, a):
    r"""\sigma(a) = \frac{1}{1 + e^{-a}}, computed without overflow for large |a|"""
    e = xp.exp(-xp.abs(a))
    return xp.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


sigmoid.derivative("a", "{out}·(1 − {out})", r"{out}\,(1 - {out})")(lambda xp, out, a: out * (1.0 - out))


@op("relu", symbol="ReLU", text="ReLU({a})", latex=r"\operatorname{{ReLU}}({a})")
def relu(xp, a):
    r"""\max(a, 0)"""
    return xp.maximum(a, 0.0)


# a boolean local derivative: the engine multiplies it by the upstream gradient
relu.derivative("a", Piecewise(("1", "{a} > 0"), ("0", None)), selects=True)(lambda xp, out, a: a > 0)


@op("step", symbol="step", text="step({a})", latex=r"\operatorname{{step}}({a})")
def step(xp, a):
    r"""1 if a > 0 else 0: Heaviside's step, the perceptron's threshold"""
    return xp.maximum(xp.sign(a), 0.0)  # sign keeps the input's dtype


# flat on both sides (and undefined at 0, where it jumps): no gradient passes, which is why networks use σ
step.derivative("a", "0")(lambda xp, out, a: a * 0.0)


@op("leaky_relu", symbol="LReLU", text="LeakyReLU({a})", latex=r"\operatorname{{LeakyReLU}}_{{{alpha}}}({a})")
def leaky_relu(xp, a, *, alpha=0.01):
    r"""a if a > 0 else \alpha a"""
    return xp.where(a > 0, a, alpha * a)


leaky_relu.derivative("a", Piecewise(("1", "{a} > 0"), ("{alpha}", None)))(
    lambda xp, out, a, *, alpha=0.01: xp.where(a > 0, 1.0, alpha)
)


def _tie_cases(wins: str) -> Piecewise:
    """1 where this input wins, ½ at a tie, 0 otherwise: the derivative of max or min with respect to one input."""
    tie = "{a} = {b}"
    return Piecewise(("1", wins), ("½", tie), ("0", None), latex=(("1", wins), (r"\tfrac{{1}}{{2}}", tie), ("0", None)))


@op("maximum", symbol="max", text="max({a}, {b})", latex=r"\max({a}, {b})")
def maximum(xp, a, b):
    r"""\max(a, b); a tie sends half the gradient to each side, as torch does"""
    return xp.maximum(a, b)


maximum.derivative("a", _tie_cases("{a} > {b}"), selects=True)(
    lambda xp, out, a, b: xp.where(a > b, 1.0, xp.where(a == b, 0.5, 0.0))
)
maximum.derivative("b", _tie_cases("{b} > {a}"), selects=True)(
    lambda xp, out, a, b: xp.where(b > a, 1.0, xp.where(a == b, 0.5, 0.0))
)


@op("minimum", symbol="min", text="min({a}, {b})", latex=r"\min({a}, {b})")
def minimum(xp, a, b):
    r"""\min(a, b); a tie sends half the gradient to each side, as torch does"""
    return xp.minimum(a, b)


minimum.derivative("a", _tie_cases("{a} < {b}"), selects=True)(
    lambda xp, out, a, b: xp.where(a < b, 1.0, xp.where(a == b, 0.5, 0.0))
)
minimum.derivative("b", _tie_cases("{b} < {a}"), selects=True)(
    lambda xp, out, a, b: xp.where(b < a, 1.0, xp.where(a == b, 0.5, 0.0))
)


@op(
    "clip",
    symbol="clip",
    text="clip({a}, {low}, {high})",
    latex=r"\operatorname{{clip}}({a}, {low}, {high})",
    scalar=False,
)
def clip(xp, a, *, low, high):
    r"""\min(\max(a, low), high)"""
    return xp.clip(a, low, high)


clip.derivative(
    "a",
    Piecewise(("1", "{low} ≤ {a} ≤ {high}"), ("0", None), latex=(("1", r"{low} \le {a} \le {high}"), ("0", None))),
    selects=True,
)(lambda xp, out, a, *, low, high: (a >= low) & (a <= high))


@op("where", symbol="where", text="where(cond, {a}, {b})", latex=r"\operatorname{{where}}(c, {a}, {b})", scalar=False)
def where(xp, a, b, *, condition):
    r"""a where the condition holds, else b"""
    return xp.where(condition, a, b)


where.derivative("a", Piecewise(("1", "cond"), ("0", None), latex=(("1", "c"), ("0", None))), selects=True)(
    lambda xp, out, a, b, *, condition: condition
)
where.derivative("b", Piecewise(("0", "cond"), ("1", None), latex=(("0", "c"), ("1", None))), selects=True)(
    lambda xp, out, a, b, *, condition: ~condition
)


# ----------------------------------------------------------------------------------------------
# Linear algebra, reductions and shapes (tensor only)


@op(
    "matmul",
    symbol="@",
    text="{a} @ {b}",
    latex="{a} {b}",
    elementwise=False,
    scalar=False,
    # the largest its terms can add up to (|A|·|B| exactly would cost a second product)
    magnitude=lambda xp, a, b: xp.max(xp.abs(a)) * xp.max(xp.abs(b)) * a.shape[-1],
)
def matmul(xp, a, b):
    r"""A B (matrix product; batched over leading dimensions; 1-D operands as in numpy)"""
    return xp.matmul(a, b)


def _matmul_grads(xp, g, a, b, want_a):
    if a.ndim == 2 and b.ndim == 2:  # the common case, without the reshaping below
        if want_a:
            return xp.matmul(g, b.T)
        if hasattr(b, "flags") and b.T.flags.c_contiguous and not b.flags.c_contiguous:
            # b is a weight seen transposed (x @ W.T, as Linear and Dense compute): its gradient computed in the
            # weight's own layout, so that the transpose's gradient, flowing on to the weight, needs no copy
            return xp.matmul(g.T, a).T
        return xp.matmul(a.T, g)
    # promote 1-D operands to matrices as numpy does, differentiate, then drop the added axis
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g
    if b.ndim == 1:  # first: with both operands 1-D, g is 0-d and becomes (1, 1)
        g2 = xp.expand_dims(g2, -1)
    if a.ndim == 1:
        g2 = xp.expand_dims(g2, -2)
    if want_a:
        grad = xp.matmul(g2, xp.swapaxes(b2, -1, -2))
        return grad[..., 0, :] if a.ndim == 1 else grad
    grad = xp.matmul(xp.swapaxes(a2, -1, -2), g2)
    return grad[..., 0] if b.ndim == 1 else grad


matmul.vjp("a", "g @ {b}ᵀ", r"g\,{b}^\top")(lambda xp, g, out, a, b: _matmul_grads(xp, g, a, b, True))
matmul.vjp("b", "{a}ᵀ @ g", r"{a}^\top g")(lambda xp, g, out, a, b: _matmul_grads(xp, g, a, b, False))


def _expand(xp, g, shape, axis, keepdims):
    """Put back the axes a reduction removed, so `g` broadcasts against the input."""
    if axis is None:
        return xp.reshape(g, (1,) * len(shape)) if not keepdims else g
    if not keepdims:
        return xp.expand_dims(g, axis)
    return g


def _spread(xp, g, a, axis, keepdims):
    """`g` copied to every element of `a` along the reduced axes (a new array, not a view)."""
    if axis is not None and not keepdims:
        g = xp.expand_dims(g, axis)  # with axis None, a 0-d g already broadcasts
    return xp.full(a.shape, g, dtype=g.dtype)  # one call (numpy and jax.numpy broadcast the fill)


@op(
    "sum",
    symbol="Σ",
    text="Σ {a}",
    latex=r"\sum {a}",
    elementwise=False,
    scalar=False,
    magnitude=lambda xp, a, *, axis=None, keepdims=False: xp.abs(a).sum(axis=axis, keepdims=keepdims),
)
def sum(xp, a, *, axis=None, keepdims=False):
    r"""\sum_i a_i over the given axes"""
    return a.sum(axis=axis, keepdims=keepdims)


sum.vjp("a", "1", r"\mathbf{{1}}")(
    lambda xp, g, out, a, *, axis=None, keepdims=False: _spread(xp, g, a, axis, keepdims)
)


@op(
    "mean",
    symbol="mean",
    text="mean({a})",
    latex=r"\overline{{{a}}}",
    elementwise=False,
    scalar=False,
    magnitude=lambda xp, a, *, axis=None, keepdims=False: (
        xp.abs(a).sum(axis=axis, keepdims=keepdims) / _count(a.shape, axis)
    ),
)
def mean(xp, a, *, axis=None, keepdims=False):
    r"""\frac{1}{n}\sum_i a_i over the given axes"""
    # the sum divided by the count: what numpy's mean computes, without its Python-level wrapper
    return a.sum(axis=axis, keepdims=keepdims) / _count(a.shape, axis)


def _count(shape, axis):
    if axis is None:
        n = 1
        for d in shape:
            n *= d
        return n
    axes = axis if isinstance(axis, tuple) else (axis,)
    n = 1
    for ax in axes:
        n *= shape[ax]
    return n


mean.vjp("a", "1/n", r"\frac{{1}}{{n}}")(
    lambda xp, g, out, a, *, axis=None, keepdims=False: _spread(xp, g / _count(a.shape, axis), a, axis, keepdims)
)


def _extremum_vjp(xp, g, out, a, axis, keepdims):
    # ties share the gradient equally, as torch.amax/amin do
    hit = a == _expand(xp, out, a.shape, axis, keepdims)
    share = hit / xp.sum(hit, axis=axis, keepdims=True)
    return _expand(xp, g, a.shape, axis, keepdims) * share


@op("max", symbol="max", text="max {a}", latex=r"\max {a}", elementwise=False, scalar=False)
def max(xp, a, *, axis=None, keepdims=False):
    r"""\max_i a_i over the given axes (ties share the gradient)"""
    return xp.max(a, axis=axis, keepdims=keepdims)


max.vjp("a", Piecewise(("1", "{a} = max {a}"), ("0", None), latex=(("1", r"{a} = \max {a}"), ("0", None))))(
    lambda xp, g, out, a, *, axis=None, keepdims=False: _extremum_vjp(xp, g, out, a, axis, keepdims)
)


@op("min", symbol="min", text="min {a}", latex=r"\min {a}", elementwise=False, scalar=False)
def min(xp, a, *, axis=None, keepdims=False):
    r"""\min_i a_i over the given axes (ties share the gradient)"""
    return xp.min(a, axis=axis, keepdims=keepdims)


min.vjp("a", Piecewise(("1", "{a} = min {a}"), ("0", None), latex=(("1", r"{a} = \min {a}"), ("0", None))))(
    lambda xp, g, out, a, *, axis=None, keepdims=False: _extremum_vjp(xp, g, out, a, axis, keepdims)
)


@op(
    "reshape",
    symbol="reshape",
    text="reshape({a}, {shape})",
    latex=r"\operatorname{{reshape}}({a})",
    elementwise=False,
    scalar=False,
)
def reshape(xp, a, *, shape):
    r"""the same elements in a new shape"""
    return xp.reshape(a, shape)


reshape.vjp("a", "reshape⁻¹(g)", r"\operatorname{{reshape}}^{{-1}}(g)")(
    lambda xp, g, out, a, *, shape: xp.reshape(g, a.shape)
)


@op("transpose", symbol="ᵀ", text="{a}ᵀ", latex=r"{a}^\top", elementwise=False, scalar=False)
def transpose(xp, a, *, axes=None):
    r"""a^\top (axes reversed, or permuted by `axes`)"""
    return xp.transpose(a, axes)


def _inverse_permutation(axes, ndim):
    if axes is None:
        return None
    inverse = [0] * ndim
    for position, ax in enumerate(axes):
        inverse[ax % ndim] = position
    return tuple(inverse)


transpose.vjp("a", "gᵀ", r"g^\top")(
    lambda xp, g, out, a, *, axes=None: xp.transpose(g, _inverse_permutation(axes, a.ndim))
)


@op("clone", symbol="clone", text="clone({a})", latex=r"\operatorname{{clone}}({a})", scalar=False)
def clone(xp, a):
    r"""a copy of a in new memory (the same numbers): the gradient passes through unchanged"""
    return xp.copy(a)


clone.derivative("a", "1", constant=1.0)


@op("getitem", symbol="[·]", text="{a}[{index}]", latex=r"{a}_{{[{index}]}}", elementwise=False, scalar=False)
def getitem(xp, a, *, index):
    r"""a[index]: slicing and integer-array indexing"""
    return a[index]


def _has_array(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(hasattr(item, "shape") or isinstance(item, list) for item in items)


def _getitem_vjp(xp, g, out, a, *, index):
    grad = xp.zeros(a.shape, dtype=g.dtype)
    if _has_array(index):
        xp.add.at(grad, index, g)  # repeated indices add up
    else:
        grad[index] = g
    return grad


getitem.vjp("a", "scatter(g)", r"\operatorname{{scatter}}(g)")(_getitem_vjp)


@op(
    "concatenate",
    symbol="concat",
    text="concat({xs})",
    latex=r"\operatorname{{concat}}({xs})",
    elementwise=False,
    scalar=False,
)
def concatenate(xp, *xs, axis=0):
    r"""the inputs joined along an existing axis"""
    return xp.concatenate(xs, axis=axis)


def _concatenate_vjp(xp, g, out, *xs, index, axis=0):
    start = 0
    for x in xs[:index]:
        start += x.shape[axis]
    return xp.take(g, range(start, start + xs[index].shape[axis]), axis=axis)


concatenate.vjp("xs", "slice(g)", r"\operatorname{{slice}}(g)")(_concatenate_vjp)


@op("stack", symbol="stack", text="stack({xs})", latex=r"\operatorname{{stack}}({xs})", elementwise=False, scalar=False)
def stack(xp, *xs, axis=0):
    r"""the inputs joined along a new axis"""
    return xp.stack(xs, axis=axis)


stack.vjp("xs", "slice(g)", r"\operatorname{{slice}}(g)")(
    lambda xp, g, out, *xs, index, axis=0: xp.take(g, index, axis=axis)
)


# ----------------------------------------------------------------------------------------------
# Softmax and the course's costs, with fused, numerically stable gradients


@op(
    "softmax",
    symbol="softmax",
    text="softmax({a})",
    latex=r"\operatorname{{softmax}}({a})",
    elementwise=False,
    scalar=False,
)
def softmax(xp, a, *, axis=-1):
    r"""\frac{e^{a_i}}{\sum_j e^{a_j}}, shifted by the maximum so nothing overflows"""
    e = xp.exp(a - xp.max(a, axis=axis, keepdims=True))
    return e / xp.sum(e, axis=axis, keepdims=True)


softmax.vjp("a", "{out}·(g − Σ g·{out})", r"{out} \odot (g - \sum g \odot {out})")(
    lambda xp, g, out, a, *, axis=-1: out * (g - xp.sum(g * out, axis=axis, keepdims=True))
)


def _logsumexp(xp, a, axis):
    m = xp.max(a, axis=axis, keepdims=True)
    return m + xp.log(xp.sum(xp.exp(a - m), axis=axis, keepdims=True))


@op(
    "log_softmax",
    symbol="log softmax",
    text="log_softmax({a})",
    latex=r"\log\operatorname{{softmax}}({a})",
    elementwise=False,
    scalar=False,
)
def log_softmax(xp, a, *, axis=-1):
    r"""a_i - \log\sum_j e^{a_j}, computed with the log-sum-exp shift"""
    return a - _logsumexp(xp, a, axis)


log_softmax.vjp("a", "g − softmax({a})·Σ g", r"g - \operatorname{{softmax}}({a}) \sum g")(
    lambda xp, g, out, a, *, axis=-1: g - xp.exp(out) * xp.sum(g, axis=axis, keepdims=True)
)


@op(
    "mse",
    symbol="MSE",
    text="MSE({pred}, {target})",
    latex=r"\operatorname{{MSE}}({pred}, {target})",
    elementwise=False,
    scalar=False,
)
def mse(xp, pred, target):
    r"""\frac{1}{n}\sum_i (pred_i - target_i)^2"""
    diff = pred - target
    return xp.mean(diff * diff)


mse.vjp("pred", "2·({pred} − {target})/n", r"\frac{{2}}{{n}}({pred} - {target})")(
    lambda xp, g, out, pred, target: g * (2.0 / pred.size) * (pred - target)
)
mse.vjp("target", "−2·({pred} − {target})/n", r"-\frac{{2}}{{n}}({pred} - {target})")(
    lambda xp, g, out, pred, target: g * (-2.0 / pred.size) * (pred - target)
)

_LOG_FLOOR = -100.0  # torch clamps log(p) at −100 in binary cross-entropy, so p = 0 stays finite
# torch divides by max(p(1 − p), EPSILON) with EPSILON a C float: 1e-12 rounded to float32 (1e-12·(1 − 4e-9))
_BCE_EPSILON = 9.999999960041972e-13


def _reduced(xp, loss, reduction: str):
    """A loss's elementwise terms reduced as torch's `reduction` says: their mean, their sum, or each one."""
    if reduction == "mean":
        return xp.mean(loss)
    if reduction == "sum":
        return xp.sum(loss)
    return loss


# a domain makes the tensor engine silence numpy's "divide by zero in log" at p = 0 or 1, where the
# clamped result is finite, and warn only when a result is not finite
@op(
    "binary_cross_entropy",
    symbol="BCE",
    text="BCE({p}, {y})",
    latex=r"\operatorname{{BCE}}({p}, {y})",
    elementwise=False,
    scalar=False,
    domain="probabilities p in [0, 1]",
)
def binary_cross_entropy(xp, p, y, *, reduction="mean"):
    r"""-\frac{1}{n}\sum_i y_i \log p_i + (1 - y_i)\log(1 - p_i) (`reduction` "sum": the sum; "none": each term)"""
    # torch's expression term for term (log1p, the clamp, the order): the same bits, a zero loss's sign included
    loss = (y - 1.0) * xp.maximum(xp.log1p(-p), _LOG_FLOOR) - y * xp.maximum(xp.log(p), _LOG_FLOOR)
    return _reduced(xp, loss, reduction)


def _bce_p_vjp(xp, g, out, p, y, *, reduction="mean"):
    # torch's derivative, not the clamped loss's: at p = 0 or 1 it is ±1/ε (a push back from the edge), never nan
    grad = g * (p - y) / xp.maximum((1.0 - p) * p, _BCE_EPSILON)
    return grad / p.size if reduction == "mean" else grad


def _bce_y_vjp(xp, g, out, p, y, *, reduction="mean"):
    # the clamped loss is linear in y: finite at p = 0 and 1 (torch's −logit(p) is ∓inf there)
    grad = g * (xp.maximum(xp.log1p(-p), _LOG_FLOOR) - xp.maximum(xp.log(p), _LOG_FLOOR))
    return grad / p.size if reduction == "mean" else grad


binary_cross_entropy.vjp("p", "({p} − {y})/({p}·(1 − {p})·n)", r"\frac{{{p} - {y}}}{{{p}(1-{p})\,n}}")(_bce_p_vjp)
binary_cross_entropy.vjp("y", "(ln(1 − {p}) − ln {p})/n", r"\frac{{\ln(1-{p}) - \ln {p}}}{{n}}")(_bce_y_vjp)


@op(
    "binary_cross_entropy_with_logits",
    symbol="BCE·σ",
    text="BCE(σ({z}), {y})",
    latex=r"\operatorname{{BCE}}(\sigma({z}), {y})",
    elementwise=False,
    scalar=False,
)
def binary_cross_entropy_with_logits(xp, z, y):
    r"""binary cross-entropy of \sigma(z), as \max(z, 0) - z y + \log(1 + e^{-|z|})"""
    return xp.mean(xp.maximum(z, 0.0) - z * y + xp.log1p(xp.exp(-xp.abs(z))))


def _sigmoid_array(xp, z):
    e = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


binary_cross_entropy_with_logits.vjp("z", "(σ({z}) − {y})/n", r"\frac{{\sigma({z}) - {y}}}{{n}}")(
    lambda xp, g, out, z, y: g * (_sigmoid_array(xp, z) - y) / z.size
)
binary_cross_entropy_with_logits.vjp("y", "−{z}/n", r"-\frac{{{z}}}{{n}}")(lambda xp, g, out, z, y: -g * z / z.size)


def _batch(logits) -> int:
    return logits.shape[0] if logits.ndim == 2 else 1


@op(
    "cross_entropy",
    symbol="CE",
    text="CE({logits}, {target})",
    latex=r"\operatorname{{CE}}({logits}, {target})",
    elementwise=False,
    scalar=False,
)
def cross_entropy(xp, logits, target, *, reduction="mean"):
    r"""-\frac{1}{n}\sum_i \log\operatorname{softmax}(z_i)_{y_i} (integer labels) or
    -\frac{1}{n}\sum_i \sum_c y_{ic}\log\operatorname{softmax}(z_i)_c (one-hot or probabilities);
    `reduction` "sum" adds the samples' losses, "none" returns each one"""
    if target.dtype.kind in "iu":  # picked, not multiplied by a one-hot row: 0·(−inf) would be nan
        shifted = logits - logits.max(axis=-1, keepdims=True)
        terms = _picked(xp, shifted, target) - xp.log(xp.exp(shifted).sum(axis=-1))  # log p of each target
        if reduction == "none":
            return -terms
        return -terms.sum() / _batch(logits) if reduction == "mean" else -terms.sum()
    terms = target * (logits - _logsumexp(xp, logits, -1))
    if reduction == "none":
        return -xp.sum(terms, axis=-1)
    return -xp.sum(terms) / _batch(logits) if reduction == "mean" else -xp.sum(terms)


def _picked(xp, a, target):
    """a[..., target]: each sample's entry of its class (fancy indexing for a batch of rows, the common case)."""
    if a.ndim == 2 and target.ndim == 1:
        return a[xp.arange(a.shape[0]), target]
    return xp.take_along_axis(a, xp.expand_dims(target, -1), axis=-1)[..., 0]


def _per_sample_grad(xp, g, grad, logits, reduction: str):
    """g·grad for the upstream gradient g: one value per sample ("none"), else one for the batch (over n for "mean")."""
    if reduction == "none":
        return xp.expand_dims(g, -1) * grad
    return grad * (g / _batch(logits)) if reduction == "mean" else g * grad


def _cross_entropy_logits_vjp(xp, g, out, logits, target, *, reduction="mean"):
    p = xp.exp(logits - logits.max(axis=-1, keepdims=True))
    p = p / p.sum(axis=-1, keepdims=True)  # softmax: a new array, changed in place below (numpy's engine only)
    if target.dtype.kind in "iu":
        flat = p.reshape(-1, p.shape[-1])
        flat[xp.arange(flat.shape[0]), target.reshape(-1)] -= 1.0
        return _per_sample_grad(xp, g, p, logits, reduction)
    return _per_sample_grad(xp, g, p * xp.sum(target, axis=-1, keepdims=True) - target, logits, reduction)


cross_entropy.vjp(
    "logits", "(softmax({logits}) − {target})/n", r"\frac{{\operatorname{{softmax}}({logits}) - {target}}}{{n}}"
)(_cross_entropy_logits_vjp)
cross_entropy.vjp("target", "−log softmax({logits})/n", r"-\frac{{\log\operatorname{{softmax}}({logits})}}{{n}}")(
    lambda xp, g, out, logits, target, *, reduction="mean": _per_sample_grad(
        xp, -g, logits - _logsumexp(xp, logits, -1), logits, reduction
    )
)
