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
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import xp as _xp
from .engine import apply
from .errors import GradvizError
from .ops import Op, scalar_ops
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
_REFUSED_BINARY = {
    ast.FloorDiv: ("//", "floor division has no gradient here: use /"),
    ast.Mod: ("%", "the remainder % is not one of the course's functions"),
    ast.MatMult: ("@", "@ is matrix multiplication, for Tensors: these expressions are scalar"),
    ast.LShift: ("<<", "bit shifts are not arithmetic on real numbers"),
    ast.RShift: (">>", "bit shifts are not arithmetic on real numbers"),
    ast.BitOr: ("|", "| is not arithmetic: for |x| write abs(x)"),
    ast.BitXor: ("^", "^ is not a power here: write x ** 2"),
    ast.BitAnd: ("&", "& is not arithmetic on real numbers"),
}

_ALLOWED = "only numbers, variables, + - * / ** and calls like tanh(x)"

# what a refused node is, in words, for the message
_NODE_WORDS = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing or slicing",
    ast.Lambda: "a lambda",
    ast.IfExp: "a conditional expression (x if c else y)",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.NamedExpr: "an assignment (:=)",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.List: "a list",
    ast.Tuple: "a tuple (write one expression, with no top-level commas)",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.Starred: "unpacking (*)",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}


class ExpressionError(GradvizError, ValueError):
    """A formula outside the whitelist, or one that cannot be evaluated; the message points at the token.

    ``column`` and ``end_column`` are 1-based character positions in ``text`` (None when the problem
    is not at one place, e.g. a value given for a variable the formula does not use).

    >>> from gradviz.expr import ExpressionError, parse
    >>> try:
    ...     parse("x +* 2")
    ... except ExpressionError as error:
    ...     print(error)
    invalid expression: invalid syntax (column 4)
      x +* 2
         ^
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
        return f"{self.reason} (column {self.column})\n  {shown}\n  {' ' * start}{'^' * max(width, 1)}"


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


FUNCTIONS: dict[str, _Function] = _function_table()
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
        if result._op is not None and output_label is not None:
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
                f"{what} could not be computed here ({error}) from the input(s) {inputs}: check the values",
                self.text,
                start,
                end,
            ) from error

    def _leaves(self, values: Mapping[str, Any]) -> dict[str, Value]:
        if not isinstance(values, Mapping):
            raise ExpressionError(f"values must be a mapping of variable names to numbers, got {type(values).__name__}")
        unused = [name for name in values if name not in self.variables]
        if unused:
            constants = [name for name in unused if name in CONSTANTS]
            if constants:
                name = constants[0]
                raise ExpressionError(
                    f"{name} is the constant {CONSTANTS[name]!r} in formulas, not a variable: "
                    f"name your variable differently (e.g. {name}1)"
                )
            known = ", ".join(self.variables) if self.variables else "none"
            raise ExpressionError(
                f"a value was given for {', '.join(map(str, unused))}, which {self.text!r} does not use "
                f"(its variables: {known})"
            )
        leaves = {}
        for name in self.variables:
            if name not in values:
                start, end = self.where(name)
                raise ExpressionError(
                    f"no value for the variable {name}: give one (values={{{name!r}: 1.0}}, or --set {name}=1.0 "
                    "on the command line)",
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
                raise ExpressionError(f"the value of {name} must be a real number, got {value!r}")
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
            f"this part of the formula is a constant that evaluates to {described}: fix the numbers",
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
        raise ExpressionError(f"invalid expression: {reason}", self.text, start, end)

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
                self.fail("strings are not allowed: only numbers, variables and functions", node)
            if value.__class__ is bool:
                self.fail(f"{value} is not a number here: write 1 or 0", node)
            if value.__class__ is complex:
                self.fail("complex numbers are not allowed: only real numbers", node)
            self.fail(f"{value!r} is not allowed: only numbers, variables and functions", node)
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                self.fail(f"{node.id} is a function: call it, e.g. {FUNCTIONS[node.id].usage()}", node)
            return []
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, (ast.USub, ast.UAdd)):
                return [node.operand]
            word = "not" if isinstance(node.op, ast.Not) else "~"
            self.fail(f"the operator {word!r} is not allowed: only + - * / ** and unary -", node)
        if isinstance(node, ast.BinOp):
            if type(node.op) in _BINARY:
                return [node.left, node.right]
            symbol, why = _REFUSED_BINARY.get(type(node.op), ("?", "this operator is not allowed"))
            self.fail(f"{symbol} is not allowed ({why})", span=self.operator_span(node, symbol))
        if isinstance(node, ast.Call):
            return self.check_call(node)
        if isinstance(node, ast.Attribute):
            end = self.span(node)[1]
            self.fail(
                f"attribute access (.{node.attr}) is not allowed: {_ALLOWED}",
                span=(end - len(node.attr) - 1, end),
            )
        for kind, words in _NODE_WORDS.items():
            if isinstance(node, kind):
                hint = "use maximum, minimum or relu" if kind is ast.IfExp else _ALLOWED
                self.fail(f"{words} is not allowed: {hint}", node)
        self.fail(f"{type(node).__name__} is not allowed", node)
        raise AssertionError("unreachable")  # fail() always raises

    def check_call(self, node: ast.Call) -> list[ast.AST]:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                return self.check(node.func)  # refused, pointing at the attribute
            self.fail("only a function name can be called, e.g. tanh(x)", node.func)
        name = node.func.id
        function = FUNCTIONS.get(name)
        if function is None:
            hint = f"; the functions are {_function_list()}"
            if name in CONSTANTS:
                hint = f": {name} is a constant, not a function" + hint
            self.fail(f"unknown function {name}{hint}", node.func)
        if node.keywords:
            keyword = node.keywords[0]
            what = f"{keyword.arg}=" if keyword.arg else "**"
            position = len(node.args) + 1
            self.fail(
                f"keyword arguments ({what}...) are not allowed: pass arguments by position, e.g. {function.usage()}"
                + (f" (the argument in position {position})" if keyword.arg else ""),
                keyword,
            )
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                self.fail("unpacking (*) is not allowed in a call", argument)
        count = len(node.args)
        if function.variadic:
            if count < 2:
                self.fail(f"{name} takes two or more arguments, e.g. {name}(x, y); got {count}", node)
        else:
            least = function.inputs + sum(1 for d in function.defaults if d is inspect.Parameter.empty)
            most = function.inputs + len(function.params)
            if not least <= count <= most:
                expected = str(least) if least == most else f"{least} to {most}"
                plural = "" if most == 1 else "s"
                self.fail(f"{name} takes {expected} argument{plural}, {function.usage()}; got {count}", node)
        return list(node.args)

    def emit(self, node: ast.AST) -> None:
        span = self.span(node)
        if isinstance(node, ast.Constant):
            try:
                number = float(node.value)
            except OverflowError:
                self.fail("this number is too large for a float", node)
            if not math.isfinite(number):
                self.fail("this number is too large for a float (it would be inf)", node)
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
                        f"{function.name}'s {name} must be a number, not an expression of variables "
                        f"(e.g. {function.usage()})",
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
        raise ExpressionError(f"an expression is text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    for index, character in enumerate(text):
        if character in "\r\n":
            raise ExpressionError("an expression is one line: remove the line break", text, index + 1)
        if character == "\0" or (ord(character) < 32 and character not in "\t\f\v"):
            raise ExpressionError("control characters are not allowed in an expression", text, index + 1)
    indent = len(text) - len(text.lstrip(" \t\f\v"))
    source = text[indent:]
    if not source.strip():
        raise ExpressionError("the expression is empty: write a formula such as (x + y) * z")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings such as "invalid decimal literal" for 1or x
            tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        column = error.offset if error.offset else len(source) + 1
        if error.lineno not in (None, 1) or column > len(source) + 1:
            column = len(source) + 1
        end = error.end_offset if error.end_offset and error.end_offset > column else column + 1
        reason = error.msg if column <= len(source) else f"{error.msg} (the expression ends too early)"
        raise ExpressionError(f"invalid expression: {reason}", text, column + indent, end + indent) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ExpressionError("the expression is nested too deeply to read: simplify it") from None
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
        raise ExpressionError(
            f"a number is expected here, not the variable {expression.variables[0]}", text, start, end
        )
    return expression.evaluate({}).data
