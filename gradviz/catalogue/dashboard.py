"""Training dashboard labels (the playground and fit(..., dashboard=True)), in English and Spanish."""

MESSAGES = {
    # buttons
    "dashboard.run": {"en": "Run", "es": "Entrenar"},
    "dashboard.pause": {"en": "Pause", "es": "Pausa"},
    "dashboard.step": {"en": "+1 epoch", "es": "+1 época"},
    "dashboard.reset": {"en": "Reset", "es": "Reiniciar"},
    "dashboard.run_tooltip": {
        "en": "Train for the chosen number of epochs (Pause stops after the current epoch)",
        "es": "Entrena el número de épocas elegido (con Pausa, se detiene al terminar la época en curso)",
    },
    "dashboard.step_tooltip": {"en": "Train for exactly one epoch", "es": "Entrena exactamente una época"},
    "dashboard.reset_tooltip": {
        "en": "New random weights and an empty history",
        "es": "Pesos aleatorios nuevos y un historial vacío",
    },
    # controls
    "dashboard.dataset": {"en": "Data", "es": "Datos"},
    "dashboard.noise": {"en": "Noise", "es": "Ruido"},
    "dashboard.hidden": {"en": "Hidden layers", "es": "Capas ocultas"},
    "dashboard.hidden_tooltip": {
        "en": "Neurons per hidden layer, separated by commas: 8, 8 is two layers of 8",
        "es": "Neuronas por capa oculta, separadas por comas: 8, 8 son dos capas de 8",
    },
    "dashboard.activation": {"en": "Activation", "es": "Activación"},
    "dashboard.optimizer": {"en": "Optimizer", "es": "Optimizador"},
    "dashboard.learning_rate": {"en": "Learning rate", "es": "Tasa de aprendizaje"},
    "dashboard.batch_size": {"en": "Batch size", "es": "Tamaño del lote"},
    "dashboard.l2": {"en": "L2 penalty", "es": "Penalización L2"},
    "dashboard.epochs": {"en": "Epochs per run", "es": "Épocas por ejecución"},
    "dashboard.layer": {"en": "Layer graph", "es": "Grafo de la capa"},
    # dataset names
    "dashboard.data_moons": {"en": "moons", "es": "lunas"},
    "dashboard.data_circles": {"en": "circles", "es": "círculos"},
    "dashboard.data_spirals": {"en": "spirals", "es": "espirales"},
    "dashboard.data_xor": {"en": "XOR", "es": "XOR"},
    "dashboard.data_blobs": {"en": "blobs (3 classes)", "es": "nubes (3 clases)"},
    "dashboard.data_plane": {"en": "plane (regression)", "es": "plano (regresión)"},
    "dashboard.data_gaussians": {"en": "gaussians (regression)", "es": "gaussianas (regresión)"},
    "dashboard.data_user": {"en": "your data", "es": "tus datos"},
    # the status line and the progress
    "dashboard.status": {
        "en": "epoch {epoch} · loss {loss} · accuracy {accuracy}",
        "es": "época {epoch} · pérdida {loss} · exactitud {accuracy}",
    },
    "dashboard.status_no_accuracy": {"en": "epoch {epoch} · loss {loss}", "es": "época {epoch} · pérdida {loss}"},
    "dashboard.status_test": {
        "en": " (test: loss {loss}, accuracy {accuracy})",
        "es": " (prueba: pérdida {loss}, exactitud {accuracy})",
    },
    "dashboard.status_validation": {
        "en": " (validation: loss {loss}, accuracy {accuracy})",
        "es": " (validación: pérdida {loss}, exactitud {accuracy})",
    },
    "dashboard.status_test_loss": {"en": " (test: loss {loss})", "es": " (prueba: pérdida {loss})"},
    "dashboard.status_validation_loss": {"en": " (validation: loss {loss})", "es": " (validación: pérdida {loss})"},
    "dashboard.progress": {"en": "{done} of {total} epochs", "es": "{done} de {total} épocas"},
    "dashboard.summary": {
        "en": "{samples} training and {test} test points · network {layers} · {parameters} parameters",
        "es": "{samples} puntos de entrenamiento y {test} de prueba · red {layers} · {parameters} parámetros",
    },
    # the pictures
    "dashboard.test": {"en": "test", "es": "prueba"},
    "dashboard.no_epochs": {"en": "no epoch trained yet", "es": "aún no se ha entrenado ninguna época"},
    "dashboard.boundary_title": {
        "en": "decision boundary after epoch {epoch}",
        "es": "frontera de decisión tras la época {epoch}",
    },
    "dashboard.boundary_missing": {
        "en": "no decision boundary: the inputs have {features} features (it needs 2)",
        "es": "sin frontera de decisión: las entradas tienen {features} características (hacen falta 2)",
    },
    "dashboard.output_title": {"en": "output after epoch {epoch}", "es": "salida tras la época {epoch}"},
    "dashboard.output_missing": {
        "en": "no output map: the inputs have {features} features (it needs 2)",
        "es": "sin mapa de la salida: las entradas tienen {features} características (hacen falta 2)",
    },
    "dashboard.gradients_title": {
        "en": "gradient size per layer, epoch {epoch}",
        "es": "tamaño del gradiente por capa, época {epoch}",
    },
    "dashboard.gradients_axis": {"en": "mean |∂L/∂W| (log scale)", "es": "media de |∂L/∂W| (escala logarítmica)"},
    "dashboard.gradients_none": {
        "en": "gradients appear after the first epoch",
        "es": "los gradientes aparecen tras la primera época",
    },
    "dashboard.layer_hint": {
        "en": "Click a layer to see its graph with the gradients of one small batch.",
        "es": "Pulsa una capa para ver su grafo con los gradientes de un lote pequeño.",
    },
    "dashboard.layer_caption": {
        "en": "{layer} open, the other layers collapsed · loss L of {samples} training points · epoch {epoch}",
        "es": "capa {layer} abierta, las demás plegadas · pérdida L de {samples} puntos de entrenamiento · época {epoch}",
    },
    # problems shown in the widget
    "dashboard.bad_hidden": {
        "en": "Hidden layers: write positive whole numbers separated by commas, such as 8, 8 (not {text!r}).",
        "es": "Capas ocultas: escribe números enteros positivos separados por comas, como 8, 8 (no {text!r}).",
    },
    "dashboard.diverged": {
        "en": "Training stopped: {reason} Lower the learning rate and press Reset.",
        "es": "El entrenamiento se ha detenido: {reason} Baja la tasa de aprendizaje y pulsa Reiniciar.",
    },
    "dashboard.cannot_draw": {
        "en": "Cannot draw the layer graph: {reason}",
        "es": "No se puede dibujar el grafo de la capa: {reason}",
    },
    "dashboard.network": {"en": "Network", "es": "Red"},
    "dashboard.lines_weights": {"en": "weights", "es": "pesos"},
    "dashboard.lines_gradients": {"en": "gradients", "es": "gradientes"},
    "dashboard.features": {"en": "Features", "es": "Entradas"},
}
