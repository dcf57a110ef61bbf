"""Words in the matplotlib training pictures (gradviz.viz.plots): axis labels, legends and default titles, in
English and Spanish. The Spanish follows the training dashboard (época, pérdida, exactitud, entrenamiento,
validación, frontera de decisión). Formulas, optimizer names and layer names stay as they are.
"""

MESSAGES = {
    # the quantities a History holds (English pictures show the History's own key, e.g. 'acc' or 'f1_score')
    "plots.metric_loss": {"en": "loss", "es": "pérdida"},
    "plots.metric_accuracy": {"en": "accuracy", "es": "exactitud"},
    "plots.metric_precision": {"en": "precision", "es": "precisión"},
    "plots.metric_recall": {"en": "recall", "es": "exhaustividad"},
    "plots.metric_f1": {"en": "f1", "es": "F1"},
    "plots.metric_mse": {"en": "mse", "es": "error cuadrático medio"},
    "plots.metric_mae": {"en": "mae", "es": "error absoluto medio"},
    "plots.metric_r2": {"en": "r2", "es": "R²"},
    "plots.metric_learning_rate": {"en": "learning_rate", "es": "tasa de aprendizaje"},
    # training curves
    "plots.training": {"en": "training", "es": "entrenamiento"},
    "plots.validation": {"en": "validation", "es": "validación"},
    "plots.validation_series": {"en": "val_{name}", "es": "{name} (validación)"},
    "plots.epoch": {"en": "epoch", "es": "época"},
    "plots.epoch_number": {"en": "epoch {epoch}", "es": "época {epoch}"},
    # decision boundaries
    "plots.decision_boundary": {"en": "decision boundary", "es": "frontera de decisión"},
    "plots.class_name": {"en": "class {value}", "es": "clase {value}"},
    "plots.probability_class_1": {"en": "P(class 1)", "es": "P(clase 1)"},
    "plots.score": {"en": "score", "es": "puntuación"},
    "plots.test": {"en": "test", "es": "prueba"},
    # regression surfaces
    "plots.model_output": {"en": "model output", "es": "salida del modelo"},
    "plots.output_and_target": {"en": "output (shading) · target (points)", "es": "salida (fondo) · objetivo (puntos)"},
    # gradient flow
    "plots.mean_gradient": {"en": "mean |∂L/∂W|", "es": "media de |∂L/∂W|"},
    "plots.gradient_flow": {"en": "gradient flow: {symbol} per layer", "es": "flujo del gradiente: {symbol} por capa"},
    "plots.layer_order": {"en": "layer (input → output)", "es": "capa (entrada → salida)"},
    # confusion matrix
    "plots.predicted": {"en": "predicted", "es": "clase predicha"},
    "plots.true": {"en": "true", "es": "clase real"},
    "plots.confusion_matrix": {"en": "confusion matrix", "es": "matriz de confusión"},
    # optimizers on a test surface
    "plots.surface": {"en": "surface", "es": "superficie"},
    "plots.path_steps": {"en": "{surface}: {steps} steps", "es": "{surface}: {steps} pasos"},
    "plots.step": {"en": "step", "es": "paso"},
    "plots.value_along_path": {"en": "value along the path", "es": "valor a lo largo del camino"},
    # histograms per layer
    "plots.weights": {"en": "weights", "es": "pesos"},
    "plots.gradients": {"en": "gradients", "es": "gradientes"},
    "plots.activations": {"en": "activations", "es": "activaciones"},
    "plots.value": {"en": "value", "es": "valor"},
    "plots.count": {"en": "count", "es": "recuento"},
    "plots.histogram_stats": {"en": "mean {mean}\nstd {std}", "es": "media {mean}\ndesv. {std}"},
    # linear regression
    "plots.data": {"en": "data", "es": "datos"},
    "plots.step_number": {"en": "step {step}", "es": "paso {step}"},
    "plots.least_squares": {"en": "least squares: {line}", "es": "mínimos cuadrados: {line}"},
    "plots.the_fit": {"en": "the fit", "es": "el ajuste"},
    "plots.minimum": {"en": "minimum", "es": "mínimo"},
    "plots.gradient_descent": {"en": "gradient descent", "es": "descenso del gradiente"},
    "plots.start": {"en": "start", "es": "inicio"},
    "plots.cost": {"en": "cost MSE(w, b)", "es": "coste MSE(w, b)"},
    "plots.iteration": {"en": "iteration", "es": "iteración"},
    "plots.learning_rates_title": {
        "en": "The loss per iteration for each learning rate",
        "es": "El coste en cada iteración según la tasa de aprendizaje",
    },
    "plots.lr_good": {"en": "good", "es": "adecuada"},
    "plots.lr_too_small": {"en": "too small", "es": "demasiado pequeña"},
    "plots.lr_diverges": {"en": "diverges", "es": "diverge"},
}
