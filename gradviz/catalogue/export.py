"""Words that exports write into files and logs (gradviz.export): titles, slide headings, the log line, in
English and Spanish."""

MESSAGES = {
    "export.default_title": {
        "en": "Backpropagation through {output}, step by step",
        "es": "Retropropagación a través de {output}, paso a paso",
    },
    "export.untitled": {"en": "Backpropagation, step by step", "es": "Retropropagación, paso a paso"},
    # the kind of step, in slide and Beamer frame titles
    "export.kind_initial": {"en": "the graph", "es": "el grafo"},
    "export.kind_forward": {"en": "forward", "es": "hacia delante"},
    "export.kind_backward": {"en": "backward", "es": "hacia atrás"},
    "export.kind_final": {"en": "result", "es": "resultado"},
    "export.kind_update": {"en": "update", "es": "actualización"},
    "export.kind_summary": {"en": "the loss per iteration", "es": "el coste por iteración"},
    "export.slide_title": {"en": "Step {number} of {count} · {kind}", "es": "Paso {number} de {count} · {kind}"},
    "export.beamer_title": {"en": "Step {number} of {count}: {kind}", "es": "Paso {number} de {count}: {kind}"},
    "export.tex_header": {
        "en": "written by gradviz: compile with pdflatex (twice is not needed)",
        "es": "escrito por gradviz: compílalo con pdflatex (basta una vez)",
    },
    "export.tex_fit": {
        "en": "an equation wider than the slide is scaled down to fit",
        "es": "una ecuación más ancha que la diapositiva se reduce hasta que cabe",
    },
    # the log line: "wrote walkthrough.pdf (pdf): 7 pages, vector pages (system Graphviz dot)"
    "export.wrote": {
        "en": "wrote {path} ({format}): {count} {unit}",
        "es": "guardado {path} ({format}): {count} {unit}",
    },
    "export.unit_page_one": {"en": "page", "es": "página"},
    "export.unit_page_many": {"en": "pages", "es": "páginas"},
    "export.unit_slide_one": {"en": "slide", "es": "diapositiva"},
    "export.unit_slide_many": {"en": "slides", "es": "diapositivas"},
    "export.unit_frame_one": {"en": "frame", "es": "fotograma"},
    "export.unit_frame_many": {"en": "frames", "es": "fotogramas"},
    "export.unit_beamer_one": {"en": "frame", "es": "diapositiva"},
    "export.unit_beamer_many": {"en": "frames", "es": "diapositivas"},
    "export.unit_step_one": {"en": "step", "es": "paso"},
    "export.unit_step_many": {"en": "steps", "es": "pasos"},
    "export.note_html": {"en": "self-contained, open it in a browser", "es": "autónomo, ábrelo en un navegador"},
    "export.note_gif": {"en": "{width}×{height} px, {ms} ms each", "es": "{width}×{height} px, {ms} ms cada uno"},
    "export.note_pdf_vector": {
        "en": "vector pages (system Graphviz dot)",
        "es": "páginas vectoriales (dot de Graphviz del sistema)",
    },
    "export.note_pdf_raster": {"en": "raster pages at {dpi} dpi", "es": "páginas en píxeles a {dpi} ppp"},
    "export.note_pdf_raster_because": {
        "en": "raster pages at {dpi} dpi because {reason}",
        "es": "páginas en píxeles a {dpi} ppp porque {reason}",
    },
    "export.no_dot": {
        "en": "the system Graphviz `dot` is not installed",
        "es": "el programa `dot` de Graphviz no está instalado en el sistema",
    },
    "export.engine_draws_no_pdf": {
        "en": "the chosen renderer, graphviz-pure, draws svg and png but no pdf (leave engine= out to use the system `dot`)",
        "es": "el renderizador elegido, graphviz-pure, dibuja svg y png pero no pdf (quita engine= para usar `dot` del sistema)",
    },
    "export.no_pypdf": {
        "en": 'pypdf is not installed (pip install "gradviz[slides]")',
        "es": 'pypdf no está instalado (pip install "gradviz[slides]")',
    },
    "export.note_pptx": {"en": "{aspect}, pictures at {dpi} dpi", "es": "{aspect}, imágenes a {dpi} ppp"},
    "export.note_tex_pdf": {
        "en": "vector PDF pictures in {folder}/; run pdflatex",
        "es": "imágenes PDF vectoriales en {folder}/; ejecuta pdflatex",
    },
    "export.note_tex_png": {
        "en": "PNG pictures at {dpi} dpi in {folder}/; run pdflatex",
        "es": "imágenes PNG a {dpi} ppp en {folder}/; ejecuta pdflatex",
    },
    "export.tex_equation_too_long": {
        "en": "(the equation is too long for a slide: {count} characters; the picture shows the step)",
        "es": "(la ecuación es demasiado larga para una diapositiva: {count} caracteres; la imagen muestra el paso)",
    },
    # picture options, checked once for Python and the command line (`option` as the caller spells it)
    "export.option_theme": {
        "en": "{option} {value} is not a theme; the themes are {choices}",
        "es": "{option} {value} no es un tema; los temas son {choices}",
    },
    "export.option_precision": {
        "en": "{option} {value}: give a number of significant digits from 1 to 17",
        "es": "{option} {value}: indica un número de cifras significativas entre 1 y 17",
    },
    "export.option_max_nodes": {
        "en": "{option} {value}: give a whole number of at least 2 (default: {default})",
        "es": "{option} {value}: da un número entero de al menos 2 (por defecto: {default})",
    },
    "export.walkthrough_advice": {
        "en": "Draw fewer nodes per picture with max_nodes={fewer}, or keep fewer steps, e.g. steps=range({last})",
        "es": "Dibuja menos nodos por dibujo con max_nodes={fewer}, o quédate con menos pasos, p. ej. "
        "steps=range({last})",
    },
}
