"""A safe parser for one-line formulas of the course's functions, such as ``(x + y) * z`` or ``tanh(w*x + b)``.

The text goes through Python's ``ast`` parser and a whitelist — numbers, variables, the constants
``pi`` and ``e``, ``+ − * / **``, unary ``−``/``+`` and calls to the op registry's scalar functions
with positional arguments — and is then evaluated by a small stack machine into gradviz Values.
Nothing is ever handed to ``eval``, ``exec`` or ``compile``: anything outside the whitelist is an
:class:`ExpressionError` that points at the offending token.

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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import xp as _xp
from .engine import apply
from .errors import GradvizError
from .i18n import message, resolve_language
from .ops import OPS, Op, scalar_ops
from .value import Value

__all__ = ["ExpressionError", "Expression", "parse", "evaluate", "parse_number", "FUNCTIONS", "CONSTANTS"]

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

    ``column`` and ``end_column`` are 1-based character positions in ``text`` (None when the problem
    is not at one place, e.g. a value given for a variable the formula does not use). The sentence is in
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
    """A function name allowed in formulas: the registry op it calls and how its arguments map."""

    name: str
    op: Op
    inputs: int  # leading arguments that are nodes (variables or sub-expressions)
    params: tuple[str, ...]  # then these constant parameters, positionally
    defaults: tuple  # default of each parameter (inspect.Parameter.empty when required)
    variadic: bool = False  # max/min: two or more inputs, folded left to right

    def usage(self) -> str:
        names = ["x", "y", "z", "w"][: self.inputs] if self.inputs <= 4 else [f"x{i}" for i in range(self.inputs)]
        shown = list(names) + [
            p if d is inspect.Parameter.empty else f"{p}={d!r}" for p, d in zip(self.params, self.defaults, strict=True)
        ]
        return f"{self.name}({', '.join(shown)}{', ...' if self.variadic else ''})"


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
"""The functions a formula may call, by name; each calls one op of the registry (max and min take two or more).

>>> from gradviz.expr import FUNCTIONS, evaluate
>>> sorted(FUNCTIONS)
['abs', 'cos', 'exp', 'leaky_relu', 'log', 'max', 'maximum', 'min', 'minimum', 'relu', 'sigmoid', 'sin', 'sqrt', 'tanh']
>>> evaluate("max(x, 0, y)", {"x": -1, "y": 2}).data
2.0
"""


def _function_list() -> str:
    return ", ".join(sorted(FUNCTIONS))


# -- parsing ----------------------------------------------------------------------------------
#
# The validated formula becomes a postfix program: a tuple of instructions run by a stack machine,
# so neither checking nor evaluating recurses (Python's own parser stops near 2,000 nested terms).


@dataclass(frozen=True)
class _Instruction:
    kind: str  # "number", "variable", "unary", "binary", "call"
    arg: Any  # the number, the variable name, "-"/"+", the operator, the _Function
    count: int  # arguments of a call
    span: tuple[int, int]  # 1-based start and end column of the source that produced it


class Expression:
    """A parsed, validated formula. Evaluate it with :meth:`evaluate` (as many times as you like).

    >>> from gradviz.expr import parse
    >>> expression = parse("tanh(w*x + b)")
    >>> expression.variables
    ('w', 'x', 'b')
    >>> expression.evaluate({"w": 0.5, "x": 2.0, "b": 0.0}).data
    0.7615941559557649
    """

    def __init__(self, text: str, program: tuple[_Instruction, ...], variables: tuple[str, ...]):
        self.text = text
        self.program = program
        self.variables = variables

    def __repr__(self) -> str:
        return f"Expression({self.text!r}, variables={self.variables})"

    @property
    def functions(self) -> tuple[str, ...]:
        """The function names the formula calls, in order of first use."""
        seen: dict[str, None] = {}
        for instruction in self.program:
            if instruction.kind == "call":
                seen.setdefault(instruction.arg.name, None)
        return tuple(seen)

    def evaluate(self, values: Mapping[str, Any], output_label: str | None = "f") -> Value:
        """The formula's value as a gradviz Value whose graph has one node per operation.

        Each variable becomes a leaf Value labelled with its name (pass a Value to reuse one); the
        result is labelled `output_label` (``"f"``, or ``"out"`` when a variable is already called f).
        Sub-expressions of numbers only are folded into one constant.

        >>> f = parse("x ** 2 + 3*x").evaluate({"x": 2})
        >>> f.backward()
        >>> f.data, f.label
        (10.0, 'f')
        """
        leaves = self._leaves(values)
        stack: list[Any] = []
        for instruction in self.program:
            kind = instruction.kind
            if kind == "number":
                stack.append(instruction.arg)
            elif kind == "variable":
                stack.append(leaves[instruction.arg])
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
        (result,) = stack
        if _is_number(result):
            return Value(result, label=output_label, requires_grad=False)
        if not result.is_leaf and output_label is not None:
            result.label = output_label if output_label not in self.variables else _free_label(self.variables)
        return result

    # -- helpers of evaluate ----------------------------------------------------------------------

    def _guarded(self, step, instruction: _Instruction, *operands):
        """Run one step; a math error inside an op (e.g. math.cos(inf)) becomes an ExpressionError there."""
        try:
            return step(instruction, *operands)
        except ExpressionError:
            raise
        except (ArithmeticError, ValueError) as error:
            what = instruction.arg.name if instruction.kind == "call" else instruction.arg
            inputs = (
                ", ".join(_shown(x) for x in operands[0])
                if instruction.kind == "call"
                else (f"{_shown(operands[0])}, {_shown(operands[1])}")
            )
            start, end = instruction.span
            raise ExpressionError(
                message("expr.not_computable", what=what, error=error, inputs=inputs),
                self.text,
                start,
                end,
            ) from error

    def _leaves(self, values: Mapping[str, Any]) -> dict[str, Value]:
        if not isinstance(values, Mapping):
            raise ExpressionError(message("expr.values_not_mapping", type=type(values).__name__))
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
        """The 1-based start and end column of the first use of the variable `name` in the text.

        >>> parse("2 * y + y").where("y")
        (5, 6)
        """
        for instruction in self.program:
            if instruction.kind == "variable" and instruction.arg == name:
                return instruction.span
        raise KeyError(f"{name!r} is not a variable of {self.text!r} (its variables: {', '.join(self.variables)})")

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

    def _apply(self, instruction: _Instruction, op: Op, inputs: list, params: dict):
        if all(_is_number(x) for x in inputs):
            return self._fold(float(op.forward(_xp.scalar, *inputs, **params)), instruction)
        nodes = tuple(x if isinstance(x, Value) else Value(x, requires_grad=False) for x in inputs)
        return apply(op, nodes, params or None)


def _shown(x) -> str:
    return f"{x.data if isinstance(x, Value) else x:g}"


def _is_number(x) -> bool:
    return x.__class__ is float


def _free_label(variables: tuple[str, ...]) -> str:
    for label in ("out", "result", "output"):
        if label not in variables:
            return label
    return "f_out"


def _char_column(line: str, byte_offset: int) -> int:
    """ast positions are UTF-8 byte offsets; messages count characters (1-based)."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1


class _Parser:
    """Checks an ast against the whitelist and emits the postfix program."""

    def __init__(self, text: str):
        self.text = text
        self.program: list[_Instruction] = []
        self.variables: dict[str, None] = {}

    def fail(self, reason: str, node: ast.AST | None = None, span: tuple[int, int] | None = None):
        if span is None and node is not None:
            span = self.span(node)
        start, end = span if span is not None else (None, None)
        raise ExpressionError(message("expr.invalid", reason=reason), self.text, start, end)

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = _char_column(self.text, node.col_offset)
        end_offset = node.end_col_offset if getattr(node, "end_lineno", 1) == 1 else None
        end = _char_column(self.text, end_offset) if end_offset is not None else len(self.text) + 1
        return start, max(end, start + 1)

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

    def run(self, tree: ast.Expression) -> None:
        # iterative post-order walk: (node, children_done)
        stack: list[tuple[ast.AST, bool]] = [(tree.body, False)]
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

    def emit(self, node: ast.AST) -> None:
        span = self.span(node)
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
            else:
                self.variables.setdefault(node.id, None)
                self.program.append(_Instruction("variable", node.id, 0, span))
        elif isinstance(node, ast.UnaryOp):
            self.program.append(_Instruction("unary", "-" if isinstance(node.op, ast.USub) else "+", 0, span))
        elif isinstance(node, ast.BinOp):
            self.program.append(_Instruction("binary", _BINARY[type(node.op)], 0, span))
        else:  # ast.Call, checked by check_call
            function = FUNCTIONS[node.func.id]
            if not function.variadic:
                self.check_params(node, function)
            self.program.append(_Instruction("call", function, len(node.args), span))

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


def parse(text: str) -> Expression:
    """Check `text` against the whitelist and return the :class:`Expression` (raises ExpressionError).

    >>> parse("relu(x) * w").variables
    ('x', 'w')
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
        if character in "\r\n":
            raise ExpressionError(message("expr.line_break"), text, index + 1)
        if character == "\0" or (ord(character) < 32 and character not in "\t\f\v"):
            raise ExpressionError(message("expr.control_character"), text, index + 1)
    indent = len(text) - len(text.lstrip(" \t\f\v"))
    source = text[indent:]
    if not source.strip():
        raise ExpressionError(message("expr.empty"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings such as "invalid decimal literal" for 1or x
            tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        column = error.offset if error.offset else len(source) + 1
        if error.lineno not in (None, 1) or column > len(source) + 1:
            column = len(source) + 1
        end = error.end_offset if error.end_offset and error.end_offset > column else column + 1
        reason = _syntax_reason(error.msg)
        if column > len(source):
            reason = message("expr.ends_too_early", reason=reason)
        raise ExpressionError(message("expr.invalid", reason=reason), text, column + indent, end + indent) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ExpressionError(message("expr.too_deep")) from None
    parser = _Parser(source)
    try:
        parser.run(tree)
    except ExpressionError as error:
        if indent and error.column is not None:
            raise ExpressionError(error.reason, text, error.column + indent, error.end_column + indent) from None
        raise
    program = (
        tuple(_Instruction(i.kind, i.arg, i.count, (i.span[0] + indent, i.span[1] + indent)) for i in parser.program)
        if indent
        else tuple(parser.program)
    )
    return Expression(text, program, tuple(parser.variables))


def evaluate(text: str, values: Mapping[str, Any], output_label: str | None = "f") -> Value:
    """Parse `text` and evaluate it with `values` for its variables: a Value labelled `output_label`.

    >>> f = evaluate("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    >>> f.backward()
    >>> f.label, f.data
    ('f', -12.0)
    """
    return parse(text).evaluate(values, output_label)


def parse_number(text: str) -> float:
    """A number written as a constant formula: ``-2``, ``1e-3``, ``pi/4``, ``sqrt(2)`` (raises ExpressionError).

    >>> parse_number("-2"), parse_number("pi/2")
    (-2.0, 1.5707963267948966)
    """
    expression = parse(text)
    if expression.variables:
        start, end = expression.where(expression.variables[0])
        raise ExpressionError(message("expr.number_expected", name=expression.variables[0]), text, start, end)
    return expression.evaluate({}).data
