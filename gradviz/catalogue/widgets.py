"""Widget labels (the stepper and the training dashboard), in English and Spanish."""

MESSAGES = {
    "widgets.next": {"en": "Next", "es": "Siguiente"},
    "widgets.previous": {"en": "Previous", "es": "Anterior"},
    "widgets.step_of": {"en": "step {step} of {total}", "es": "paso {step} de {total}"},
}
