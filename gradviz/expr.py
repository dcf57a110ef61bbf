"""A safe parser for formulas of the course's functions, such as ``(x + y) * z``, ``tanh(w*x + b)`` or, in
statements that name the intermediates, ``q = x + y; f = q * z``.

The text goes through Python's ``ast`` parser and a whitelist — numbers, variables, the constants
``pi`` and ``e``, ``+ − * / **``, unary ``−``/``+`` and calls to the op registry's scalar functions
(and the course's ``mse``, ``bce`` and ``softmax``) with positional arguments — and is then evaluated by
a small stack machine into gradviz Values. Statements are separated by ``;`` or line breaks; each
``name = formula`` labels its node with the name, later statements may use it, and the last statement is
the output. Nothing is ever handed to ``eval``, ``exec`` or ``compile``: anything outside the whitelist
is an :class:`ExpressionError` that points at the offending token.

>>> from gradviz.expr import evaluate
>>> f = evaluate("(x + y) * z", {"x": -2, "y": 5, "z": -4})
>>> f.backward()
>>> f.label, f.data
('f', -12.0)
>>> evaluate("__import__('os')", {})
Traceback (most recent call last):
...
gradviz.expr.ExpressionError: invalid expression: unknown function __import__; the functions are ...
"""

from __future__ import annotations

import ast
import inspect
import math
import numbers
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import xp as _xp
from .engine import apply
from .errors import GradvizError
from .i18n import message, resolve_language
from .ops import OPS, Op, scalar_ops
from .value import Value

__all__ = [
    "ExpressionError",
    "Expression",
    "Statement",
    "parse",
    "evaluate",
    "parse_number",
    "FUNCTIONS",
    "CONSTANTS",
]

MAX_LENGTH = 10_000  # characters; a formula for a picture, not a program

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
"""The named constants a formula may use.

>>> from gradviz.expr import CONSTANTS, evaluate
>>> sorted(CONSTANTS), evaluate("cos(pi)", {}).data
(['e', 'pi'], -1.0)
"""

# the registry's ops that are written as operators, not called by name
_OPERATOR_OPS = {"add", "sub", "neg", "mul", "div", "pow", "power"}
_ALIASES = {"max": "maximum", "min": "minimum"}

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
# the refused operators: their symbol and the catalogue key (gradviz/catalogue/expr.py) of why
_REFUSED_BINARY = {
    ast.FloorDiv: ("//", "expr.why_floor_division"),
    ast.Mod: ("%", "expr.why_remainder"),
    ast.MatMult: ("@", "expr.why_matmul"),
    ast.LShift: ("<<", "expr.why_shift"),
    ast.RShift: (">>", "expr.why_shift"),
    ast.BitOr: ("|", "expr.why_bit_or"),
    ast.BitXor: ("^", "expr.why_bit_xor"),
    ast.BitAnd: ("&", "expr.why_bit_and"),
}

# what a refused node is, in words, for the message: its catalogue key
_NODE_WORDS = {
    ast.Subscript: "expr.node_subscript",
    ast.Lambda: "expr.node_lambda",
    ast.IfExp: "expr.node_conditional",
    ast.Compare: "expr.node_comparison",
    ast.BoolOp: "expr.node_and_or",
    ast.NamedExpr: "expr.node_assignment",
    ast.ListComp: "expr.node_list_comprehension",
    ast.SetComp: "expr.node_set_comprehension",
    ast.DictComp: "expr.node_dict_comprehension",
    ast.GeneratorExp: "expr.node_generator",
    ast.List: "expr.node_list",
    ast.Tuple: "expr.node_tuple",
    ast.Set: "expr.node_set",
    ast.Dict: "expr.node_dict",
    ast.Starred: "expr.node_unpacking",
    ast.JoinedStr: "expr.node_f_string",
    ast.FormattedValue: "expr.node_f_string",
    ast.Await: "expr.node_await",
    ast.Yield: "expr.node_yield",
    ast.YieldFrom: "expr.node_yield",
    ast.Slice: "expr.node_slice",
}

# Python's own syntax messages that the catalogue words for a student (the English entry is Python's text)
_SYNTAX_MESSAGES = (
    (re.compile(r"invalid syntax"), "expr.syntax_invalid"),
    (re.compile(r"invalid syntax\. Perhaps you forgot a comma\?"), "expr.syntax_comma"),
    (re.compile(r"'(?P<bracket>.)' was never closed"), "expr.syntax_never_closed"),
    (re.compile(r"unmatched '(?P<bracket>.)'"), "expr.syntax_unmatched"),
    (
        re.compile(r"closing parenthesis '(?P<closing>.)' does not match opening parenthesis '(?P<opening>.)'"),
        "expr.syntax_mismatch",
    ),
    (re.compile(r"invalid decimal literal"), "expr.syntax_decimal"),
    (re.compile(r"invalid character '(?P<character>.+)' \(U\+(?P<code>[0-9A-F]+)\)"), "expr.syntax_character"),
    (re.compile(r"unterminated string literal \(detected at line (?P<line>\d+)\)"), "expr.syntax_string"),
    (
        re.compile(r"leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"),
        "expr.syntax_leading_zero",
    ),
    (re.compile(r"expected 'else' after 'if' expression"), "expr.syntax_else"),
    (re.compile(r"unexpected character after line continuation character"), "expr.syntax_continuation"),
)


def _syntax_reason(python_message: str) -> str:
    """Python's SyntaxError message in the language in use; a message the catalogue does not know stays as
    Python wrote it in English and becomes the general "syntax error" in another language.

    >>> _syntax_reason("'(' was never closed"), _syntax_reason("f-string: expecting '}'")
    ("'(' was never closed", "f-string: expecting '}'")
    >>> from gradviz.i18n import language
    >>> with language("es"):
    ...     _syntax_reason("'(' was never closed"), _syntax_reason("f-string: expecting '}'")
    ("falta cerrar el '('", 'error de sintaxis')
    """
    if resolve_language() == "en":
        return python_message  # the English entries are Python's own words
    for pattern, key in _SYNTAX_MESSAGES:
        found = pattern.fullmatch(python_message)
        if found:
            return message(key, **found.groupdict())
    return message("expr.syntax_invalid")


class ExpressionError(GradvizError, ValueError):
    """A formula outside the whitelist, or one that cannot be evaluated; the message points at the token.

    ``column`` and ``end_column`` are 1-based character positions in ``text``, counted over all its
    statements, line breaks included (None when the problem is not at one place, e.g. a value given for a
    variable the formula does not use); the message shows a line break as ↵. The sentence is in
    the language in use when the error is raised (``gradviz.set_language``, ``gradviz --lang es``);
    ``reason`` holds it without the position.

    >>> from gradviz.expr import ExpressionError, parse
    >>> try:
    ...     parse("x +* 2")
    ... except ExpressionError as error:
    ...     print(error)
    invalid expression: invalid syntax (column 4)
      x +* 2
         ^
    >>> from gradviz.i18n import language
    >>> with language("es"):
    ...     try:
    ...         parse("tanh(x")
    ...     except ExpressionError as error:
    ...         print(error.reason)
    expresión no válida: falta cerrar el '('
    """

    def __init__(self, reason: str, text: str = "", column: int | None = None, end_column: int | None = None):
        self.reason = reason
        self.text = text
        self.column = column
        self.end_column = end_column if end_column is not None else (column + 1 if column is not None else None)
        super().__init__(self._message())

    def _message(self) -> str:
        if self.column is None or not self.text:
            return self.reason
        shown = "".join("↵" if ch in "\r\n" else (" " if ch < " " else ch) for ch in self.text)
        start = self.column - 1
        width = max(1, min(self.end_column, len(shown) + 1) - self.column)
        if len(shown) > _SHOWN:  # a window around the token, so a long formula does not flood the terminal
            left = max(0, min(start - _SHOWN // 2, len(shown) - _SHOWN))
            prefix = "…" if left > 0 else ""
            suffix = "…" if left + _SHOWN < len(shown) else ""
            shown = prefix + shown[left : left + _SHOWN] + suffix
            start = start - left + len(prefix)
            width = max(1, min(width, len(shown) - len(suffix) - start))
        where = message("expr.at_column", reason=self.reason, column=self.column)
        return f"{where}\n  {shown}\n  {' ' * start}{'^' * max(width, 1)}"


_SHOWN = 80  # characters of a long formula shown around the offending token


@dataclass(frozen=True)
class _Function:
    """A function name allowed in formulas: the registry op it calls (or the course function it builds from the
    registry's ops) and how its arguments map."""

    name: str
    op: Op | None  # None for a course function drawn node by node (mse, bce, softmax)
    inputs: int  # leading arguments that are nodes (variables or sub-expressions)
    params: tuple[str, ...]  # then these constant parameters, positionally
    defaults: tuple  # default of each parameter (inspect.Parameter.empty when required)
    variadic: bool = False  # max/min/softmax: two or more inputs
    compose: Callable | None = None  # the course function: Values in, a Value (or a _Vector) out
    vector: bool = False  # one value per argument (softmax): read one with [k], or name them
    argument_names: tuple[str, ...] = ()  # the names its usage shows, when not x, y, z, w

    def usage(self) -> str:
        if self.argument_names:
            names = list(self.argument_names)
        elif self.inputs <= 4:
            names = ["x", "y", "z", "w"][: self.inputs]
        else:
            names = [f"x{i}" for i in range(self.inputs)]
        shown = names + [
            p if d is inspect.Parameter.empty else f"{p}={d!r}" for p, d in zip(self.params, self.defaults, strict=True)
        ]
        return f"{self.name}({', '.join(shown)}{', ...' if self.variadic else ''})"


class _Vector:
    """The values of a function that gives one per argument (softmax), each made when it is first read, so that
    a value the formula never reads adds no node to the graph."""

    def __init__(self, make: Callable[[int], Any], size: int):
        self.make, self.size = make, size
        self.made: dict[int, Any] = {}
        self.labels: dict[int, str] = {}

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int):
        if index not in self.made:
            self.made[index] = _labelled(self.make(index), self.labels.get(index))
        return self.made[index]

    def name(self, index: int, label: str) -> None:
        self.labels[index] = label
        if index in self.made:
            self.made[index] = _labelled(self.made[index], label)


@dataclass(frozen=True)
class _Component:
    """A name given to one value of a _Vector (p1, p2 = softmax(z1, z2))."""

    vector: _Vector
    index: int


def _labelled(value, label: str | None):
    """`value` named `label`: a Value keeps its node and takes the label; a number becomes a labelled constant."""
    if label is None:
        return value
    if _is_number(value):
        return Value(value, label=label, requires_grad=False)
    value.label = label
    return value


def _read(value):
    return value.vector[value.index] if isinstance(value, _Component) else value


# -- the course's functions, drawn node by node from the registry's ops ---------------------------


def _mse(prediction: Value, target: Value) -> Value:
    from .nn.losses import mse_loss

    # one prediction: the mean is its one squared error, drawn without a "× 1" node
    return mse_loss(prediction, target, reduction="sum")


def _bce(probability: Value, label: Value) -> Value:
    if not 0.0 <= probability.data <= 1.0:
        raise ExpressionError(message("expr.bce_probability", value=_shown(probability)))
    if not 0.0 <= label.data <= 1.0:
        raise ExpressionError(message("expr.bce_label", value=_shown(label)))
    from .nn.losses import binary_cross_entropy

    return binary_cross_entropy(probability, label, reduction="sum")


def _softmax(*logits: Value) -> _Vector:
    exponentials = [z.exp() for z in logits]
    total = exponentials[0]
    for term in exponentials[1:]:
        total = total + term
    return _Vector(lambda k: exponentials[k] / total, len(exponentials))


# the course's functions the registry has no scalar op for; an op the registry declares for Values comes first
_COURSE_FUNCTIONS = (
    _Function("mse", None, 2, (), (), compose=_mse, argument_names=("p", "y")),
    _Function("bce", None, 2, (), (), compose=_bce, argument_names=("p", "y")),
    _Function("softmax", None, 2, (), (), variadic=True, compose=_softmax, vector=True, argument_names=("z1", "z2")),
)


def _function_table() -> dict[str, _Function]:
    table = {}
    for op in scalar_ops():
        if op.name in _OPERATOR_OPS or op.variadic:
            continue
        parameters = inspect.signature(op.forward).parameters
        defaults = tuple(parameters[p].default for p in op.params)
        table[op.name] = _Function(op.name, op, len(op.inputs), op.params, defaults)
    for alias, target in _ALIASES.items():
        if target in table:
            base = table[target]
            table[alias] = _Function(alias, base.op, base.inputs, base.params, base.defaults, variadic=True)
    for function in _COURSE_FUNCTIONS:
        table.setdefault(function.name, function)
    return table


class _Functions(Mapping):
    """The function table, rebuilt when the op registry changes (an op declared later is callable too)."""

    def __init__(self) -> None:
        self._made_from: tuple = ()
        self._table: dict[str, _Function] = {}

    def _current(self) -> dict[str, _Function]:
        names = tuple(OPS)
        if names != self._made_from:
            self._table, self._made_from = _function_table(), names
        return self._table

    def __getitem__(self, name: str) -> _Function:
        return self._current()[name]

    def __iter__(self):
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


FUNCTIONS: Mapping[str, _Function] = _Functions()
"""The functions a formula may call, by name: each scalar op of the registry (max and min take two or more), and
the course's ``mse(p, y)``, ``bce(p, y)`` (gradviz.nn's losses, for one prediction) and ``softmax(z1, z2, ...)``
(its values read with ``[k]``), drawn node by node from the registry's ops.

>>> from gradviz.expr import FUNCTIONS, evaluate
>>> sorted(FUNCTIONS)  # doctest: +NORMALIZE_WHITESPACE
['abs', 'bce', 'cos', 'exp', 'leaky_relu', 'log', 'max', 'maximum', 'min', 'minimum', 'mse', 'relu', 'sigmoid',
 'sin', 'softmax', 'sqrt', 'step', 'tanh']
>>> evaluate("max(x, 0, y)", {"x": -1, "y": 2}).data
2.0
>>> round(evaluate("bce(sigmoid(w*x + b), 1)", {"w": 0.5, "x": 2.0, "b": -1.0}).data, 4)   # −log σ(0)
0.6931
"""


def _function_list() -> str:
    return ", ".join(sorted(FUNCTIONS))


# -- parsing ----------------------------------------------------------------------------------
#
# The validated formula becomes a postfix program: a tuple of instructions run by a stack machine,
# so neither checking nor evaluating recurses (Python's own parser stops near 2,000 nested terms).


@dataclass(frozen=True)
class _Instruction:
    # "number", "variable", "name" (an assigned name), "unary", "binary", "call", "index" ([k] of a vector),
    # "assign" (pops the statement's value and names it)
    kind: str
    arg: Any  # the number, the name, "-"/"+", the operator, the _Function, the index, ((name, span), ...)
    count: int  # arguments of a call
    span: tuple[int, int]  # 1-based start and end column of the source that produced it


@dataclass(frozen=True)
class Statement:
    """One statement of a formula: its `text`, the `names` it assigns (empty for a bare formula, which can only be
    the last statement) and the `formula` right of the ``=``.

    >>> from gradviz.expr import parse
    >>> parse("q = x + y; f = q * z").statements[0]
    Statement(text='q = x + y', names=('q',), formula='x + y')
    """

    text: str
    names: tuple[str, ...]
    formula: str


class Expression:
    """A parsed, validated formula. Evaluate it with :meth:`evaluate` (as many times as you like).

    A formula is one or more statements separated by ``;`` or line breaks; ``name = formula`` names an
    intermediate (the node's label, so pictures say q), a later statement may use the name, and the last
    statement is the output. `variables` are the names that need a value, `assigned` the names the formula
    gives itself.

    >>> from gradviz.expr import parse
    >>> expression = parse("tanh(w*x + b)")
    >>> expression.variables
    ('w', 'x', 'b')
    >>> expression.evaluate({"w": 0.5, "x": 2.0, "b": 0.0}).data
    0.7615941559557649
    >>> worked = parse("q = x + y; f = q * z")
    >>> worked.variables, worked.assigned
    (('x', 'y', 'z'), ('q', 'f'))
    """

    def __init__(
        self,
        text: str,
        program: tuple[_Instruction, ...],
        variables: tuple[str, ...],
        assigned: tuple[str, ...] = (),
        statements: tuple[Statement, ...] | None = None,
    ):
        self.text = text
        self.program = program
        self.variables = variables
        self.assigned = assigned
        self.statements = statements if statements is not None else (Statement(text.strip(), (), text.strip()),)

    def __repr__(self) -> str:
        assigned = f", assigned={self.assigned}" if self.assigned else ""
        return f"Expression({self.text!r}, variables={self.variables}{assigned})"

    @property
    def functions(self) -> tuple[str, ...]:
        """The function names the formula calls, in order of first use.

        >>> parse("relu(x) + tanh(x) * relu(y)").functions
        ('relu', 'tanh')
        """
        seen: dict[str, None] = {}
        for instruction in self.program:
            if instruction.kind == "call":
                seen.setdefault(instruction.arg.name, None)
        return tuple(seen)

    def evaluate(self, values: Mapping[str, Any], output_label: str | None = "f") -> Value:
        """The formula's value as a gradviz Value whose graph has one node per operation.

        Each variable becomes a leaf Value labelled with its name (pass a Value to reuse one); each
        assigned name labels its node; the result is labelled with the last statement's name, or else
        `output_label` (``"f"``, or ``"out"`` when a name is already f). Sub-expressions of numbers only are
        folded into one constant (a named one is a labelled constant).

        >>> f = parse("x ** 2 + 3*x").evaluate({"x": 2})
        >>> f.backward()
        >>> f.data, f.label
        (10.0, 'f')
        >>> f = parse("q = x + y; f = q * z").evaluate({"x": -2, "y": 5, "z": -4})
        >>> [(node.label, node.ref.data) for node in f.graph().nodes if node.op]
        [('q', 3.0), ('f', -12.0)]
        """
        return self._run(values, output_label)[0]

    def evaluate_all(self, values: Mapping[str, Any], output_label: str | None = "f") -> dict[str, Value]:
        """Like :meth:`evaluate`, but every named node: the variables, the assigned names (a softmax's values
        that the formula reads as ``p[0]`` …) and, last, the output under its label.

        >>> named = parse("q = x + y; f = q * z").evaluate_all({"x": -2, "y": 5, "z": -4})
        >>> {name: node.data for name, node in named.items()}
        {'x': -2.0, 'y': 5.0, 'z': -4.0, 'q': 3.0, 'f': -12.0}
        """
        result, leaves, named = self._run(values, output_label)
        everything: dict[str, Value] = dict(leaves)
        for name, value in named.items():
            if isinstance(value, _Vector):
                for index in sorted(value.made):
                    everything[f"{name}[{index}]"] = value.made[index]
            elif isinstance(value, _Component):
                if value.index in value.vector.made:
                    everything[name] = value.vector.made[value.index]
            else:
                everything[name] = value
        key = result.label or output_label or "f"
        everything.pop(key, None)
        everything[key] = result
        return everything

    def _run(self, values: Mapping[str, Any], output_label: str | None):
        """(the output, the leaves, the assigned names' nodes) of one evaluation."""
        leaves = self._leaves(values)
        named: dict[str, Any] = {}
        stack: list[Any] = []
        for instruction in self.program:
            kind = instruction.kind
            if kind == "number":
                stack.append(instruction.arg)
            elif kind == "variable":
                stack.append(leaves[instruction.arg])
            elif kind == "name":
                stack.append(_read(named[instruction.arg]))
            elif kind == "index":
                stack.append(stack.pop()[instruction.arg])
            elif kind == "assign":
                _bind(named, tuple(name for name, _ in instruction.arg), stack.pop())
            elif kind == "unary":
                operand = stack.pop()
                if instruction.arg == "-":
                    stack.append(self._fold(-operand, instruction) if _is_number(operand) else -operand)
                else:
                    stack.append(operand)
            elif kind == "binary":
                right = stack.pop()
                left = stack.pop()
                stack.append(self._guarded(self._binary, instruction, left, right))
            else:
                arguments = stack[len(stack) - instruction.count :]
                del stack[len(stack) - instruction.count :]
                stack.append(self._guarded(self._call, instruction, arguments))
        if not stack:  # the last statement named the output
            return _read(named[self.assigned[-1]]), leaves, named
        (result,) = stack
        taken = self.variables + self.assigned
        label = output_label if output_label not in taken else _free_label(taken)
        if _is_number(result):
            return Value(result, label=label, requires_grad=False), leaves, named
        if not result.is_leaf and output_label is not None and result.label is None:
            result.label = label
        return result, leaves, named

    # -- helpers of evaluate ----------------------------------------------------------------------

    def _guarded(self, step, instruction: _Instruction, *operands):
        """Run one step; a math error inside an op (e.g. math.cos(inf)) becomes an ExpressionError there."""
        start, end = instruction.span
        try:
            return step(instruction, *operands)
        except ExpressionError as error:
            if error.column is None:  # a course function's refusal: point at its call
                raise ExpressionError(error.reason, self.text, start, end) from None
            raise
        except (ArithmeticError, ValueError) as error:
            what = instruction.arg.name if instruction.kind == "call" else instruction.arg
            inputs = (
                ", ".join(_shown(x) for x in operands[0])
                if instruction.kind == "call"
                else (f"{_shown(operands[0])}, {_shown(operands[1])}")
            )
            raise ExpressionError(
                message("expr.not_computable", what=what, error=error, inputs=inputs),
                self.text,
                start,
                end,
            ) from error

    def _leaves(self, values: Mapping[str, Any]) -> dict[str, Value]:
        if not isinstance(values, Mapping):
            raise ExpressionError(message("expr.values_not_mapping", type=type(values).__name__))
        for name in values:
            if name in self.assigned:
                start, end = self.where(name)
                raise ExpressionError(
                    message("expr.value_for_assigned", name=name, statement=self.statement_of(name).text),
                    self.text,
                    start,
                    end,
                )
        unused = [name for name in values if name not in self.variables]
        if unused:
            constants = [name for name in unused if name in CONSTANTS]
            if constants:
                name = constants[0]
                raise ExpressionError(message("expr.value_for_constant", name=name, value=repr(CONSTANTS[name])))
            known = ", ".join(self.variables) if self.variables else message("expr.no_variables")
            raise ExpressionError(
                message("expr.value_unused", names=", ".join(map(str, unused)), expression=repr(self.text), known=known)
            )
        leaves = {}
        for name in self.variables:
            if name not in values:
                start, end = self.where(name)
                raise ExpressionError(
                    message("expr.value_missing", name=name, quoted=repr(name)),
                    self.text,
                    start,
                    end,
                )
            value = values[name]
            if isinstance(value, Value):
                leaves[name] = value
            elif isinstance(value, numbers.Real) and not isinstance(value, bool):
                leaves[name] = Value(float(value), label=name)
            else:
                raise ExpressionError(message("expr.value_not_real", name=name, value=repr(value)))
        return leaves

    def where(self, name: str) -> tuple[int, int]:
        """The 1-based start and end column of the first use of the variable `name` in the text (of an assigned
        name: where it is assigned).

        >>> parse("2 * y + y").where("y")
        (5, 6)
        >>> parse("q = x + y; f = q * z").where("q")
        (1, 2)
        """
        for instruction in self.program:
            if instruction.kind == "variable" and instruction.arg == name:
                return instruction.span
            if instruction.kind == "assign":
                for assigned, span in instruction.arg:
                    if assigned == name:
                        return span
        known = ", ".join(self.variables + self.assigned)
        raise KeyError(f"{name!r} is not a name of {self.text!r} (its names: {known})")

    def statement_of(self, name: str) -> Statement:
        """The statement that assigns `name`.

        >>> parse("q = x + y; f = q * z").statement_of("q").text
        'q = x + y'
        """
        for statement in self.statements:
            if name in statement.names:
                return statement
        raise KeyError(f"{name!r} is not assigned in {self.text!r} (it assigns: {', '.join(self.assigned)})")

    def _fold(self, number: float, instruction: _Instruction) -> float:
        if math.isfinite(number):
            return number
        described = "nan" if number != number else ("inf" if number > 0 else "-inf")
        start, end = instruction.span
        raise ExpressionError(
            message("expr.not_finite", value=described),
            self.text,
            start,
            end,
        )

    def _binary(self, instruction: _Instruction, left, right):
        operator = instruction.arg
        if _is_number(left) and _is_number(right):
            scalar = _xp.scalar
            if operator == "+":
                number = left + right
            elif operator == "-":
                number = left - right
            elif operator == "*":
                number = left * right
            elif operator == "/":
                number = scalar.divide(left, right)
            else:
                number = scalar.power(left, right)
            return self._fold(number, instruction)
        if operator == "+":
            return left + right
        if operator == "-":
            return left - right
        if operator == "*":
            return left * right
        if operator == "/":
            return left / right
        return left**right  # a number exponent gives the op pow (x^2); a variable one, power

    def _call(self, instruction: _Instruction, arguments: list):
        function: _Function = instruction.arg
        if function.compose is not None:
            return self._compose(instruction, function, arguments)
        op = function.op
        if function.variadic:  # max(a, b, c) = maximum(maximum(a, b), c)
            result = arguments[0]
            for argument in arguments[1:]:
                result = self._apply(instruction, op, [result, argument], {})
            return result
        inputs = arguments[: function.inputs]
        given = arguments[function.inputs :]
        params = {}
        for position, (name, default) in enumerate(zip(function.params, function.defaults, strict=True)):
            params[name] = given[position] if position < len(given) else float(default)
        return self._apply(instruction, op, inputs, params)

    def _compose(self, instruction: _Instruction, function: _Function, arguments: list):
        """A course function: on Values, its nodes; on numbers only, the number (one per argument for softmax)."""
        if not all(_is_number(x) for x in arguments):
            return function.compose(*(x if isinstance(x, Value) else Value(x, requires_grad=False) for x in arguments))

        def quietly(make):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a constant that is not finite is refused just after, by _fold
                return make()

        result = quietly(lambda: function.compose(*(Value(x, requires_grad=False) for x in arguments)))
        if isinstance(result, _Vector):
            return _Vector(lambda k: self._fold(float(quietly(lambda: result.make(k)).data), instruction), len(result))
        return self._fold(float(result.data), instruction)

    def _apply(self, instruction: _Instruction, op: Op, inputs: list, params: dict):
        if all(_is_number(x) for x in inputs):
            return self._fold(float(op.forward(_xp.scalar, *inputs, **params)), instruction)
        nodes = tuple(x if isinstance(x, Value) else Value(x, requires_grad=False) for x in inputs)
        return apply(op, nodes, params or None)


def _bind(named: dict, names: tuple[str, ...], value) -> None:
    """Name a statement's value: one name labels a node (or a softmax's values p[0], p[1], …); several name
    a softmax's values one by one."""
    if isinstance(value, _Vector):
        if len(names) == 1:
            for index in range(len(value)):
                value.name(index, f"{names[0]}[{index}]")
            named[names[0]] = value
        else:
            for index, name in enumerate(names):
                value.name(index, name)
                named[name] = _Component(value, index)
    else:
        named[names[0]] = _labelled(value, names[0])


def _shown(x) -> str:
    return f"{x.data if isinstance(x, Value) else x:g}"


def _is_number(x) -> bool:
    return x.__class__ is float


def _free_label(taken: tuple[str, ...]) -> str:
    for label in ("out", "result", "output"):
        if label not in taken:
            return label
    return "f_out"


def _char_column(line: str, byte_offset: int) -> int:
    """ast positions are UTF-8 byte offsets; messages count characters (1-based)."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1


@dataclass
class _Binding:
    """What the parser knows of an assigned name."""

    size: int  # 0: one number; n: a softmax's n values
    span: tuple[int, int]
    statement: int
    used: bool = False
    part: bool = False  # one of several names of one statement (p1, p2 = softmax(z1, z2))


_COMMENT = re.compile(r"#[^\r\n]*")
_SEPARATOR = re.compile(r"\r\n|[;\r\n]")


def _split(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each statement: the pieces between ``;`` and line breaks, ``#`` comments blanked out. A
    blank line is skipped; an empty piece beside a ``;`` is refused, pointing at the ``;``."""
    code = _COMMENT.sub(lambda comment: " " * len(comment.group()), text)  # the same columns, without the comments
    pieces: list[tuple[int, str]] = []
    position, before, before_at = 0, None, 0
    for found in [*_SEPARATOR.finditer(code), None]:
        end = found.start() if found is not None else len(code)
        separator = found.group() if found is not None else None
        piece = code[position:end]
        if piece.strip(" \t\f\v"):
            pieces.append((position, piece))
        elif before == ";" or separator == ";":
            column = end + 1 if separator == ";" else before_at + 1
            raise ExpressionError(message("expr.invalid", reason=message("expr.empty_statement")), text, column)
        before, before_at = separator, end
        position = found.end() if found is not None else len(code)
    return pieces


class _Parser:
    """Checks each statement's ast against the whitelist and emits the postfix program of the whole formula."""

    def __init__(self, text: str):
        self.text = text  # the whole formula: messages show it and count columns in it
        self.source = ""  # the statement being read, its leading spaces left out
        self.offset = 0  # characters of `text` before `source`
        self.program: list[_Instruction] = []
        self.variables: dict[str, None] = {}  # the names that need a value, in order of first use
        self.assigned: dict[str, _Binding] = {}
        self.kinds: list[tuple[int, tuple[int, int]]] = []  # per value on the stack: (size, span); 0: a number
        self.statements: list[Statement] = []

    def fail(self, reason: str, node: ast.AST | None = None, span: tuple[int, int] | None = None):
        if span is None and node is not None:
            span = self.span(node)
        start, end = span if span is not None else (None, None)
        raise ExpressionError(message("expr.invalid", reason=reason), self.text, start, end)

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = _char_column(self.source, node.col_offset)
        end_offset = node.end_col_offset if getattr(node, "end_lineno", 1) == 1 else None
        end = _char_column(self.source, end_offset) if end_offset is not None else len(self.source) + 1
        return start + self.offset, max(end, start + 1) + self.offset

    def shown(self, span: tuple[int, int]) -> str:
        return self.text[span[0] - 1 : span[1] - 1]

    def operator_span(self, node: ast.BinOp, symbol: str) -> tuple[int, int]:
        """Where the operator token sits: between the operands, after any closing brackets."""
        left_end = self.span(node.left)[1] - 1
        right_start = self.span(node.right)[0] - 1
        gap = self.text[left_end:right_start]
        found = gap.find(symbol)
        if found < 0:
            return self.span(node)
        start = left_end + found + 1
        return start, start + len(symbol)

    # -- statements ---------------------------------------------------------------------------------

    def statement(self, offset: int, piece: str, last: bool) -> None:
        """Read one statement: a formula (the last statement only) or ``name = formula``."""
        indent = len(piece) - len(piece.lstrip(" \t\f\v"))
        self.source, self.offset = piece[indent:], offset + indent
        whole = (self.offset + 1, self.offset + len(self.source.rstrip()) + 1)
        targets, value = self.read()
        if targets is None:
            if not last:
                self.fail(message("expr.statement_unused"), span=whole)
            self.run(value)
            size, span = self.kinds.pop()
            if size:
                self.fail(message("expr.output_vector", what=self.shown(span), count=size, last=size - 1), span=span)
            formula = self.source.strip()
            self.statements.append(Statement(formula, (), formula))
            return
        self.run(value)
        size, span = self.kinds.pop()
        names = self.check_targets(targets, value, size, span, last)
        spans = tuple(self.span(target) for target in names)
        number = len(self.statements)
        for target, target_span in zip(names, spans, strict=True):
            binding = _Binding(size if len(names) == 1 else 0, target_span, number, part=len(names) > 1)
            self.assigned[target.id] = binding
        self.program.append(
            _Instruction("assign", tuple((t.id, s) for t, s in zip(names, spans, strict=True)), 0, whole)
        )
        text = self.source.strip()
        after_target = self.text[self.span(targets[0])[1] - 1 : whole[1] - 1].strip()
        formula = after_target[1:].strip()  # what follows the "="
        self.statements.append(Statement(text, tuple(t.id for t in names), formula))

    def read(self) -> tuple[list | None, ast.AST]:
        """(None, the formula's ast) for a formula; (the targets, the value's ast) for ``name = formula``."""
        source = self.source
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SyntaxWarnings such as "invalid decimal literal" for 1or x
                return None, ast.parse(source, mode="eval").body
        except SyntaxError as error:
            syntax = error
        except (RecursionError, MemoryError, ValueError, OverflowError):
            raise ExpressionError(message("expr.too_deep")) from None
        try:  # not a formula: perhaps `name = formula`, which only a statement can be
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = ast.parse(source, mode="exec")
        except SyntaxError as error:
            if _at_assignment(source, syntax):  # `name = <broken formula>`: the formula's own mistake
                self.syntax_error(error)
            module = None
        except (RecursionError, MemoryError, ValueError, OverflowError):
            module = None
        if module is None or len(module.body) != 1:
            self.syntax_error(syntax)
        statement = module.body[0]
        if not isinstance(statement, ast.Assign):
            self.fail(message("expr.statement_refused"), statement)
        if len(statement.targets) > 1:
            self.fail(message("expr.assign_chain"), statement.targets[1])
        return [statement.targets[0]], statement.value

    def syntax_error(self, error: SyntaxError):
        """Python's SyntaxError of the statement, pointing at its place in the whole formula."""
        source = self.source
        column = error.offset if error.offset else len(source) + 1
        if error.lineno not in (None, 1) or column > len(source) + 1:
            column = len(source) + 1
        end = error.end_offset if error.end_offset and error.end_offset > column else column + 1
        reason = _syntax_reason(error.msg)
        if column > len(source):
            reason = message("expr.ends_too_early", reason=reason)
        raise ExpressionError(
            message("expr.invalid", reason=reason), self.text, column + self.offset, end + self.offset
        ) from None

    def check_targets(self, targets: list, value: ast.AST, size: int, span, last: bool) -> list[ast.Name]:
        """The names left of ``=``, checked: names, new, not yet used, and as many as the values."""
        (target,) = targets
        if isinstance(target, (ast.Tuple, ast.List)) and target.elts:
            names = list(target.elts)
        else:
            names = [target]
        for name in names:
            if not isinstance(name, ast.Name):
                self.fail(message("expr.assign_target"), name)
        seen: dict[str, int] = {}
        for name in names:
            if name.id in seen:
                self.fail(message("expr.assign_twice", name=name.id, column=seen[name.id]), name)
            self.check_name(name)
            seen[name.id] = self.span(name)[0]
        if len(names) > 1:
            if last:
                self.fail(message("expr.output_several"), target)
            if not size:
                self.fail(message("expr.unpack_number", names=self.shown(self.span(target))), target)
            if len(names) != size:
                self.fail(message("expr.unpack_count", what=self.shown(span), count=size, names=len(names)), target)
            return names
        inner = value
        while isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.UAdd):
            inner = inner.operand
        if (isinstance(inner, ast.Name) and inner.id not in CONSTANTS) or (
            isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Name)
        ):
            self.fail(message("expr.assign_alias", name=names[0].id, other=self.shown(self.span(inner))), inner)
        if size and last:
            self.fail(message("expr.output_vector", what=self.shown(span), count=size, last=size - 1), span=span)
        return names

    def check_name(self, node: ast.Name) -> None:
        name = node.id
        if name in CONSTANTS:
            self.fail(message("expr.assign_constant", name=name, value=repr(CONSTANTS[name])), node)
        if name in FUNCTIONS:
            self.fail(message("expr.assign_function", name=name), node)
        if name in self.assigned:
            first = self.assigned[name].span[0]
            self.fail(message("expr.assign_twice", name=name, column=first), node)
        if name in self.variables:
            first = next(i.span[0] for i in self.program if i.kind == "variable" and i.arg == name)
            self.fail(message("expr.used_before_assigned", name=name, column=first), node)

    def finish(self) -> None:
        """Every name a statement assigns is read later, or is the output (else its work would be lost)."""
        for name, binding in self.assigned.items():
            if not binding.used and not binding.part and binding.statement < len(self.statements) - 1:
                self.fail(message("expr.assigned_unused", name=name), span=binding.span)

    # -- formulas -----------------------------------------------------------------------------------

    def run(self, tree: ast.AST) -> None:
        # iterative post-order walk: (node, children_done)
        stack: list[tuple[ast.AST, bool]] = [(tree, False)]
        while stack:
            node, done = stack.pop()
            if done:
                self.emit(node)
                continue
            children = self.check(node)
            stack.append((node, True))
            for child in reversed(children):
                stack.append((child, False))

    def check(self, node: ast.AST) -> list[ast.AST]:
        """Refuse `node` unless whitelisted; return the children to visit."""
        if isinstance(node, ast.Constant):
            value = node.value
            if value.__class__ is int or value.__class__ is float:
                return []
            if isinstance(value, str) or isinstance(value, bytes):
                self.fail(message("expr.strings"), node)
            if value.__class__ is bool:
                self.fail(message("expr.boolean", value=value), node)
            if value.__class__ is complex:
                self.fail(message("expr.complex"), node)
            self.fail(message("expr.constant_refused", value=repr(value)), node)
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                self.fail(message("expr.function_not_called", name=node.id, usage=FUNCTIONS[node.id].usage()), node)
            return []
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, (ast.USub, ast.UAdd)):
                return [node.operand]
            word = "not" if isinstance(node.op, ast.Not) else "~"
            self.fail(message("expr.unary_refused", operator=repr(word)), node)
        if isinstance(node, ast.BinOp):
            if type(node.op) in _BINARY:
                return [node.left, node.right]
            symbol, why = _REFUSED_BINARY.get(type(node.op), ("?", "expr.binary_unknown"))
            self.fail(
                message("expr.binary_refused", symbol=symbol, why=message(why)), span=self.operator_span(node, symbol)
            )
        if isinstance(node, ast.Call):
            return self.check_call(node)
        if isinstance(node, ast.Subscript) and self.vector_size(node.value):
            return self.check_index(node)
        allowed = message("expr.allowed")
        if isinstance(node, ast.Attribute):
            end = self.span(node)[1]
            self.fail(
                message("expr.attribute", attribute=node.attr, allowed=allowed),
                span=(end - len(node.attr) - 1, end),
            )
        for kind, words in _NODE_WORDS.items():
            if isinstance(node, kind):
                hint = message("expr.hint_conditional") if kind is ast.IfExp else allowed
                self.fail(message("expr.node_refused", what=message(words), hint=hint), node)
        self.fail(message("expr.node_unknown", what=type(node).__name__), node)
        raise AssertionError("unreachable")  # fail() always raises

    def vector_size(self, node: ast.AST) -> int:
        """How many values `node` gives when it is a softmax call or a name given one (else 0)."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            function = FUNCTIONS.get(node.func.id)
            return max(len(node.args), 1) if function is not None and function.vector else 0
        if isinstance(node, ast.Name) and node.id in self.assigned:
            return self.assigned[node.id].size
        return 0

    def check_index(self, node: ast.Subscript) -> list[ast.AST]:
        """``softmax(z1, z2)[k]`` or ``p[k]``: k a whole number within the values."""
        size = self.vector_size(node.value)
        what = self.shown(self.span(node.value))
        index = _whole_number(node.slice)
        if index is None:
            self.fail(message("expr.index_not_whole", what=what, last=size - 1), node.slice)
        if not -size <= index < size:
            self.fail(message("expr.index_range", what=what, count=size, last=size - 1, index=index), node.slice)
        return [node.value]

    def check_call(self, node: ast.Call) -> list[ast.AST]:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                return self.check(node.func)  # refused, pointing at the attribute
            self.fail(message("expr.call_not_name"), node.func)
        name = node.func.id
        function = FUNCTIONS.get(name)
        if function is None:
            key = "expr.constant_called" if name in CONSTANTS else "expr.unknown_function"
            self.fail(message(key, name=name, functions=_function_list()), node.func)
        if node.keywords:
            keyword = node.keywords[0]
            what = f"{keyword.arg}=" if keyword.arg else "**"
            reason = message("expr.keyword_argument", what=what, usage=function.usage())
            if keyword.arg:
                reason = message("expr.keyword_position", reason=reason, position=len(node.args) + 1)
            self.fail(reason, keyword)
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                self.fail(message("expr.call_unpacking"), argument)
        count = len(node.args)
        if function.variadic:
            if count < 2:
                self.fail(message("expr.variadic_count", name=name, count=count), node)
        else:
            least = function.inputs + sum(1 for d in function.defaults if d is inspect.Parameter.empty)
            most = function.inputs + len(function.params)
            if not least <= count <= most:
                expected = str(least) if least == most else message("expr.argument_range", least=least, most=most)
                key = "expr.argument_count_one" if most == 1 else "expr.argument_count_many"
                self.fail(message(key, name=name, expected=expected, usage=function.usage(), count=count), node)
        return list(node.args)

    def scalar(self, count: int = 1) -> None:
        """Pop `count` values that an operator or a function reads: each must be one number, not a softmax's."""
        taken = self.kinds[len(self.kinds) - count :]
        del self.kinds[len(self.kinds) - count :]
        for size, span in taken:
            if size:
                self.fail(message("expr.vector_as_number", what=self.shown(span), count=size, last=size - 1), span=span)

    def emit(self, node: ast.AST) -> None:
        span = self.span(node)
        size = 0
        if isinstance(node, ast.Constant):
            try:
                number = float(node.value)
            except OverflowError:
                self.fail(message("expr.number_too_large"), node)
            if not math.isfinite(number):
                self.fail(message("expr.number_infinite"), node)
            self.program.append(_Instruction("number", number, 0, span))
        elif isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                self.program.append(_Instruction("number", CONSTANTS[node.id], 0, span))
            elif node.id in self.assigned:
                binding = self.assigned[node.id]
                binding.used, size = True, binding.size
                self.program.append(_Instruction("name", node.id, 0, span))
            else:
                self.variables.setdefault(node.id, None)
                self.program.append(_Instruction("variable", node.id, 0, span))
        elif isinstance(node, ast.UnaryOp):
            self.scalar()
            self.program.append(_Instruction("unary", "-" if isinstance(node.op, ast.USub) else "+", 0, span))
        elif isinstance(node, ast.BinOp):
            self.scalar(2)
            self.program.append(_Instruction("binary", _BINARY[type(node.op)], 0, span))
        elif isinstance(node, ast.Subscript):  # checked by check_index
            vector_size, _ = self.kinds.pop()
            self.program.append(_Instruction("index", _whole_number(node.slice) % vector_size, 0, span))
        else:  # ast.Call, checked by check_call
            function = FUNCTIONS[node.func.id]
            self.scalar(len(node.args))
            if not function.variadic:
                self.check_params(node, function)
            size = len(node.args) if function.vector else 0
            self.program.append(_Instruction("call", function, len(node.args), span))
        self.kinds.append((size, span))

    def check_params(self, node: ast.Call, function: _Function) -> None:
        """A parameter (leaky_relu's alpha) must be a constant: a number, or numbers only."""
        for name, argument in zip(function.params, node.args[function.inputs :], strict=False):
            for inner in ast.walk(argument):
                if isinstance(inner, ast.Name) and inner.id not in CONSTANTS:
                    self.fail(
                        message(
                            "expr.parameter_not_number", function=function.name, parameter=name, usage=function.usage()
                        ),
                        argument,
                    )


def _at_assignment(source: str, error: SyntaxError) -> bool:
    """Whether a formula's SyntaxError is at an ``=`` of assignment (not ``==``, ``<=``, ``>=``, ``!=``)."""
    if error.lineno not in (None, 1) or not error.offset or error.offset > len(source):
        return False
    at = error.offset - 1
    before = source[at - 1] if at > 0 else ""
    after = source[at + 1] if at + 1 < len(source) else ""
    return source[at] == "=" and after != "=" and before not in "<>!=:"


def _whole_number(node: ast.AST) -> int | None:
    """The integer an index is written as (``0``, ``-1``), else None."""
    negative = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
    inner = node.operand if negative else node
    if isinstance(inner, ast.Constant) and inner.value.__class__ is int:
        return -inner.value if negative else inner.value
    return None


def parse(text: str) -> Expression:
    """Check `text` against the whitelist and return the :class:`Expression` (raises ExpressionError).

    `text` is one formula, or statements separated by ``;`` or line breaks: ``name = formula`` names a node
    (later statements may use the name), and the last statement is the output (``#`` starts a comment).

    >>> parse("relu(x) * w").variables
    ('x', 'w')
    >>> parse("q = x + y; f = q * z").assigned
    ('q', 'f')
    >>> parse("x.__class__")
    Traceback (most recent call last):
    ...
    gradviz.expr.ExpressionError: invalid expression: attribute access (.__class__) is not allowed: ...
    """
    if not isinstance(text, str):
        raise ExpressionError(message("expr.not_text", type=type(text).__name__))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(message("expr.too_long", length=len(text), limit=MAX_LENGTH))
    for index, character in enumerate(text):
        if character == "\0" or (ord(character) < 32 and character not in "\t\f\v\r\n"):
            raise ExpressionError(message("expr.control_character"), text, index + 1)
    pieces = _split(text)
    if not pieces:
        raise ExpressionError(message("expr.empty"))
    parser = _Parser(text)
    for number, (offset, piece) in enumerate(pieces):
        parser.statement(offset, piece, last=number == len(pieces) - 1)
    parser.finish()
    assigned = tuple(parser.assigned)
    return Expression(text, tuple(parser.program), tuple(parser.variables), assigned, tuple(parser.statements))


def evaluate(text: str, values: Mapping[str, Any], output_label: str | None = "f") -> Value:
    """Parse `text` and evaluate it with `values` for its variables: a Value labelled `output_label` (or with the
    name the last statement gives it).

    >>> f = evaluate("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    >>> f.backward()
    >>> f.label, f.data
    ('f', -12.0)
    >>> evaluate("q = x + y; L = q ** 2", {"x": 1, "y": 2}).label
    'L'
    """
    return parse(text).evaluate(values, output_label)


def parse_number(text: str) -> float:
    """A number written as a constant formula: ``-2``, ``1e-3``, ``pi/4``, ``sqrt(2)`` (raises ExpressionError).

    >>> parse_number("-2"), parse_number("pi/2")
    (-2.0, 1.5707963267948966)
    """
    expression = parse(text)
    if expression.assigned or len(expression.statements) > 1:
        raise ExpressionError(message("expr.number_one_formula"), text)
    if expression.variables:
        start, end = expression.where(expression.variables[0])
        raise ExpressionError(message("expr.number_expected", name=expression.variables[0]), text, start, end)
    return expression.evaluate({}).data
