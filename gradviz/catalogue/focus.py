"""Messages of the focus view (gradviz.viz.collapse): the folded parts of a big graph and the overview."""

MESSAGES = {
    "focus.before": {"en": "… {count} nodes before", "es": "… {count} nodos antes"},
    "focus.after": {"en": "… {count} nodes after", "es": "… {count} nodos después"},
    "focus.overview": {"en": "the whole graph", "es": "el grafo entero"},
}
