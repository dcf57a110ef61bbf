"""Messages of the network view (gradviz.viz.network) and its recordings (gradviz.viz.network_record): neuron
names, what the lines show, the info boxes, the recording player."""

MESSAGES = {
    "network.hidden": {"en": "hidden layer {layer}, neuron {number}", "es": "capa oculta {layer}, neurona {number}"},
    "network.output": {"en": "output {number}", "es": "salida {number}"},
    "network.showing_weights": {
        "en": "lines: weights (red positive, blue negative, width by size)",
        "es": "líneas: pesos (rojo positivo, azul negativo, grosor según su valor absoluto)",
    },
    "network.showing_gradients": {
        "en": "lines: gradients ∂L/∂w of the last batch (red positive, blue negative, width by size)",
        "es": "líneas: gradientes ∂L/∂w del último lote (rojo positivo, azul negativo, grosor según su valor absoluto)",
    },
    # the info boxes: an input's, the range of a neuron's activation, a weight's chain-rule paths
    "network.input": {"en": "input {name}", "es": "entrada {name}"},
    "network.range": {"en": "from {low} to {high} over the plane", "es": "de {low} a {high} en el plano"},
    "network.input_range": {"en": "from {low} to {high}", "es": "de {low} a {high}"},  # in the gap: short
    "network.paths": {"en": "∂L/∂w sums {count} paths to L", "es": "∂L/∂w es la suma de {count} caminos hasta L"},
    "network.path_one": {"en": "∂L/∂w: a single path to L", "es": "∂L/∂w: un solo camino hasta L"},
    # the recording's HTML player (its buttons are the player's: player.previous, player.play, …)
    "network.recording_title": {"en": "Training, epoch by epoch", "es": "El entrenamiento, época a época"},
    "network.recording_counter": {
        "en": "epoch {epoch} · snapshot {step} / {total}",
        "es": "época {epoch} · instantánea {step} / {total}",
    },
    "network.recording_slider": {"en": "snapshot", "es": "instantánea"},
    "network.recording_controls": {"en": "snapshots", "es": "instantáneas"},
    "network.boundary_alt": {
        "en": "the decision boundary at epoch {epoch}",
        "es": "la frontera de decisión en la época {epoch}",
    },
    "network.view_label": {"en": "the network at epoch {epoch}", "es": "la red en la época {epoch}"},
}
