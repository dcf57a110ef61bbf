"""Training dashboard labels (the playground and fit(..., dashboard=True)), in English and Spanish."""

MESSAGES = {
    "dashboard.run": {"en": "Run", "es": "Entrenar"},
}
