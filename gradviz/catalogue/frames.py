"""Frame captions and the words inside equations (gradviz.viz.frame), in English and Spanish.

The Spanish follows the course's own words: propagación hacia delante / hacia atrás, retropropagación,
gradiente, derivada local, regla de la cadena. Numbers take the language's decimal mark (0,8233 in Spanish,
see ``pictures.decimal_mark``) unless ``frames(..., decimal=".")`` asks for another.
"""

MESSAGES = {
    # a larger array named inside a sentence or an equation
    "frames.array_vector": {"en": "a {count}-element array", "es": "un vector de {count} elementos"},
    "frames.array_matrix": {"en": "a {shape} array", "es": "una matriz de {shape}"},
    "frames.array_tensor": {"en": "a {shape} array", "es": "un tensor de {shape}"},
    # lists of node names: "x and y"; Spanish writes "e" before a name read with an /i/ sound ("x e y")
    "frames.and": {"en": "{first} and {last}", "es": "{first} y {last}"},
    "frames.and_before_i": {"en": "{first} and {last}", "es": "{first} e {last}"},
    "frames.and_more": {"en": "… and {count} more", "es": "… y {count} más"},
    # the frames of a walkthrough
    "frames.initial_one": {
        "en": "The graph of {out} before anything runs: only the inputs are known; {count} value is still to be "
        "computed.",
        "es": "El grafo de {out} antes de calcular nada: solo se conocen las entradas; queda {count} valor por "
        "calcular.",
    },
    "frames.initial_many": {
        "en": "The graph of {out} before anything runs: only the inputs are known; {count} values are still to be "
        "computed.",
        "es": "El grafo de {out} antes de calcular nada: solo se conocen las entradas; quedan {count} valores por "
        "calcular.",
    },
    "frames.forward_caption": {
        "en": "Forward step {step} of {total}: the {symbol} node computes {out} from {inputs}.",
        "es": "Propagación hacia delante, paso {step} de {total}: el nodo {symbol} calcula {out} a partir de {inputs}.",
    },
    "frames.forward_caption_no_inputs": {
        "en": "Forward step {step} of {total}: the {symbol} node computes {out}.",
        "es": "Propagación hacia delante, paso {step} de {total}: el nodo {symbol} calcula {out}.",
    },
    "frames.seed_caption": {
        "en": "Backward step 0: the backward pass starts at the output {out} with {derivative} = {seed}.",
        "es": "Propagación hacia atrás, paso 0: la retropropagación empieza en la salida {out} con "
        "{derivative} = {seed}.",
    },
    "frames.backward_caption_one": {
        "en": "Backward step {step} of {total}: {out} = {formula} passes its gradient {derivative} = {upstream} "
        "back to {receivers}: each gets upstream gradient × local derivative.",
        "es": "Propagación hacia atrás, paso {step} de {total}: {out} = {formula} envía su gradiente "
        "{derivative} = {upstream} hacia atrás, a su entrada {receivers}; por la regla de la cadena, esta recibe "
        "gradiente entrante × derivada local.",
    },
    "frames.backward_caption_many": {
        "en": "Backward step {step} of {total}: {out} = {formula} passes its gradient {derivative} = {upstream} "
        "back to {receivers}: each gets upstream gradient × local derivative.",
        "es": "Propagación hacia atrás, paso {step} de {total}: {out} = {formula} envía su gradiente "
        "{derivative} = {upstream} hacia atrás, a sus entradas {receivers}; por la regla de la cadena, cada una "
        "recibe gradiente entrante × derivada local.",
    },
    "frames.backward_caption_no_inputs": {
        "en": "Backward step {step} of {total}: {out} = {formula} has no input that needs a gradient.",
        "es": "Propagación hacia atrás, paso {step} de {total}: {out} = {formula} no tiene ninguna entrada que "
        "necesite gradiente.",
    },
    "frames.summed_one": {
        "en": "{names} feeds several nodes, so its gradient is the sum of the contributions.",
        "es": "{names} se usa en varios nodos, así que su gradiente es la suma de las contribuciones.",
    },
    "frames.summed_many": {
        "en": "{names} feed several nodes, so their gradients are the sum of the contributions.",
        "es": "{names} se usan en varios nodos, así que sus gradientes son la suma de las contribuciones.",
    },
    "frames.final_caption": {
        "en": "Done: {out} = {value}, and every input has its gradient: {gradients}.",
        "es": "Resultado: {out} = {value}, y todas las entradas tienen ya su gradiente: {gradients}.",
    },
    "frames.final_no_backward": {
        "en": "The graph of {out} = {value}: no backward pass has run yet, so no gradients.",
        "es": "El grafo de {out} = {value}: aún no se ha hecho la propagación hacia atrás, así que no hay gradientes.",
    },
    # words inside equations
    "frames.accumulated": {
        "en": "{derivative} += {chain} = {product}, so {derivative} = {terms} = {total}",
        "es": "{derivative} += {chain} = {product}, por tanto {derivative} = {terms} = {total}",
    },
    "frames.accumulated_latex": {
        "en": r"{derivative} \mathrel{{+}}= {chain} = {product},\ \text{{so}}\ {derivative} = {terms} = {total}",
        "es": r"{derivative} \mathrel{{+}}= {chain} = {product},\ \text{{por tanto}}\ {derivative} = {terms} = "
        r"{total}",
    },
    "frames.vjp": {
        "en": "{value} (vector-Jacobian product of {op})",
        "es": "{value} (producto vector-jacobiano de {op})",
    },
    "frames.vjp_latex": {
        "en": r"{value} \;\text{{(VJP of {op})}}",
        "es": r"{value} \;\text{{(VJP de {op})}}",
    },
}
