"""PDF from HTML + CSS with WeasyPrint.

Templates extend ``templates/pdf_base.html``, which loads the bundled fonts
(``static/css/print-fonts.css``). Relative URLs (fonts, images, stylesheets) resolve against
``static/``; nothing is fetched from the network (``url_fetcher`` refuses anything else).
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher


def _static_root() -> Path:
    return Path(current_app.static_folder).resolve()


def render_pdf_html(html: str) -> bytes:
    """Render a complete HTML document to PDF bytes."""
    base = _static_root().as_uri() + "/"
    fetcher = URLFetcher(allowed_protocols=("file", "data"))
    document = HTML(string=html, base_url=base, url_fetcher=fetcher)
    return document.write_pdf(font_config=FontConfiguration())


def render_pdf(template: str, **context) -> bytes:
    """Render a Jinja template (extending pdf_base.html) to PDF bytes."""
    return render_pdf_html(render_template(template, **context))
