"""Messages of the training lesson (gradviz.viz.updates): update frames and the loss per iteration."""

MESSAGES = {
    "updates.caption": {
        "en": "Update step {number} ({optimizer}, η = {lr}): each of the {count} parameters moves against its "
        "gradient; the next forward pass uses the new values.",
        "es": "Paso de actualización {number} ({optimizer}, η = {lr}): cada uno de los {count} parámetros se mueve "
        "en contra de su gradiente; la siguiente propagación hacia delante usa los valores nuevos.",
    },
    "updates.caption_one": {
        "en": "Update step {number} ({optimizer}, η = {lr}): the parameter moves against its gradient; the next "
        "forward pass uses its new value.",
        "es": "Paso de actualización {number} ({optimizer}, η = {lr}): el parámetro se mueve en contra de su "
        "gradiente; la siguiente propagación hacia delante usa su valor nuevo.",
    },
    "updates.caption_scope": {
        "en": "Update step {number}, {scope} ({optimizer}, η = {lr}): its {count} parameters move against their "
        "gradients; the next forward pass uses the new values.",
        "es": "Paso de actualización {number}, {scope} ({optimizer}, η = {lr}): sus {count} parámetros se mueven en "
        "contra de sus gradientes; la siguiente propagación hacia delante usa los valores nuevos.",
    },
    "updates.summary": {
        "en": "The loss per iteration: {losses} ({count} iterations).",
        "es": "El coste en cada iteración: {losses} ({count} iteraciones).",
    },
    "updates.iteration_loss": {
        "en": "iteration {number}: {output} = {value}",
        "es": "iteración {number}: {output} = {value}",
    },
}
