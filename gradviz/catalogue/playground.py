"""Messages of the Playground's own controls (gradviz.widgets.playground): the layer buttons, regularisation,
test data, the chain-rule menu."""

MESSAGES = {
    "playground.hidden_layer_name": {"en": "hidden{number}", "es": "oculta{number}"},
    "playground.output_layer_name": {"en": "output", "es": "salida"},
    "playground.test_size": {"en": "Test data", "es": "Datos de prueba"},
    "playground.l1": {"en": "L1 penalty", "es": "Penalización L1"},
    "playground.show_test": {"en": "Show test data", "es": "Mostrar los datos de prueba"},
    "playground.discretize": {"en": "Discretize output", "es": "Discretizar la salida"},
    "playground.add_layer": {"en": "Add a hidden layer", "es": "Añadir una capa oculta"},
    "playground.remove_layer": {"en": "Remove the last hidden layer", "es": "Quitar la última capa oculta"},
    "playground.add_neuron": {"en": "One more neuron", "es": "Añadir una neurona"},
    "playground.remove_neuron": {"en": "One neuron fewer", "es": "Quitar una neurona"},
    "playground.layers": {"en": "{count} hidden layers", "es": "{count} capas ocultas"},
    "playground.layers_one": {"en": "1 hidden layer", "es": "1 capa oculta"},
    "playground.layer_column": {"en": "layer {layer}: {units} neurons", "es": "capa {layer}: {units} neuronas"},
    "playground.layer_column_one": {"en": "layer {layer}: 1 neuron", "es": "capa {layer}: 1 neurona"},
    "playground.chain_rule": {"en": "Chain rule of", "es": "Regla de la cadena para"},
    "playground.no_weight": {"en": "(choose a weight)", "es": "(elige un peso)"},
    "playground.weight_choice": {
        "en": "W{layer}[{i},{j}]: layer {layer}, input {j} → neuron {i}",
        "es": "W{layer}[{i},{j}]: capa {layer}, entrada {j} → neurona {i}",
    },
    "playground.chain_rule_sample": {
        "en": "for the first training point, the weights as they are now:",
        "es": "para el primer punto de entrenamiento, con los pesos actuales:",
    },
}
