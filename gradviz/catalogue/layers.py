"""The layer view's words (gradviz/viz/layers.py): a tensor network's step told layer by layer, in English and Spanish."""

MESSAGES = {
    "layers.forward_caption": {
        "en": "Layer {layer}, forward: {z} = {formula} for every sample at once ({value}: one row per sample, "
        "one column per neuron).",
        "es": "Capa {layer}, hacia delante: {z} = {formula} para todas las muestras a la vez ({value}: una fila por "
        "muestra, una columna por neurona).",
    },
    "layers.activation_caption": {
        "en": "Layer {layer}, forward: {h} = {activation}({z}), the layer's activation applied to {z}.",
        "es": "Capa {layer}, hacia delante: {h} = {activation}({z}), la activación de la capa aplicada a {z}.",
    },
    "layers.backward_caption": {
        "en": "Layer {layer}, backward: {delta} = ∂{loss}/∂{z} arrives, one row per sample; the weights get "
        "∂{loss}/∂{weight} = {weight_rule} and the biases ∂{loss}/∂{bias} = {bias_rule}, summed over the samples.",
        "es": "Capa {layer}, hacia atrás: llega {delta} = ∂{loss}/∂{z}, una fila por muestra; los pesos reciben "
        "∂{loss}/∂{weight} = {weight_rule} y los sesgos ∂{loss}/∂{bias} = {bias_rule}, sumados sobre las muestras.",
    },
    "layers.backward_caption_no_bias": {
        "en": "Layer {layer}, backward: {delta} = ∂{loss}/∂{z} arrives, one row per sample; the weights get "
        "∂{loss}/∂{weight} = {weight_rule}, summed over the samples.",
        "es": "Capa {layer}, hacia atrás: llega {delta} = ∂{loss}/∂{z}, una fila por muestra; los pesos reciben "
        "∂{loss}/∂{weight} = {weight_rule}, sumados sobre las muestras.",
    },
    "layers.backward_input": {
        "en": "{input} gets ∂{loss}/∂{input} = {rule}, which goes on to the layer below.",
        "es": "{input} recibe ∂{loss}/∂{input} = {rule}, que sigue hacia la capa anterior.",
    },
}
