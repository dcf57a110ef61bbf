"""What the ``gradviz`` command prints (gradviz.cli): progress, results and usage errors, in English and
Spanish. The argparse help stays in English; ``gradviz --lang es`` or GRADVIZ_LANG=es switches these."""

MESSAGES = {
    "cli.cannot_write": {
        "en": "gradviz {command}: could not write the files: {error}",
        "es": "gradviz {command}: no se pudieron escribir los archivos: {error}",
    },
    "cli.warning": {"en": "warning: {message}", "es": "aviso: {message}"},
    "cli.out_of_memory": {
        "en": "gradviz {command}: not enough memory for this: ask for less (fewer samples, steps or nodes)",
        "es": "gradviz {command}: no hay memoria suficiente: pide menos (menos muestras, pasos o nodos)",
    },
    "cli.interrupted": {"en": "gradviz {command}: interrupted", "es": "gradviz {command}: interrumpido"},
    "cli.internal_error": {
        "en": "gradviz {command}: unexpected error ({error}); this is a bug in gradviz: please report it with the "
        "command line (GRADVIZ_DEBUG=1 shows the traceback)",
        "es": "gradviz {command}: error inesperado ({error}); es un fallo de gradviz: por favor, avísanos con la "
        "línea de órdenes (GRADVIZ_DEBUG=1 muestra la traza)",
    },
    "cli.walkthrough_too_big": {
        "en": "{count} pictures of {points} layout points each (nodes and bends of long edges) would take long to "
        "lay out: {total} points in all, over the budget of {budget}. {advice} ({variable}={bigger} raises the budget)",
        "es": "{count} dibujos de {points} puntos de disposición cada uno (nodos y quiebros de aristas largas) "
        "tardarían mucho: {total} puntos en total, por encima del límite de {budget}. {advice} ({variable}={bigger} "
        "sube el límite)",
    },
    "cli.walkthrough_advice_steps": {
        "en": "Draw fewer nodes per picture with --max-nodes {fewer}, or leave out --steps to draw the final graph only",
        "es": "Dibuja menos nodos por dibujo con --max-nodes {fewer}, o quita --steps para dibujar solo el grafo final",
    },
    "cli.walkthrough_advice_export": {
        "en": "Keep fewer steps, e.g. --steps 0-{last}, or one pass with --mode forward",
        "es": "Quédate con menos pasos, p. ej. --steps 0-{last}, o con una sola pasada con --mode forward",
    },
    "cli.layout_budget_bad": {
        "en": "${variable}={value}: the layout budget is a whole number of layout points, e.g. 500000",
        "es": "${variable}={value}: el límite de disposición es un número entero de puntos, p. ej. 500000",
    },
    "cli.dpi_bad": {
        "en": "--dpi {value}: give a resolution from 10 to {most} dots per inch, e.g. 150",
        "es": "--dpi {value}: da una resolución de 10 a {most} puntos por pulgada, p. ej. 150",
    },
    "cli.duration_bad": {
        "en": "--duration {value}: give the milliseconds per step, from 1 to {most}, e.g. 1500",
        "es": "--duration {value}: da los milisegundos por paso, de 1 a {most}, p. ej. 1500",
    },
    "cli.size_range": {
        "en": "--size {text}: each side from 16 to {side} pixels, and at most {most} pixels in all, e.g. 960x540",
        "es": "--size {text}: cada lado de 16 a {side} píxeles, y como mucho {most} píxeles en total, p. ej. 960x540",
    },
    # demo
    "cli.demo_title": {"en": "gradviz demo: f = (x + y)·z", "es": "gradviz demo: f = (x + y)·z, paso a paso"},
    "cli.demo_intro": {
        "en": "gradviz demo: the worked example f = (x + y)·z with x = -2, y = 5, z = -4",
        "es": "gradviz demo: el ejemplo resuelto f = (x + y)·z con x = -2, y = 5, z = -4",
    },
    "cli.demo_forward": {
        "en": "forward:   q = x + y = {q},  f = q·z = {f}",
        "es": "hacia delante:  q = x + y = {q},  f = q·z = {f}",
    },
    "cli.demo_backward": {"en": "backward:  {gradients}", "es": "hacia atrás:    {gradients}"},
    # render
    "cli.render_result": {"en": "{equation}  with {given}", "es": "{equation}  con {given}"},
    "cli.render_gradients": {"en": "gradients: {gradients}", "es": "gradientes: {gradients}"},
    "cli.no_variables_graph": {
        "en": "{expression} has no variables, so there is no graph to draw: write a formula of variables, e.g. "
        "(x + y) * z, and give them values with --set x=-2 ...",
        "es": "{expression} no tiene variables, así que no hay grafo que dibujar: escribe una fórmula con "
        "variables, p. ej. (x + y) * z, y dales valor con --set x=-2 ...",
    },
    # export
    "cli.export_demo_title": {"en": "f = (x + y)·z, step by step", "es": "f = (x + y)·z, paso a paso"},
    "cli.export_title": {"en": "{formula}, step by step", "es": "{formula}, paso a paso"},
    "cli.no_variables_steps": {
        "en": "{expression} has no variables, so there is nothing to step through: write a formula of variables, "
        "e.g. (x + y) * z, and give them values with --set x=-2 ...",
        "es": "{expression} no tiene variables, así que no hay pasos que mostrar: escribe una fórmula con "
        "variables, p. ej. (x + y) * z, y dales valor con --set x=-2 ...",
    },
    "cli.steps_bad": {
        "en": "--steps {text}: give step numbers and ranges, e.g. 0,3-5",
        "es": "--steps {text}: indica números de paso y rangos, p. ej. 0,3-5",
    },
    "cli.size_bad": {
        "en": "--size {text}: give width x height in pixels, e.g. 960x540",
        "es": "--size {text}: indica ancho x alto en píxeles, p. ej. 960x540",
    },
    "cli.params_without_train": {
        "en": "--params names the variables --train changes: add --train, e.g. --train lr=0.1,iterations=3",
        "es": "--params nombra las variables que cambia --train: añade --train, p. ej. --train lr=0.1,iterations=3",
    },
    "cli.train_bad": {
        "en": "--train {part!r}: give lr=RATE (above 0), iterations=N (1 to 50) and optionally optimizer=NAME, "
        "separated by commas, e.g. --train lr=0.1,iterations=3",
        "es": "--train {part!r}: da lr=TASA (mayor que 0), iterations=N (de 1 a 50) y, si quieres, optimizer=NOMBRE, "
        "separados por comas, p. ej. --train lr=0.1,iterations=3",
    },
    "cli.train_optimizer": {
        "en": "--train optimizer={name}: the optimizers are {choices}",
        "es": "--train optimizer={name}: los optimizadores son {choices}",
    },
    "cli.params_unknown": {
        "en": "--params {names}: not a variable of --set (the variables: {known})",
        "es": "--params {names}: no es una variable de --set (las variables: {known})",
    },
    "cli.set_without_expr": {
        "en": '--set gives the variables of --expr: add --expr, e.g. --expr "(x + y) * z"',
        "es": '--set da valor a las variables de --expr: añade --expr, p. ej. --expr "(x + y) * z"',
    },
    # options shared by the commands
    "cli.out_is_file": {
        "en": "--out {path}: this is a file; give a folder to write into",
        "es": "--out {path}: es un archivo; indica una carpeta donde escribir",
    },
    "cli.out_empty": {
        "en": "--out is empty: give a folder or file name (--out . means the current folder)",
        "es": "--out está vacío: indica un nombre de carpeta o de archivo (--out . es la carpeta actual)",
    },
    # a file in the way that gradviz did not write (gradviz.export.FilesRefused)
    "cli.refused_one": {
        "en": "refused to overwrite {files}: gradviz did not write it (or it was changed since), so nothing was "
        "written; add --force to replace it, or choose another --out",
        "es": "no se sobrescribe {files}: no lo escribió gradviz (o ha cambiado desde entonces), así que no se ha "
        "escrito nada; añade --force para reemplazarlo o elige otro --out",
    },
    "cli.refused_many": {
        "en": "refused to overwrite {count} files gradviz did not write (or that were changed since), so nothing "
        "was written: {files}; add --force to replace them, or choose another --out",
        "es": "no se sobrescriben {count} archivos que no escribió gradviz (o que han cambiado desde entonces), así "
        "que no se ha escrito nada: {files}; añade --force para reemplazarlos o elige otro --out",
    },
    "cli.set_pair_bad": {
        "en": "--set takes NAME=VALUE pairs such as x=-2; got {item}",
        "es": "--set espera pares NOMBRE=VALOR como x=-2; ha recibido {item}",
    },
    "cli.set_pair_order": {
        "en": "--set takes NAME=VALUE pairs such as x=-2; got {item} (put the expression before --set)",
        "es": "--set espera pares NOMBRE=VALOR como x=-2; ha recibido {item} (pon la expresión antes de --set)",
    },
    "cli.set_name_bad": {
        "en": "--set {item}: {name} is not a variable name (letters, digits and _, not first a digit)",
        "es": "--set {item}: {name} no es un nombre de variable (letras, dígitos y _, sin empezar por un dígito)",
    },
    "cli.set_constant": {
        "en": "--set {item}: {name} is the constant {value} in formulas, not a variable",
        "es": "--set {item}: {name} es la constante {value} en las fórmulas, no una variable",
    },
    "cli.set_twice": {
        "en": "--set {name} is given twice ({first} and {second})",
        "es": "--set {name} aparece dos veces ({first} y {second})",
    },
    "cli.set_not_number": {
        "en": "--set {item}: the value of {name} must be a number; {error}",
        "es": "--set {item}: el valor de {name} debe ser un número; {error}",
    },
    "cli.missing_one": {
        "en": "no value for the variable {names}: add --set {example}",
        "es": "falta el valor de la variable {names}: añade --set {example}",
    },
    "cli.missing_many": {
        "en": "no value for the variables {names}: add --set {example}",
        "es": "faltan los valores de las variables {names}: añade --set {example}",
    },
    "cli.set_unused": {
        "en": "--set {names}: not a variable of {expression} (its variables: {known})",
        "es": "--set {names}: no es una variable de {expression} (sus variables: {known})",
    },
    "cli.no_variables": {"en": "none", "es": "ninguna"},
    # what was written
    "cli.rendering": {"en": "rendering {count} pictures ...", "es": "dibujando {count} imágenes ..."},
    "cli.wrote": {"en": "wrote {path}", "es": "guardado {path}"},
    "cli.wrote_files": {
        "en": "wrote {count} {format} files to {folder}/: {first} … {last}",
        "es": "guardados {count} archivos {format} en {folder}/: {first} … {last}",
    },
    "cli.wrote_player": {
        "en": "wrote {path}  (open it in a browser: ← → step, space plays)",
        "es": "guardado {path}  (ábrelo en un navegador: ← → para avanzar o retroceder, espacio para reproducir)",
    },
    # train
    "cli.dataset_bad": {
        "en": "--dataset {value} is not a dataset; the datasets are {choices}",
        "es": "--dataset {value} no es un conjunto de datos; los conjuntos son {choices}",
    },
    "cli.activation_bad": {
        "en": "--activation {value} is not a hidden activation; the activations are {choices}",
        "es": "--activation {value} no es una activación para capas ocultas; las activaciones son {choices}",
    },
    "cli.optimizer_bad": {
        "en": "--optimizer {value} is not an optimizer; the optimizers are {choices}",
        "es": "--optimizer {value} no es un optimizador; los optimizadores son {choices}",
    },
    "cli.positive_bad": {
        "en": "{option} {value}: give a positive whole number",
        "es": "{option} {value}: indica un número entero positivo",
    },
    "cli.samples_bad": {
        "en": "--samples {value}: give at least 10 points",
        "es": "--samples {value}: indica al menos 10 puntos",
    },
    "cli.lr_bad": {
        "en": "--lr {value}: the learning rate must be a positive number, e.g. --lr 0.01",
        "es": "--lr {value}: la tasa de aprendizaje debe ser un número positivo, p. ej. --lr 0.01",
    },
    "cli.noise_bad": {
        "en": "--noise {value}: give a standard deviation from 0 to {most}",
        "es": "--noise {value}: indica una desviación típica de 0 a {most}",
    },
    "cli.test_size_bad": {
        "en": "--test-size {value}: give the held-out fraction, between 0 and 1 (e.g. 0.2)",
        "es": "--test-size {value}: indica la fracción reservada para evaluar, entre 0 y 1 (p. ej. 0.2)",
    },
    "cli.split_bad": {
        "en": "{reason}: give more --samples or another --test-size",
        "es": "{reason}: da más --samples u otro --test-size",
    },
    "cli.hidden_bad": {
        "en": "--hidden {text}: give the hidden layer sizes as positive whole numbers separated by commas, e.g. "
        "--hidden 16,16 (or --hidden none for no hidden layer); {part} is not one",
        "es": "--hidden {text}: indica los tamaños de las capas ocultas como enteros positivos separados por comas, "
        "p. ej. --hidden 16,16 (o --hidden none para no tener capa oculta); {part} no lo es",
    },
    "cli.class_name": {"en": "class {number}", "es": "clase {number}"},
    "cli.train_intro": {
        "en": "gradviz train: {dataset} ({samples} samples, {features} features, {classes} classes; {train} to "
        "train, {test} held out), MLP {shape} {activation}, {optimizer} lr {lr}, {epochs} epochs of batches of "
        "{batch}",
        "es": "gradviz train: {dataset} ({samples} muestras, {features} características, {classes} clases; {train} "
        "para entrenar, {test} reservadas para evaluar), MLP {shape} {activation}, {optimizer} lr {lr}, {epochs} "
        "épocas con lotes de {batch}",
    },
    "cli.train_result": {
        "en": "after {epochs} epochs ({seconds} s): training loss {train_loss}, accuracy {train_accuracy}; "
        "held-out loss {test_loss}, accuracy {test_accuracy}",
        "es": "tras {epochs} épocas ({seconds} s): pérdida en entrenamiento {train_loss}, exactitud "
        "{train_accuracy}; pérdida en evaluación {test_loss}, exactitud {test_accuracy}",
    },
    "cli.no_plots": {
        "en": 'gradviz train: no pictures written ({reason}). The plots need matplotlib: pip install "gradviz[notebook]"',
        "es": "gradviz train: no se ha guardado ninguna imagen ({reason}). Las gráficas necesitan matplotlib: "
        'pip install "gradviz[notebook]"',
    },
    "cli.boundary_title": {"en": "decision boundary — {title}", "es": "frontera de decisión — {title}"},
}
