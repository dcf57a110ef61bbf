"""The chain rule as a sum over paths (gradviz.viz.paths): equation lines, the caption and the table under the
picture, in English and Spanish."""

MESSAGES = {
    "paths.equation_head_one": {
        "en": "{derivative} = sum over the {count} path from {weight} to {loss} of the product of local derivatives",
        "es": "{derivative} = suma, sobre {count} camino de {weight} a {loss}, del producto de las derivadas locales",
    },
    "paths.equation_head_many": {
        "en": "{derivative} = sum over the {count} paths from {weight} to {loss} of the product of local derivatives",
        "es": "{derivative} = suma, sobre los {count} caminos de {weight} a {loss}, del producto de las derivadas "
        "locales",
    },
    "paths.path_line": {"en": "path {number}: {chain}", "es": "camino {number}: {chain}"},
    "paths.path_name": {"en": "path {number}", "es": "camino {number}"},
    "paths.latex_head": {
        "en": r"{derivative} = \sum_{{\text{{paths}}}} \prod \text{{local derivatives}}",
        "es": r"{derivative} = \sum_{{\text{{caminos}}}} \prod \text{{derivadas locales}}",
    },
    "paths.path_latex": {"en": r"\text{{path {number}: }} {chain}", "es": r"\text{{camino {number}: }} {chain}"},
    "paths.more_paths": {"en": "({count} more paths)", "es": "({count} caminos más)"},
    "paths.more": {"en": "({count} more)", "es": "({count} más)"},
    "paths.check_tensor": {"en": "tensor engine: {value}", "es": "motor de tensores: {value}"},
    "paths.caption_one": {"en": "{count} path from {weight} to {loss}", "es": "{count} camino de {weight} a {loss}"},
    "paths.caption_many": {
        "en": "{count} paths from {weight} to {loss}",
        "es": "{count} caminos de {weight} a {loss}",
    },
    "paths.caption_drawn": {"en": "({count} drawn)", "es": "({count} dibujados)"},
    "paths.caption_omitted": {
        "en": "{count} other nodes of the graph are not drawn",
        "es": "los otros {count} nodos del grafo no se dibujan",
    },
    "paths.table_head_one": {
        "en": "{derivative} = the sum over the {count} path from {weight} to {loss} of the product of the local "
        "derivatives along each",
        "es": "{derivative} = la suma, sobre {count} camino de {weight} a {loss}, del producto de las derivadas "
        "locales a lo largo de él",
    },
    "paths.table_head_many": {
        "en": "{derivative} = the sum over the {count} paths from {weight} to {loss} of the product of the local "
        "derivatives along each",
        "es": "{derivative} = la suma, sobre los {count} caminos de {weight} a {loss}, del producto de las derivadas "
        "locales a lo largo de cada uno",
    },
    "paths.gives_backward": {"en": "backward() gives {value}", "es": "backward() da {value}"},
    "paths.gives_tensor": {"en": "the tensor engine gives {value}", "es": "el motor de tensores da {value}"},
    "paths.ones_left_out": {
        "en": "(factors equal to 1 are left out: a + node passes the gradient through unchanged)",
        "es": "(se omiten los factores iguales a 1: un nodo + deja pasar el gradiente sin cambios)",
    },
    "paths.verdict_same": {"en": "the same", "es": "coinciden"},
    "paths.verdict_different": {"en": "DIFFERENT", "es": "NO COINCIDEN"},
    "paths.description": {
        "en": "layer {layer}'s weight[{i}, {j}] ({label})",
        "es": "peso [{i}, {j}] de la capa {layer} ({label})",
    },
}
