"""Messages of the network view (gradviz.viz.network): neuron names and what the lines show."""

MESSAGES = {
    "network.hidden": {"en": "hidden layer {layer}, neuron {number}", "es": "capa oculta {layer}, neurona {number}"},
    "network.output": {"en": "output {number}", "es": "salida {number}"},
    "network.showing_weights": {
        "en": "lines: weights (red positive, blue negative, width by size)",
        "es": "líneas: pesos (rojo positivo, azul negativo, grosor según su tamaño)",
    },
    "network.showing_gradients": {
        "en": "lines: gradients ∂L/∂w of the last batch (red positive, blue negative, width by size)",
        "es": "líneas: gradientes ∂L/∂w del último lote (rojo positivo, azul negativo, grosor según su tamaño)",
    },
}
