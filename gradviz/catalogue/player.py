"""The HTML player's buttons, counter and key hints (gradviz.viz.player), in English and Spanish."""

MESSAGES = {
    "player.previous": {"en": "◀ Previous", "es": "◀ Anterior"},
    "player.next": {"en": "Next ▶", "es": "Siguiente ▶"},
    "player.play": {"en": "▶ Play", "es": "▶ Reproducir"},
    "player.pause": {"en": "❚❚ Pause", "es": "❚❚ Pausa"},
    "player.counter": {"en": "step {step} / {total}", "es": "paso {step} / {total}"},
    "player.previous_label": {"en": "previous step", "es": "paso anterior"},
    "player.next_label": {"en": "next step", "es": "paso siguiente"},
    "player.steps_label": {"en": "steps", "es": "pasos"},
    "player.keys": {"en": "{left} {right} step · {space} play", "es": "{left} {right} paso · {space} reproducir"},
    "player.space_key": {"en": "space", "es": "espacio"},
}
