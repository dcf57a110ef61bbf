"""The safe formula parser: the whitelist, messages that point at the token, values and gradients."""

from __future__ import annotations

import ast
import builtins
import contextlib
import math
import warnings
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradviz import GradvizError, Value
from gradviz.expr import CONSTANTS, FUNCTIONS, Expression, ExpressionError, evaluate, parse, parse_number


def pointed_at(error: ExpressionError) -> str:
    """The text under the carets of the message (checks that the caret line sits under the text line)."""
    lines = str(error).splitlines()
    shown, carets = lines[-2], lines[-1]
    assert shown.startswith("  ") and carets.startswith("  ")
    start = len(carets) - len(carets.lstrip(" "))
    width = len(carets.strip())
    assert set(carets.strip()) == {"^"}
    return shown[start : start + width]


# -- valid formulas: values, gradients, labels ----------------------------------------------------


def test_worked_example_gives_the_course_values_and_gradients():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    f = evaluate("(x + y) * z", {"x": x, "y": y, "z": z})
    f.backward()
    assert (f.data, x.grad, y.grad, z.grad) == (-12.0, -4.0, -4.0, 3.0)


def test_variables_are_leaves_labelled_with_their_names_and_the_output_is_f():
    f = evaluate("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    nodes = f.graph().nodes
    assert [n.label for n in nodes if not n.op] == ["x", "y", "z"]
    assert f.label == "f" and f.op == "mul"
    assert nodes[2].auto_label  # the intermediate q is left for the Graph to name


def test_output_is_not_called_f_when_a_variable_already_is():
    out = evaluate("f * 2", {"f": 3})
    assert out.label == "out" and out.data == 6.0


def test_variables_are_listed_in_order_of_first_use_without_constants():
    assert parse("b * sin(a) + b / pi - e").variables == ("b", "a")


def test_unicode_variable_names_are_allowed():
    assert evaluate("α * β", {"α": 2, "β": 3}).data == 6.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("relu(x)", max(1.5, 0.0)),
        ("tanh(x)", math.tanh(1.5)),
        ("sigmoid(x)", 1 / (1 + math.exp(-1.5))),
        ("exp(x)", math.exp(1.5)),
        ("log(x)", math.log(1.5)),
        ("sqrt(x)", math.sqrt(1.5)),
        ("abs(-x)", 1.5),
        ("sin(x)", math.sin(1.5)),
        ("cos(x)", math.cos(1.5)),
        ("leaky_relu(-x)", -0.015),
        ("leaky_relu(-x, 0.2)", -0.3),
        ("maximum(x, 2)", 2.0),
        ("minimum(x, 2)", 1.5),
        ("max(x, 2, -x, 7)", 7.0),
        ("min(x, 2, -x)", -1.5),
        ("x ** 2", 2.25),
        ("2 ** x", 2**1.5),
        ("-x + +x - -x", 1.5),
        ("x / 4 * 2", 0.75),
        ("pi * x", math.pi * 1.5),
        ("e ** x", math.e**1.5),
    ],
)
def test_each_allowed_function_and_operator_computes_its_value(text, expected):
    assert evaluate(text, {"x": 1.5}).data == pytest.approx(expected, rel=1e-12)


def test_every_function_name_is_a_scalar_op_of_the_registry_or_a_course_function():
    from gradviz.ops import OPS, scalar_ops

    names = set(FUNCTIONS)
    assert {"relu", "tanh", "sigmoid", "exp", "log", "sqrt", "abs", "sin", "cos", "leaky_relu"} <= names
    assert {"maximum", "minimum", "max", "min"} <= names
    registry = {name for name in names if FUNCTIONS[name].op is not None}
    assert all(FUNCTIONS[name].op is OPS[FUNCTIONS[name].op.name] and FUNCTIONS[name].op.scalar for name in registry)
    # every scalar op of the registry that is called by name is a function; nothing restates the registry
    called = {o.name for o in scalar_ops() if o.name not in {"add", "sub", "neg", "mul", "div", "pow", "power"}}
    assert called <= registry
    assert names - registry == {"mse", "bce", "softmax"}  # the course's functions, built from the registry's ops


def test_a_number_exponent_is_the_pow_op_and_a_variable_exponent_the_power_op():
    square = evaluate("x ** 2", {"x": 3})
    assert square.op == "pow" and square.params == {"exponent": 2.0}
    assert evaluate("x ** y", {"x": 2, "y": 3}).op == "power"


def test_number_only_parts_are_folded_into_one_constant():
    f = evaluate("(1 + 2) * x ** (1 / 2)", {"x": 4})
    assert f.data == 6.0
    assert sorted(n.op for n in f.graph().nodes if n.op) == ["mul", "pow"]


def test_leaky_relu_shows_its_default_alpha_as_a_parameter():
    assert evaluate("leaky_relu(x)", {"x": -1}).params == {"alpha": 0.01}


def test_a_formula_without_variables_is_a_constant_value():
    f = evaluate("2 ** 10 - sqrt(4)", {})
    assert (f.data, f.requires_grad, f.label) == (1022.0, False, "f")


def test_an_expression_evaluates_again_into_a_fresh_graph():
    expression = parse("x * x")
    first, second = expression.evaluate({"x": 2}), expression.evaluate({"x": 3})
    assert (first.data, second.data) == (4.0, 9.0) and first.graph().nodes[0].ref is not second.graph().nodes[0].ref


def test_gradients_flow_through_the_functions():
    x = Value(0.5, label="x")
    f = evaluate("tanh(x) * sigmoid(x) + relu(x) ** 2", {"x": x})
    f.backward()
    t, s = math.tanh(0.5), 1 / (1 + math.exp(-0.5))
    expected = (1 - t * t) * s + t * s * (1 - s) + 2 * 0.5
    assert x.grad == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("text", "number"), [("-2", -2.0), ("1e-3", 0.001), ("pi/4", math.pi / 4), ("sqrt(4)", 2.0)])
def test_parse_number_reads_constant_formulas(text, number):
    assert parse_number(text) == pytest.approx(number)


def test_parse_number_refuses_a_variable_and_points_at_it():
    with pytest.raises(ExpressionError, match="not the variable y") as caught:
        parse_number("2 * y")
    assert pointed_at(caught.value) == "y"


def test_leading_spaces_are_allowed_and_columns_still_count_from_the_original_text():
    assert evaluate("   x + 1", {"x": 1}).data == 2.0
    with pytest.raises(ExpressionError) as caught:
        parse("   x + 'a'")
    assert caught.value.column == 8 and pointed_at(caught.value) == "'a'"


# -- statements: names for the intermediates ----------------------------------------------------------


def test_assignments_name_the_intermediates_and_the_last_statement_is_the_output():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    f = evaluate("q = x + y; f = q * z", {"x": x, "y": y, "z": z})
    f.backward()
    nodes = f.graph().nodes
    assert [(n.label, n.op) for n in nodes] == [("x", ""), ("y", ""), ("q", "add"), ("z", ""), ("f", "mul")]
    assert not any(n.auto_label for n in nodes if n.op)  # q and f are the user's names, not v1
    assert (f.data, x.grad, y.grad, z.grad) == (-12.0, -4.0, -4.0, 3.0)


def test_statements_are_separated_by_semicolons_or_line_breaks_with_blank_lines_and_comments():
    one_line = parse("q = x + y; f = q * z")
    text = "# the worked example\r\nq = x + y   # the sum\n\n  f = q * z\n"
    lines = parse(text)
    assert one_line.variables == lines.variables == ("x", "y", "z")
    assert one_line.assigned == lines.assigned == ("q", "f")
    assert [s.text for s in lines.statements] == ["q = x + y", "f = q * z"]
    values = {"x": 1, "y": 2, "z": 3}
    assert one_line.evaluate(values).data == lines.evaluate(values).data == 9.0


def test_a_name_can_be_used_by_every_later_statement():
    f = evaluate("q = x + y\nr = q * q\nf = r + q", {"x": 1, "y": 2})
    f.backward()
    assert f.data == 12.0 and f.label == "f"
    q = next(n for n in f.graph().nodes if n.label == "q")
    assert q.ref.grad == 2 * 3 + 1  # ∂f/∂q = 2q + 1 through both uses


def test_the_last_statement_may_be_a_bare_formula_named_f_or_a_free_name():
    assert evaluate("q = x + y; q * 2", {"x": 1, "y": 2}).label == "f"
    assert evaluate("f = x + y; f * 2", {"x": 1, "y": 2}).label == "out"  # f is taken by the first statement
    assert evaluate("q = x * 2; q", {"x": 3}).label == "q"  # the output is q itself


def test_a_named_constant_is_a_labelled_constant_node():
    f = evaluate("c = 2 * 3; f = c * x", {"x": 4})
    c = f.graph().nodes[0]
    assert (c.label, c.ref.data, c.ref.requires_grad) == ("c", 6.0, False)
    assert f.data == 24.0


def test_statements_give_the_same_values_and_gradients_as_the_formula_with_the_names_written_out():
    named = parse("z = w*x + b; h = tanh(z); L = (h - y) ** 2")
    written = parse("(tanh(w*x + b) - y) ** 2")
    values = {"w": 0.5, "x": 2.0, "b": -0.3, "y": 0.2}

    def value_and_gradients(expression):
        leaves = {k: Value(v, label=k) for k, v in values.items()}
        loss = expression.evaluate(leaves)
        loss.backward()
        return loss.data, [leaves[k].grad for k in values]

    assert value_and_gradients(named) == value_and_gradients(written)


def test_evaluate_all_gives_every_named_node_and_statements_keep_their_text():
    expression = parse("q = (x + y); f = q * z")
    named = expression.evaluate_all({"x": -2, "y": 5, "z": -4})
    assert {name: node.data for name, node in named.items()} == {"x": -2.0, "y": 5.0, "z": -4.0, "q": 3.0, "f": -12.0}
    assert [(s.text, s.names, s.formula) for s in expression.statements] == [
        ("q = (x + y)", ("q",), "(x + y)"),
        ("f = q * z", ("f",), "q * z"),
    ]
    assert expression.where("q") == (1, 2) and expression.statement_of("f").formula == "q * z"


@pytest.mark.parametrize(
    ("text", "reason", "token"),
    [
        ("q = x + 1; q = y * 2; f = q", "q is assigned twice (first at column 1)", "q"),
        ("f = q * z; q = x + y", "q is used (column 5) before it is assigned", "q"),
        ("q = q + 1; f = q", "q is used (column 5) before it is assigned", "q"),
        ("x + y;; f = 2 * x", "an empty statement", ";"),
        ("q = x + y; f = q * z;", "an empty statement", ";"),
        ("; f = x", "an empty statement", ";"),
        ("x + y; f = 2 * x", "only the last statement can be a bare formula", "x + y"),
        ("q = x + y; f = 2 * x", "q is assigned but never used", "q"),
        ("pi = 3; f = pi * x", "pi is the constant", "pi"),
        ("tanh = x + 1; f = tanh * 2", "tanh is a function", "tanh"),
        ("q = x; f = 2 * q", "q = x gives x a second name", "x"),
        ("q = x + y; r = +q; f = r", "r = q gives q a second name", "q"),
        ("a = b = x + 1", "one name per assignment", "b"),
        ("x += 1", "not Python statements", "x += 1"),
        ("import os", "not Python statements", "import os"),
        ("x[0] = 1; f = x", "only a name can be assigned", "x[0]"),
        ("q = x +* 2; f = q", "invalid syntax", "*"),
    ],
)
def test_refused_statements_raise_a_clean_error_pointing_at_the_name(text, reason, token):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert reason in str(caught.value) and f"(column {caught.value.column})" in str(caught.value)
    assert pointed_at(caught.value) == token


def test_an_assignment_whose_formula_ends_too_early_says_so_at_the_end():
    error = pytest.raises(ExpressionError, parse, "q = x +").value
    assert "ends too early" in error.reason and error.column == len("q = x +") + 1


def test_a_value_for_an_assigned_name_is_refused_and_points_at_the_assignment():
    with pytest.raises(ExpressionError, match=r"q is assigned by the formula \(q = x \+ y\)") as caught:
        evaluate("q = x + y; f = q * z", {"x": 1, "y": 2, "z": 3, "q": 4})
    assert pointed_at(caught.value) == "q" and caught.value.column == 1


def test_statement_errors_speak_spanish():
    from gradviz.i18n import language

    with language("es"):
        twice = pytest.raises(ExpressionError, parse, "q = x + 1; q = y; f = q").value
        empty = pytest.raises(ExpressionError, parse, "x;;").value
        given = pytest.raises(ExpressionError, evaluate, "q = x + y; q", {"x": 1, "y": 2, "q": 3}).value
    assert str(twice).startswith("expresión no válida: q se asigna dos veces (la primera en la columna 1)")
    assert "instrucción vacía" in str(empty) and "(columna 3)" in str(empty)
    assert given.reason.startswith("q se asigna en la fórmula (q = x + y)")


def test_parse_number_refuses_an_assignment():
    with pytest.raises(ExpressionError, match="not statements or an assignment"):
        parse_number("y = 2")


# -- the course's functions: mse, bce, softmax (and step when the registry has it) ------------------


def test_mse_of_one_prediction_is_its_squared_error_drawn_without_a_times_one_node():
    p = Value(0.7, label="p")
    loss = evaluate("mse(p, y)", {"p": p, "y": 0.2})
    loss.backward()
    assert loss.data == pytest.approx(0.25) and p.grad == pytest.approx(2 * (0.7 - 0.2))
    assert [n.op for n in loss.graph().nodes if n.op] == ["sub", "pow"]  # gradviz.nn's mse_loss, one term


def test_bce_of_a_sigmoid_neuron_is_the_courses_binary_cross_entropy():
    from gradviz import nn

    values = {"w": 0.5, "x": 2.0, "b": -0.3}
    for label in (1.0, 0.0, 0.25):
        leaves = {k: Value(v, label=k) for k, v in values.items()}
        loss = evaluate("bce(sigmoid(w*x + b), y)", {**leaves, "y": label})
        loss.backward()
        p = 1 / (1 + math.exp(-(0.5 * 2.0 - 0.3)))
        expected = -(label * math.log(p) + (1 - label) * math.log(1 - p))
        assert loss.data == pytest.approx(expected, rel=1e-12)
        assert leaves["w"].grad == pytest.approx((p - label) * 2.0, rel=1e-9)  # ∂L/∂w = (σ(z) − y)·x
        reference = nn.binary_cross_entropy(Value(p), label)
        assert loss.data == pytest.approx(reference.data, rel=1e-12)
    hard = evaluate("bce(p, 1)", {"p": 0.8})
    assert [n.op for n in hard.graph().nodes if n.op] == ["log", "neg"]  # −log p, as the course writes it


@pytest.mark.parametrize(
    ("values", "reason"),
    [({"p": 1.5, "y": 1}, "takes a probability p from 0 to 1"), ({"p": 0.5, "y": 2}, "takes a label y from 0 to 1")],
)
def test_bce_refuses_a_probability_or_a_label_outside_0_1_and_points_at_the_call(values, reason):
    with pytest.raises(ExpressionError, match=reason) as caught:
        evaluate("2 * bce(p, y)", values)
    assert pointed_at(caught.value) == "bce(p, y)"


def test_softmax_values_are_read_by_index_or_named_and_add_up_to_one():
    z = {"a": 1.0, "b": 2.0, "c": 0.5}
    exponentials = [math.exp(v) for v in z.values()]
    expected = [e / sum(exponentials) for e in exponentials]
    total = evaluate("softmax(a, b, c)[0] + softmax(a, b, c)[1] + softmax(a, b, c)[-1]", z)
    assert total.data == pytest.approx(1.0)
    named = parse("p = softmax(a, b, c); L = -log(p[1])").evaluate_all(z)
    assert named["p[1]"].data == pytest.approx(expected[1]) and named["p[1]"].label == "p[1]"
    unpacked = parse("p1, p2, p3 = softmax(a, b, c); L = -log(p2)").evaluate_all(z)
    assert unpacked["p2"].data == pytest.approx(expected[1]) and unpacked["p2"].label == "p2"


def test_softmax_cross_entropy_gradient_is_the_probability_minus_one_hot():
    leaves = {k: Value(v, label=k) for k, v in {"a": 1.0, "b": 2.0, "c": 0.5}.items()}
    loss = evaluate("p = softmax(a, b, c); L = -log(p[1])", leaves)
    loss.backward()
    exponentials = [math.exp(v.data) for v in leaves.values()]
    probabilities = [e / sum(exponentials) for e in exponentials]
    for k, leaf in enumerate(leaves.values()):
        assert leaf.grad == pytest.approx(probabilities[k] - (k == 1), rel=1e-9)


def test_a_softmax_value_the_formula_never_reads_adds_no_node():
    loss = evaluate("p1, p2, p3 = softmax(a, b, c); L = -log(p1)", {"a": 1, "b": 2, "c": 3})
    assert [n.op for n in loss.graph().nodes].count("div") == 1


def test_course_functions_of_numbers_only_fold_into_one_constant():
    assert evaluate("softmax(0, 0)[1] * x", {"x": 4}).data == 2.0
    assert evaluate("mse(3, 1) + x", {"x": 1}).data == 5.0
    assert [n.op for n in evaluate("mse(3, 1) + x", {"x": 1}).graph().nodes if n.op] == ["add"]


@pytest.mark.parametrize(
    ("text", "reason", "token"),
    [
        ("softmax(a, b) + 1", "softmax(a, b) gives 2 values, not one number", "softmax(a, b)"),
        ("p = softmax(a, b); L = log(p)", "p gives 2 values, not one number", "p"),
        ("softmax(a, b)[2]", "numbered 0 to 1: there is no [2]", "2"),
        ("softmax(a, b)[x]", "a whole number from 0 to 1", "x"),
        ("softmax(a, b)[0:1]", "a whole number from 0 to 1", "0:1"),
        ("softmax(a, b)", "the output is one number", "softmax(a, b)"),
        ("p1, p2 = softmax(a, b, c); f = p1", "gives 3 values, but 2 names", "p1, p2"),
        ("p1, p2 = a + b; f = p1", "this formula gives one number", "p1, p2"),
        ("p = softmax(a, b); p0 = p[0]; f = p0", "p0 = p[0] gives p[0] a second name", "p[0]"),
        ("softmax(a)", "two or more arguments", "softmax(a)"),
        ("mse(p)", "mse takes 2 arguments, mse(p, y); got 1", "mse(p)"),
    ],
)
def test_course_functions_misused_raise_a_clean_error_pointing_at_the_token(text, reason, token):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert reason in str(caught.value)
    assert pointed_at(caught.value) == token


def test_the_course_step_function_is_heaviside_s_and_passes_no_gradient():
    assert "step" in FUNCTIONS  # declared once, in gradviz/ops.py; FUNCTIONS follows the registry
    x = Value(0.5, label="x")
    f = evaluate("step(x) * x", {"x": x})
    f.backward()
    assert (f.data, x.grad) == (0.5, 1.0)  # step(x) = 1 here, and its own derivative is 0
    assert evaluate("step(x)", {"x": -1.0}).data == 0.0 and evaluate("step(x)", {"x": 0.0}).data == 0.0


@pytest.mark.torch
@pytest.mark.parametrize(
    "text",
    [
        "bce(sigmoid(w*x + b), 1)",
        "bce(sigmoid(w*x + b), 0)",
        "mse(tanh(w*x + b), 0.3)",
        "p = softmax(w*x, b, x); L = -log(p[1])",
    ],
)
def test_course_functions_agree_with_pytorch(text):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    values = {"w": 0.7, "x": -1.3, "b": 0.4}
    ours = {k: Value(v, label=k) for k, v in values.items()}
    theirs = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in values.items()}
    w, x, b = theirs["w"], theirs["x"], theirs["b"]

    def target(value):
        return torch.tensor(value, dtype=torch.float64)

    reference = {
        "bce(sigmoid(w*x + b), 1)": lambda: F.binary_cross_entropy(torch.sigmoid(w * x + b), target(1.0)),
        "bce(sigmoid(w*x + b), 0)": lambda: F.binary_cross_entropy(torch.sigmoid(w * x + b), target(0.0)),
        "mse(tanh(w*x + b), 0.3)": lambda: F.mse_loss(torch.tanh(w * x + b), target(0.3)),
        "p = softmax(w*x, b, x); L = -log(p[1])": lambda: -torch.log(torch.softmax(torch.stack([w * x, b, x]), 0)[1]),
    }[text]()
    loss = evaluate(text, ours)
    loss.backward()
    reference.backward()
    assert loss.data == pytest.approx(reference.item(), rel=1e-12)
    for name in values:
        assert ours[name].grad == pytest.approx(theirs[name].grad.item(), rel=1e-9), name


# -- refused formulas: a clean error pointing at the token ------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason", "token"),
    [
        ("x.__class__", "attribute access (.__class__)", ".__class__"),
        ("__import__('os').system('ls')", "attribute access (.system)", ".system"),
        ("x.y.z", "attribute access (.z)", ".z"),
        ("x[0] + 1", "indexing", "x[0]"),
        ("lambda: 1", "lambda", "lambda: 1"),
        ("x + 'a'", "strings are not allowed", "'a'"),
        ("x + b'a'", "strings are not allowed", "b'a'"),
        ("leaky_relu(x, alpha=0.1)", "keyword arguments (alpha=...)", "alpha=0.1"),
        ("tanh(**x)", "keyword arguments", "**x"),
        ("relu(*x)", "unpacking", "*x"),
        ("foo(x) + 1", "unknown function foo", "foo"),
        ("__import__('os')", "unknown function __import__", "__import__"),
        ("pi(2)", "pi is a constant", "pi"),
        ("tanh(x, y)", "tanh takes 1 argument", "tanh(x, y)"),
        ("max(x)", "two or more", "max(x)"),
        ("leaky_relu(x, y)", "must be a number", "y"),
        ("relu + 1", "relu is a function", "relu"),
        ("x // 2", "// is not allowed", "//"),
        ("(x) % (y)", "% is not allowed", "%"),
        ("x @ y", "@ is not allowed", "@"),
        ("x ^ 2", "^ is not allowed", "^"),
        ("not x", "'not' is not allowed", "not x"),
        ("x < y", "comparison", "x < y"),
        ("x and y", "and/or", "x and y"),
        ("x if y else z", "conditional", "x if y else z"),
        ("(y := 2) * x", "assignment (:=)", "y := 2"),
        ("[i for i in x]", "list comprehension", "[i for i in x]"),
        ("sum(i for i in x)", "unknown function sum", "sum"),
        ("{1: x}", "a dict", "{1: x}"),
        ("x, y", "tuple", "x, y"),
        ("True * x", "True is not a number", "True"),
        ("1j * x", "complex", "1j"),
        ("f'{x}'", "f-string", "f'{x}'"),
        ("...", "Ellipsis", "..."),
        ("α + 'é'", "strings", "'é'"),
        ("x +", "ends too early", ""),
        ("tanh(x", "never closed", "("),
        ("x y", "invalid syntax", "y"),
        ("x = 1 +", "ends too early", ""),
        ("x\ny", "only the last statement can be a bare formula", "x"),
        ("1" * 400 + " * x", "too large", "1" * 80),
    ],
)
def test_refused_formula_raises_a_clean_error_pointing_at_the_token(text, reason, token):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    error = caught.value
    assert isinstance(error, GradvizError) and isinstance(error, ValueError)
    assert reason in str(error)
    assert f"(column {error.column})" in str(error)
    if token:
        assert pointed_at(error) == token
    else:  # the end of the text
        assert error.column == len(text) + 1


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_an_empty_formula_is_refused(text):
    with pytest.raises(ExpressionError, match="empty"):
        parse(text)


def test_a_formula_nested_too_deeply_is_refused_cleanly():
    with pytest.raises(ExpressionError, match="nested|parenthes"):
        parse("(" * 300 + "x" + ")" * 300)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("-" * 9000 + "x")


def test_a_long_sum_parses_and_evaluates_without_recursion():
    f = evaluate("+".join(["x"] * 1500), {"x": 1})
    f.backward()
    assert f.data == 1500.0


def test_an_overlong_formula_is_refused():
    with pytest.raises(ExpressionError, match="limit"):
        parse("x" * 20_000)


def test_a_long_formula_shows_a_window_around_the_token():
    error = pytest.raises(ExpressionError, parse, "x + " * 200 + "'a'").value
    assert len(str(error).splitlines()[-2]) < 100 and pointed_at(error) == "'a'"


def test_a_constant_part_that_is_not_finite_is_refused_at_evaluation():
    with pytest.raises(ExpressionError, match="evaluates to inf") as caught:
        evaluate("x + 1 / 0", {"x": 1})
    assert pointed_at(caught.value) == "1 / 0"
    with pytest.raises(ExpressionError, match="inf"):
        evaluate("9 ** 9 ** 9 ** 9 * x", {"x": 1})  # floats: overflows at once instead of computing a huge int


def test_a_math_error_inside_an_op_points_at_the_op(monkeypatch):
    from gradviz import xp

    def failing_cos(a):  # as math.cos(inf) did before the scalar namespace followed numpy
        raise ValueError("math domain error")

    monkeypatch.setattr(type(xp.scalar), "cos", staticmethod(failing_cos))
    with pytest.raises(ExpressionError, match=r"cos could not be computed here \(math domain error\)") as caught:
        evaluate("cos(2 * x) + x", {"x": 1})
    assert pointed_at(caught.value) == "cos(2 * x)"


def test_cos_of_an_infinite_value_is_nan_not_an_error():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 0 ** -1 is inf, with a GradvizWarning
        assert math.isnan(evaluate("cos(0 ** x) + x", {"x": -1}).data)


def test_a_missing_value_names_the_variable_and_points_at_its_first_use():
    with pytest.raises(ExpressionError, match="no value for the variable y") as caught:
        evaluate("x * y + y", {"x": 1})
    assert caught.value.column == 5 and pointed_at(caught.value) == "y"


def test_a_value_for_an_unused_name_is_refused():
    with pytest.raises(ExpressionError, match="w, which 'x' does not use"):
        evaluate("x", {"x": 1, "w": 2})


def test_a_value_for_a_constant_name_says_it_is_a_constant():
    with pytest.raises(ExpressionError, match="e is the constant"):
        evaluate("x", {"x": 1, "e": 2})


@pytest.mark.parametrize("bad", ["1", True, None, [1.0]])
def test_a_value_must_be_a_real_number(bad):
    with pytest.raises(ExpressionError, match="must be a real number"):
        evaluate("x", {"x": bad})


def test_python_syntax_warnings_stay_quiet(recwarn):
    with pytest.raises(ExpressionError, match="and/or"):
        parse("1or x")
    assert not [w for w in recwarn if issubclass(w.category, SyntaxWarning)]


def test_a_non_string_formula_is_refused():
    with pytest.raises(ExpressionError, match="is text"):
        parse(42)  # type: ignore[arg-type]


# -- never code execution ----------------------------------------------------------------------------


ATTACKS = [
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w').write('1')",
    "(lambda: __import__('os').system('touch {marker}'))()",
    "[__import__('os').system('touch {marker}') for _ in 'a']",
    "(p := __import__('os').system('touch {marker}'))",
    "exp.__globals__['__builtins__']['exec']('open(\"{marker}\", \"w\")')",
    "x.__class__.__mro__[1].__subclasses__()",
    "relu(__import__('os').system('touch {marker}'))",
    'tanh(x, exec(\'open("{marker}", "w")\'))',
    "getattr(x, 'data')",
    "x if __import__('os').system('touch {marker}') else x",
    "eval('1')",
    "breakpoint()",
]


@contextlib.contextmanager
def code_never_compiled():
    """eval and exec must never run; compile may only ever produce an AST (what ast.parse asks for)."""
    real_compile = builtins.compile

    def ast_only_compile(source, filename, mode, flags=0, *args, **kwargs):
        assert flags & ast.PyCF_ONLY_AST, "the parser compiled code"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("the parser called eval or exec")

    with (
        mock.patch.object(builtins, "compile", ast_only_compile),
        mock.patch.object(builtins, "eval", refuse),
        mock.patch.object(builtins, "exec", refuse),
    ):
        yield


@pytest.fixture
def no_code_compiled():
    with code_never_compiled():
        yield


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attack_is_refused_without_side_effects(attack, tmp_path, no_code_compiled):
    marker = tmp_path / "marker"
    with pytest.raises(ExpressionError):
        evaluate(attack.format(marker=marker), {"x": 1.0})
    assert not marker.exists()


# -- fuzzing --------------------------------------------------------------------------------------

_DENSE = st.sampled_from(
    list(" xyz()+-*/.,0123456789_'\"[]:=;<>@%^!#{}\\λé\t\n") + list(FUNCTIONS) + ["pi", "e", "**", "q = ", "; f = q"]
)


def _parse_and_evaluate(text: str, value: float = 0.7):
    """parse, then evaluate with every variable at `value`: returns the Value or the ExpressionError."""
    try:
        with code_never_compiled():
            expression = parse(text)
    except ExpressionError as error:
        assert str(error)
        return error
    assert isinstance(expression, Expression)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # log of a negative and the like: nan, with a GradvizWarning
        try:
            with code_never_compiled():
                value = expression.evaluate(dict.fromkeys(expression.variables, value))
        except ExpressionError as error:
            return error
        if value.requires_grad:
            value.backward()
    assert isinstance(value, Value)
    return value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_either_parses_or_raises_expression_error(text):
    _parse_and_evaluate(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(_DENSE, max_size=16).map("".join))
def test_any_text_of_formula_characters_either_parses_or_raises_expression_error(text):
    _parse_and_evaluate(text)


_LEAF = st.one_of(
    st.sampled_from(["x", "y", "z", "pi", "e"]),
    st.integers(min_value=0, max_value=50).map(str),
    st.floats(min_value=0, max_value=10, allow_nan=False).map(repr),
)
_UNARY_FUNCTIONS = sorted(name for name, f in FUNCTIONS.items() if f.inputs == 1 and not f.variadic)


def _extend(children):
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**"]), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        children.map(lambda c: f"-{c}"),
        st.tuples(st.sampled_from(_UNARY_FUNCTIONS), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["max", "min", "maximum", "minimum"]), children, children).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
    )


VALID = st.recursive(_LEAF, _extend, max_leaves=12)

_INSERTS = [
    ".real",
    ".__class__",
    "[0]",
    "'s'",
    "lambda: 0",
    "__import__('os')",
    " for i in x",
    ":= 1",
    ", alpha=1",
    "*",
    "(",
    ")",
    ",",
    " if x else ",
    "//",
    "@",
    "\n",
    "exec",
    "{",
    ";",
    "; q = x",
    "q = ",
    ")[0]",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALID, st.sampled_from([0.7, 0.0, -1.0, 2.0, -3.5, 1e300]))
def test_generated_formulas_parse_and_evaluate(text, value):
    result = _parse_and_evaluate(text, value)
    if isinstance(result, ExpressionError):  # a constant part that overflows, or math failing at inf or nan
        assert "evaluates to" in result.reason or "could not be computed" in result.reason


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALID, st.sampled_from(_INSERTS), st.data())
def test_mutated_formulas_never_raise_anything_but_expression_error(text, insert, data):
    where = data.draw(st.integers(min_value=0, max_value=len(text)))
    _parse_and_evaluate(text[:where] + insert + text[where:])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALID, VALID, st.sampled_from([0.7, -1.0, 2.0]))
def test_a_formula_split_into_named_statements_gives_the_same_value(first, second, value):
    split = _parse_and_evaluate(f"q = {first} * 1\nf = q * ({second})", value)
    whole = _parse_and_evaluate(f"(({first}) * 1) * ({second})", value)
    assume(isinstance(split, Value) and isinstance(whole, Value) and math.isfinite(whole.data))
    assert split.label == "f" and split.data == whole.data


# -- an oracle: values and gradients agree with PyTorch --------------------------------------------


def _torch_functions(torch) -> dict:
    return {
        "relu": torch.relu,
        "step": lambda x: torch.sign(torch.relu(x)),  # Heaviside's step, with its zero gradient
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "exp": torch.exp,
        "log": torch.log,
        "sqrt": torch.sqrt,
        "abs": torch.abs,
        "sin": torch.sin,
        "cos": torch.cos,
        "leaky_relu": torch.nn.functional.leaky_relu,  # default slope 0.01, as ours
        "max": torch.maximum,
        "maximum": torch.maximum,
        "min": torch.minimum,
        "minimum": torch.minimum,
    }


def _torch_value(tree: ast.AST, variables: dict, torch):
    """Evaluate our own ast with torch (a test-side reference, recursive: the trees are small)."""
    if isinstance(tree, ast.Expression):
        return _torch_value(tree.body, variables, torch)
    if isinstance(tree, ast.Constant):
        return torch.tensor(float(tree.value), dtype=torch.float64)
    if isinstance(tree, ast.Name):
        if tree.id in CONSTANTS:
            return torch.tensor(CONSTANTS[tree.id], dtype=torch.float64)
        return variables[tree.id]
    if isinstance(tree, ast.UnaryOp):
        return -_torch_value(tree.operand, variables, torch)
    if isinstance(tree, ast.BinOp):
        a, b = _torch_value(tree.left, variables, torch), _torch_value(tree.right, variables, torch)
        return {
            ast.Add: a.__add__,
            ast.Sub: a.__sub__,
            ast.Mult: a.__mul__,
            ast.Div: a.__truediv__,
            ast.Pow: a.__pow__,
        }[type(tree.op)](b)
    args = [_torch_value(a, variables, torch) for a in tree.args]
    return _torch_functions(torch)[tree.func.id](*args)


@pytest.mark.torch
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALID, st.floats(-3, 3), st.floats(0.1, 3), st.floats(-3, 3))
def test_values_and_gradients_agree_with_pytorch(text, x, y, z):
    torch = pytest.importorskip("torch")
    assigned = {"x": x, "y": y, "z": z}
    expression = parse(text)
    assume(expression.variables)
    ours = {name: Value(assigned[name], label=name) for name in expression.variables}
    theirs = {
        name: torch.tensor(assigned[name], dtype=torch.float64, requires_grad=True) for name in expression.variables
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            f = expression.evaluate(ours)
        except ExpressionError:
            assume(False)
        reference = _torch_value(ast.parse(text, mode="eval"), theirs, torch)
        assume(math.isfinite(f.data) and math.isfinite(float(reference)))
        if not f.requires_grad or not reference.requires_grad:
            return
        f.backward()
        reference.backward()
    assert f.data == pytest.approx(float(reference), rel=1e-9, abs=1e-12)
    for name in expression.variables:
        expected = 0.0 if theirs[name].grad is None else float(theirs[name].grad)
        got = 0.0 if ours[name].grad is None else ours[name].grad
        if math.isfinite(expected):
            assert got == pytest.approx(expected, rel=1e-7, abs=1e-9), name
