"""Messages of the compute backends (fit(backend="jax")), in English and Spanish."""

MESSAGES = {
    "backends.jax_start": {
        "en": "Training with JAX on {devices}, in {dtype}",
        "es": "Entrenamiento con JAX en {devices}, en {dtype}",
    },
}
