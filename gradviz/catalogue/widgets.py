"""Widget labels and notes (the backprop stepper), in English and Spanish."""

MESSAGES = {
    "widgets.next": {"en": "Next", "es": "Siguiente"},
    "widgets.previous": {"en": "Previous", "es": "Anterior"},
    "widgets.step_of": {"en": "step {step} of {total}", "es": "paso {step} de {total}"},
    "widgets.play": {"en": "Play the steps", "es": "Reproducir los pasos"},
    "widgets.slider": {"en": "Step", "es": "Paso"},
    "widgets.mode": {"en": "Which passes to step through", "es": "Qué pasadas recorrer"},
    "widgets.mode_both": {"en": "Forward and backward", "es": "Hacia delante y hacia atrás"},
    "widgets.mode_forward": {"en": "Forward", "es": "Hacia delante"},
    "widgets.mode_backward": {"en": "Backward", "es": "Hacia atrás"},
    "widgets.show_numeric": {"en": "Numerical check", "es": "Comprobación numérica"},
    "widgets.show_numeric_tip": {
        "en": "Compare each gradient with central differences (f(x + h) − f(x − h)) / 2h",
        "es": "Compara cada gradiente con diferencias centradas (f(x + h) − f(x − h)) / 2h",
    },
    "widgets.collapse": {"en": "Fold scopes into boxes", "es": "Agrupar los bloques en cajas"},
    "widgets.expand": {"en": "Open scopes", "es": "Abrir bloques"},
    "widgets.focus": {"en": "Focus on the step", "es": "Centrar en el paso"},
    "widgets.iteration": {"en": "Iteration", "es": "Iteración"},
    "widgets.iteration_option": {"en": "iteration {number}", "es": "iteración {number}"},
    "widgets.focus_tip": {
        "en": "Draw the active node, its inputs and outputs and the way to the output at full size, the rest folded",
        "es": "Dibuja a tamaño completo el nodo activo, sus entradas y salidas y el camino hasta la salida; el resto, plegado",
    },
    "widgets.column_node": {"en": "node", "es": "nodo"},
    "widgets.column_scope": {"en": "scope", "es": "bloque"},
    "widgets.column_op": {"en": "op", "es": "operación"},
    "widgets.column_value": {"en": "value", "es": "valor"},
    "widgets.column_grad": {"en": "∂{output}/∂node so far", "es": "∂{output}/∂nodo hasta ahora"},
    "widgets.column_numeric": {"en": "numerical ∂{output}/∂node", "es": "∂{output}/∂nodo numérico"},
    "widgets.column_difference": {"en": "|so far − numerical|", "es": "|hasta ahora − numérico|"},
    "widgets.kind_input": {"en": "input", "es": "entrada"},
    "widgets.kind_constant": {"en": "constant", "es": "constante"},
    "widgets.numeric_note": {
        "en": "Numerical gradients by central differences (f(x + h) − f(x − h)) / 2h, one input element at a time; "
        "a difference far from 0 means the gradient is still partial, or the function has a kink there.",
        "es": "Gradientes numéricos por diferencias centradas (f(x + h) − f(x − h)) / 2h, elemento a elemento; "
        "una diferencia lejos de 0 indica que el gradiente aún es parcial o que la función no es derivable en ese punto.",
    },
    "widgets.numeric_skipped": {
        "en": "{count} nodes have no numerical gradient: they would need too many evaluations of the graph.",
        "es": "{count} nodos no tienen gradiente numérico: harían falta demasiadas evaluaciones del grafo.",
    },
    "widgets.keys": {
        "en": "Keys: Tab to the slider, then ← → step, Home and End jump to the first and last step.",
        "es": "Teclado: Tab hasta el deslizador; ← → cambian de paso; Inicio y Fin van al primero y al último.",
    },
    "widgets.fallback_note": {
        "en": "The interactive stepper needs a Jupyter front end with ipywidgets; shown here: the last step "
        "({total} of {total}).",
        "es": "El paso a paso interactivo necesita un entorno Jupyter con ipywidgets; aquí se muestra el último paso "
        "({total} de {total}).",
    },
}
