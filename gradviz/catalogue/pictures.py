"""Words drawn inside pictures (gradviz.viz.dot and the array summaries of gradviz.viz.format), in English and
Spanish: the row names of value boxes, scope boxes and edge labels."""

MESSAGES = {
    # value boxes
    "pictures.value": {"en": "value", "es": "valor"},
    "pictures.shape": {"en": "shape", "es": "forma"},
    # scope boxes (a collapsed name scope)
    "pictures.scope": {"en": "scope", "es": "bloque"},
    "pictures.nodes": {"en": "nodes", "es": "nodos"},
    "pictures.inputs": {"en": "inputs", "es": "entradas"},
    "pictures.output": {"en": "output", "es": "salida"},
    "pictures.outputs": {"en": "{count} outputs", "es": "{count} salidas"},
    "pictures.output_gradient_norm": {"en": "‖∂{output}/∂out‖", "es": "‖∂{output}/∂salida‖"},
    # a graph over the node budget (gradviz.viz.collapse): the note under the picture and the overflow box
    "pictures.collapsed_note": {
        "en": "Collapsed to stay readable: {details}.",
        "es": "Grafo plegado para que se pueda leer: {details}.",
    },
    "pictures.collapsed_note_hint": {
        "en": "Collapsed to stay readable: {details} — {code} opens a scope.",
        "es": "Grafo plegado para que se pueda leer: {details} — {code} abre un bloque.",
    },
    "pictures.collapsed_scopes_one": {
        "en": "{nodes} nodes: {count} scope collapsed",
        "es": "{nodes} nodos: {count} bloque plegado",
    },
    "pictures.collapsed_scopes_many": {
        "en": "{nodes} nodes: {count} scopes collapsed",
        "es": "{nodes} nodos: {count} bloques plegados",
    },
    "pictures.hidden_nodes": {
        "en": "{count} nodes furthest from the output hidden (budget {code})",
        "es": "se ocultan los {count} nodos más alejados de la salida (límite {code})",
    },
    "pictures.hidden_bends": {
        "en": "{count} nodes furthest from the output hidden: their edges reach across the picture, and laying "
        "out all of it would route them through {bends} bends (budget {code}: {limit} bends)",
        "es": "se ocultan los {count} nodos más alejados de la salida: sus aristas cruzan el dibujo, y disponerlo "
        "entero obligaría a trazarlas con {bends} quiebros (límite {code}: {limit} quiebros)",
    },
    "pictures.more_nodes": {"en": "… {count} more nodes", "es": "… {count} nodos más"},
    # edges
    "pictures.vjp_edge": {
        "en": "{derivative}: vector-Jacobian product",
        "es": "{derivative}: producto vector-jacobiano",
    },
    "pictures.array_vector": {"en": "{shape} array", "es": "vector de {shape}"},
    "pictures.array_matrix": {"en": "{shape} array", "es": "matriz de {shape}"},
    "pictures.array_tensor": {"en": "{shape} array", "es": "tensor de {shape}"},
    # a larger array summarised in two rows (gradviz.viz.format.array_summary)
    "pictures.stats_centre": {"en": "mean {mean}  std {std}", "es": "media {mean}  desv. {std}"},
    "pictures.stats_range": {"en": "min {min}  max {max}", "es": "mín {min}  máx {max}"},
    "pictures.stats_empty": {"en": "empty", "es": "vacío"},
    # the decimal mark numbers are written with unless decimal= says otherwise (gradviz.viz.format.decimal_mark):
    # the course writes 0,8233 in Spanish
    "pictures.decimal_mark": {"en": ".", "es": ","},
}
