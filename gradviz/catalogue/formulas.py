"""The words inside derivative formulas (gradviz.ops: a derivative by cases), in English and Spanish.

A formula's math is the same in both languages; only the words of a piecewise formula change:
``1 if v > 0; 0.01 otherwise`` reads ``1 si v > 0; 0,01 si no`` in Spanish.
"""

MESSAGES = {
    # one row of a formula by cases (gradviz.ops.Piecewise), as text
    "formulas.case": {"en": "{value} if {condition}", "es": "{value} si {condition}"},
    "formulas.otherwise": {"en": "{value} otherwise", "es": "{value} si no"},
    # the last row's condition in LaTeX's cases environment
    "formulas.otherwise_latex": {"en": r"\text{{otherwise}}", "es": r"\text{{si no}}"},
}
