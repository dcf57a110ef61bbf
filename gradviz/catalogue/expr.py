"""What the formula parser says about a formula it refuses (gradviz.expr, ``gradviz render "EXPR"``), in English
and Spanish: the reason, the column, and Python's own syntax messages in words a student reads.

Code stays code in both languages: ``tanh(x)``, ``x ** 2``, ``--set x=1.0`` and operator symbols are
fields or literal text, never translated.
"""

MESSAGES = {
    # the frame of every message: the reason, then where it is (the text and the carets follow on their lines)
    "expr.at_column": {"en": "{reason} (column {column})", "es": "{reason} (columna {column})"},
    "expr.invalid": {"en": "invalid expression: {reason}", "es": "expresión no válida: {reason}"},
    # the text itself
    "expr.not_text": {
        "en": "an expression is text, got {type}",
        "es": "una expresión es un texto, y se ha recibido {type}",
    },
    "expr.too_long": {
        "en": "the expression is {length} characters long; the limit is {limit}",
        "es": "la expresión tiene {length} caracteres; el máximo es {limit}",
    },
    "expr.control_character": {
        "en": "control characters are not allowed in an expression",
        "es": "una expresión no puede contener caracteres de control",
    },
    "expr.empty": {
        "en": "the expression is empty: write a formula such as (x + y) * z",
        "es": "la expresión está vacía: escribe una fórmula como (x + y) * z",
    },
    "expr.too_deep": {
        "en": "the expression is nested too deeply to read: simplify it",
        "es": "la expresión tiene demasiados niveles anidados para leerla: simplifícala",
    },
    "expr.ends_too_early": {
        "en": "{reason} (the expression ends too early)",
        "es": "{reason} (la expresión termina antes de tiempo)",
    },
    # statements: `name = formula`, separated by ; or line breaks, the last one the output
    "expr.empty_statement": {
        "en": "an empty statement: remove the extra ; (statements are separated by one ; or a line break)",
        "es": "una instrucción vacía: quita el ; que sobra (las instrucciones se separan con un ; o un salto de línea)",
    },
    "expr.statement_unused": {
        "en": "only the last statement can be a bare formula (it is the output): name this one, e.g. q = ..., "
        "and use q later",
        "es": "solo la última instrucción puede ser una fórmula sin nombre (es la salida): dale un nombre a esta, "
        "p. ej. q = ..., y usa q después",
    },
    "expr.statement_refused": {
        "en": "only formulas and assignments name = formula are allowed, not Python statements (import, if, +=, ...)",
        "es": "solo se admiten fórmulas y asignaciones nombre = fórmula, no instrucciones de Python (import, if, "
        "+=, ...)",
    },
    "expr.assign_chain": {
        "en": "one name per assignment: write q = x + y, then r = q",
        "es": "un solo nombre por asignación: escribe q = x + y y después r = q",
    },
    "expr.assign_target": {
        "en": "only a name can be assigned, e.g. q = x + y",
        "es": "solo se puede asignar a un nombre, p. ej. q = x + y",
    },
    "expr.assign_alias": {
        "en": "{name} = {other} gives {other} a second name: use {other} itself, or assign a formula such as "
        "{name} = 2 * {other}",
        "es": "{name} = {other} le da un segundo nombre a {other}: usa {other} directamente, o asigna una fórmula "
        "como {name} = 2 * {other}",
    },
    "expr.assign_constant": {
        "en": "{name} is the constant {value}: it cannot be assigned, choose another name (e.g. {name}1)",
        "es": "{name} es la constante {value}: no se le puede asignar nada, elige otro nombre (p. ej. {name}1)",
    },
    "expr.assign_function": {
        "en": "{name} is a function: it cannot be assigned, choose another name (e.g. {name}1)",
        "es": "{name} es una función: no se le puede asignar nada, elige otro nombre (p. ej. {name}1)",
    },
    "expr.assign_twice": {
        "en": "{name} is assigned twice (first at column {column}): each name is assigned once, so give the "
        "new value another name",
        "es": "{name} se asigna dos veces (la primera en la columna {column}): cada nombre se asigna una sola "
        "vez, así que dale otro nombre al nuevo valor",
    },
    "expr.used_before_assigned": {
        "en": "{name} is used (column {column}) before it is assigned: assign a name before using it, or, if "
        "{name} is a variable given with --set, choose another name for this one",
        "es": "{name} se usa (columna {column}) antes de asignarlo: asigna un nombre antes de usarlo o, si "
        "{name} es una variable con valor de --set, elige otro nombre para este",
    },
    "expr.assigned_unused": {
        "en": "{name} is assigned but never used: use it in a later statement, or remove its statement",
        "es": "{name} se asigna pero no se usa nunca: úsalo en una instrucción posterior, o quita su instrucción",
    },
    "expr.output_vector": {
        "en": "{what} gives {count} values, and the output is one number: pick one, e.g. {what}[0] (from 0 to {last})",
        "es": "{what} da {count} valores, y la salida es un solo número: elige uno, p. ej. {what}[0] (de 0 a {last})",
    },
    "expr.output_several": {
        "en": "the last statement is the output, one number: it cannot assign several names",
        "es": "la última instrucción es la salida, un solo número: no puede asignar varios nombres",
    },
    "expr.unpack_number": {
        "en": "{names} = ... names several values, and this formula gives one number: write one name",
        "es": "{names} = ... nombra varios valores, y esta fórmula da un solo número: escribe un solo nombre",
    },
    "expr.unpack_count": {
        "en": "{what} gives {count} values, but {names} names are given: write one name per value",
        "es": "{what} da {count} valores, pero se dan {names} nombres: escribe un nombre por valor",
    },
    "expr.vector_as_number": {
        "en": "{what} gives {count} values, not one number: pick one with [0] to [{last}], e.g. {what}[0]",
        "es": "{what} da {count} valores, no un solo número: elige uno con [0] a [{last}], p. ej. {what}[0]",
    },
    "expr.index_not_whole": {
        "en": "the index of {what}[...] is a whole number from 0 to {last}, e.g. {what}[0]",
        "es": "el índice de {what}[...] es un número entero de 0 a {last}, p. ej. {what}[0]",
    },
    "expr.index_range": {
        "en": "{what} gives {count} values, numbered 0 to {last}: there is no [{index}]",
        "es": "{what} da {count} valores, numerados de 0 a {last}: no existe el [{index}]",
    },
    "expr.value_for_assigned": {
        "en": "{name} is assigned by the formula ({statement}), so it takes no value: remove {name} from the "
        "values (or --set), or give one of them another name",
        "es": "{name} se asigna en la fórmula ({statement}), así que no lleva valor: quita {name} de los valores "
        "(o de --set), o cambia el nombre de uno de los dos",
    },
    "expr.number_one_formula": {
        "en": "a number is expected here, not statements or an assignment (=)",
        "es": "aquí se espera un número, no instrucciones ni una asignación (=)",
    },
    # the course's functions
    "expr.bce_probability": {
        "en": "bce(p, y) takes a probability p from 0 to 1 (e.g. bce(sigmoid(z), y)); here p = {value}",
        "es": "bce(p, y) recibe una probabilidad p entre 0 y 1 (p. ej. bce(sigmoid(z), y)); aquí p = {value}",
    },
    "expr.bce_label": {
        "en": "bce(p, y) takes a label y from 0 to 1 (0 or 1, or a probability); here y = {value}",
        "es": "bce(p, y) recibe una etiqueta y entre 0 y 1 (0 o 1, o una probabilidad); aquí y = {value}",
    },
    # Python's syntax messages; the English reproduces Python's text exactly
    "expr.syntax_invalid": {"en": "invalid syntax", "es": "error de sintaxis"},
    "expr.syntax_comma": {
        "en": "invalid syntax. Perhaps you forgot a comma?",
        "es": "error de sintaxis: ¿falta una coma?",
    },
    "expr.syntax_never_closed": {"en": "'{bracket}' was never closed", "es": "falta cerrar el '{bracket}'"},
    "expr.syntax_unmatched": {
        "en": "unmatched '{bracket}'",
        "es": "este '{bracket}' no cierra nada que esté abierto",
    },
    "expr.syntax_mismatch": {
        "en": "closing parenthesis '{closing}' does not match opening parenthesis '{opening}'",
        "es": "el '{closing}' no corresponde al '{opening}' que está abierto",
    },
    "expr.syntax_decimal": {"en": "invalid decimal literal", "es": "número mal escrito"},
    "expr.syntax_character": {
        "en": "invalid character '{character}' (U+{code})",
        "es": "carácter no válido '{character}' (U+{code})",
    },
    "expr.syntax_string": {
        "en": "unterminated string literal (detected at line {line})",
        "es": "comillas sin cerrar (detectado en la línea {line})",
    },
    "expr.syntax_leading_zero": {
        "en": "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
        "es": "un número entero no puede empezar por cero: escribe 8, no 08",
    },
    "expr.syntax_else": {
        "en": "expected 'else' after 'if' expression",
        "es": "falta el 'else' después de la expresión con 'if'",
    },
    "expr.syntax_continuation": {
        "en": "unexpected character after line continuation character",
        "es": "carácter inesperado después de la barra invertida \\",
    },
    # what the whitelist refuses
    "expr.allowed": {
        "en": "only numbers, variables, + - * / ** and calls like tanh(x)",
        "es": "solo se admiten números, variables, + - * / ** y llamadas como tanh(x)",
    },
    "expr.strings": {
        "en": "strings are not allowed: only numbers, variables and functions",
        "es": "no se admiten textos entre comillas: solo números, variables y funciones",
    },
    "expr.boolean": {
        "en": "{value} is not a number here: write 1 or 0",
        "es": "{value} no es un número aquí: escribe 1 o 0",
    },
    "expr.complex": {
        "en": "complex numbers are not allowed: only real numbers",
        "es": "no se admiten números complejos: solo números reales",
    },
    "expr.constant_refused": {
        "en": "{value} is not allowed: only numbers, variables and functions",
        "es": "no se admite {value}: solo números, variables y funciones",
    },
    "expr.function_not_called": {
        "en": "{name} is a function: call it, e.g. {usage}",
        "es": "{name} es una función: llámala, p. ej. {usage}",
    },
    "expr.unary_refused": {
        "en": "the operator {operator} is not allowed: only + - * / ** and unary -",
        "es": "no se admite el operador {operator}: solo + - * / ** y el - delante de un término",
    },
    "expr.binary_refused": {"en": "{symbol} is not allowed ({why})", "es": "no se admite {symbol} ({why})"},
    "expr.binary_unknown": {"en": "this operator is not allowed", "es": "este operador no se admite"},
    "expr.why_floor_division": {
        "en": "floor division has no gradient here: use /",
        "es": "la división entera no tiene gradiente aquí: usa /",
    },
    "expr.why_remainder": {
        "en": "the remainder % is not one of the course's functions",
        "es": "el resto % no es una de las funciones del curso",
    },
    "expr.why_matmul": {
        "en": "@ is matrix multiplication, for Tensors: these expressions are scalar",
        "es": "@ es el producto de matrices, para Tensors: estas expresiones son escalares",
    },
    "expr.why_shift": {
        "en": "bit shifts are not arithmetic on real numbers",
        "es": "desplazar bits no es aritmética con números reales",
    },
    "expr.why_bit_or": {
        "en": "| is not arithmetic: for |x| write abs(x)",
        "es": "| no es aritmética: para |x| escribe abs(x)",
    },
    "expr.why_bit_xor": {
        "en": "^ is not a power here: write x ** 2",
        "es": "^ no es una potencia aquí: escribe x ** 2",
    },
    "expr.why_bit_and": {
        "en": "& is not arithmetic on real numbers",
        "es": "& no es aritmética con números reales",
    },
    "expr.attribute": {
        "en": "attribute access (.{attribute}) is not allowed: {allowed}",
        "es": "no se admite acceder a atributos (.{attribute}): {allowed}",
    },
    "expr.node_refused": {"en": "{what} is not allowed: {hint}", "es": "no se admite {what}: {hint}"},
    "expr.node_unknown": {"en": "{what} is not allowed", "es": "no se admite {what}"},
    "expr.hint_conditional": {
        "en": "use maximum, minimum or relu",
        "es": "usa maximum, minimum o relu",
    },
    # what a refused piece of Python is, in words (after "not allowed" / "no se admite")
    "expr.node_subscript": {"en": "indexing or slicing", "es": "indexar ni tomar porciones"},
    "expr.node_lambda": {"en": "a lambda", "es": "una lambda"},
    "expr.node_conditional": {
        "en": "a conditional expression (x if c else y)",
        "es": "una expresión condicional (x if c else y)",
    },
    "expr.node_comparison": {"en": "a comparison", "es": "una comparación"},
    "expr.node_and_or": {"en": "and/or", "es": "and/or"},
    "expr.node_assignment": {"en": "an assignment (:=)", "es": "una asignación (:=)"},
    "expr.node_list_comprehension": {"en": "a list comprehension", "es": "una lista por comprensión"},
    "expr.node_set_comprehension": {"en": "a set comprehension", "es": "un conjunto por comprensión"},
    "expr.node_dict_comprehension": {"en": "a dict comprehension", "es": "un diccionario por comprensión"},
    "expr.node_generator": {"en": "a generator expression", "es": "una expresión generadora"},
    "expr.node_list": {"en": "a list", "es": "una lista"},
    "expr.node_tuple": {
        "en": "a tuple (write one expression, with no top-level commas)",
        "es": "una tupla (escribe una sola expresión, sin comas fuera de los paréntesis)",
    },
    "expr.node_set": {"en": "a set", "es": "un conjunto"},
    "expr.node_dict": {"en": "a dict", "es": "un diccionario"},
    "expr.node_unpacking": {"en": "unpacking (*)", "es": "desempaquetar (*)"},
    "expr.node_f_string": {"en": "an f-string", "es": "una f-string"},
    "expr.node_await": {"en": "await", "es": "await"},
    "expr.node_yield": {"en": "yield", "es": "yield"},
    "expr.node_slice": {"en": "a slice", "es": "una porción (slice)"},
    # calls
    "expr.call_not_name": {
        "en": "only a function name can be called, e.g. tanh(x)",
        "es": "solo se puede llamar a una función por su nombre, p. ej. tanh(x)",
    },
    "expr.unknown_function": {
        "en": "unknown function {name}; the functions are {functions}",
        "es": "función desconocida {name}; las funciones son {functions}",
    },
    "expr.constant_called": {
        "en": "unknown function {name}: {name} is a constant, not a function; the functions are {functions}",
        "es": "función desconocida {name}: {name} es una constante, no una función; las funciones son {functions}",
    },
    "expr.keyword_argument": {
        "en": "keyword arguments ({what}...) are not allowed: pass arguments by position, e.g. {usage}",
        "es": "no se admiten argumentos con nombre ({what}...): pásalos por posición, p. ej. {usage}",
    },
    "expr.keyword_position": {
        "en": "{reason} (the argument in position {position})",
        "es": "{reason} (el argumento en la posición {position})",
    },
    "expr.call_unpacking": {
        "en": "unpacking (*) is not allowed in a call",
        "es": "no se admite desempaquetar (*) en una llamada",
    },
    "expr.variadic_count": {
        "en": "{name} takes two or more arguments, e.g. {name}(x, y); got {count}",
        "es": "{name} recibe dos argumentos o más, p. ej. {name}(x, y); tiene {count}",
    },
    "expr.argument_count_one": {
        "en": "{name} takes {expected} argument, {usage}; got {count}",
        "es": "{name} recibe {expected} argumento, {usage}; tiene {count}",
    },
    "expr.argument_count_many": {
        "en": "{name} takes {expected} arguments, {usage}; got {count}",
        "es": "{name} recibe {expected} argumentos, {usage}; tiene {count}",
    },
    "expr.argument_range": {"en": "{least} to {most}", "es": "de {least} a {most}"},
    "expr.parameter_not_number": {
        "en": "{function}'s {parameter} must be a number, not an expression of variables (e.g. {usage})",
        "es": "el parámetro {parameter} de {function} debe ser un número, no una expresión con variables "
        "(p. ej. {usage})",
    },
    "expr.number_too_large": {
        "en": "this number is too large for a float",
        "es": "este número es demasiado grande para un float",
    },
    "expr.number_infinite": {
        "en": "this number is too large for a float (it would be inf)",
        "es": "este número es demasiado grande para un float (sería inf)",
    },
    # values for the variables, and evaluation
    "expr.values_not_mapping": {
        "en": "values must be a mapping of variable names to numbers, got {type}",
        "es": "values debe asociar nombres de variables a números (un dict), y se ha recibido {type}",
    },
    "expr.value_for_constant": {
        "en": "{name} is the constant {value} in formulas, not a variable: name your variable differently "
        "(e.g. {name}1)",
        "es": "{name} es la constante {value} en las fórmulas, no una variable: llama a tu variable de otra "
        "forma (p. ej. {name}1)",
    },
    "expr.value_unused": {
        "en": "a value was given for {names}, which {expression} does not use (its variables: {known})",
        "es": "se ha dado un valor para {names}, que {expression} no usa (sus variables: {known})",
    },
    "expr.no_variables": {"en": "none", "es": "ninguna"},
    "expr.value_missing": {
        "en": "no value for the variable {name}: give one (values={{{quoted}: 1.0}}, or --set {name}=1.0 on the "
        "command line)",
        "es": "falta el valor de la variable {name}: dale uno (values={{{quoted}: 1.0}}, o --set {name}=1.0 en la "
        "línea de órdenes)",
    },
    "expr.value_not_real": {
        "en": "the value of {name} must be a real number, got {value}",
        "es": "el valor de {name} debe ser un número real, y se ha recibido {value}",
    },
    "expr.not_finite": {
        "en": "this part of the formula is a constant that evaluates to {value}: fix the numbers",
        "es": "esta parte de la fórmula es una constante que vale {value}: corrige los números",
    },
    "expr.not_computable": {
        "en": "{what} could not be computed here ({error}) from the input(s) {inputs}: check the values",
        "es": "{what} no se ha podido calcular aquí ({error}) a partir de {inputs}: revisa los valores",
    },
    "expr.number_expected": {
        "en": "a number is expected here, not the variable {name}",
        "es": "aquí se espera un número, no la variable {name}",
    },
}
