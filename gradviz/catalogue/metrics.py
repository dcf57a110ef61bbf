"""Messages of gradviz.metrics: the words of the classification report."""

MESSAGES = {
    "metrics.precision": {"en": "precision", "es": "precisión"},
    "metrics.recall": {"en": "recall", "es": "exhaustividad"},
    "metrics.f1": {"en": "f1-score", "es": "F1"},
    "metrics.support": {"en": "support", "es": "soporte"},
    "metrics.accuracy": {"en": "accuracy", "es": "exactitud"},
    "metrics.macro_avg": {"en": "macro avg", "es": "media macro"},
    "metrics.weighted_avg": {"en": "weighted avg", "es": "media ponderada"},
}
