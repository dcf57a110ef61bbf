"""Messages of the focus view (gradviz.viz.collapse): the folded parts of a big graph and the overview."""

MESSAGES = {
    "focus.before": {"en": "… {count} nodes before", "es": "… {count} nodos antes"},
    "focus.after": {"en": "… {count} nodes after", "es": "… {count} nodos después"},
    "focus.before_one": {"en": "… 1 node before", "es": "… 1 nodo antes"},
    "focus.after_one": {"en": "… 1 node after", "es": "… 1 nodo después"},
    "focus.overview": {"en": "the whole graph", "es": "el grafo entero"},
}
