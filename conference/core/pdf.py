"""PDF from HTML + CSS with WeasyPrint.

Templates extend ``templates/pdf_base.html``, which loads the bundled fonts
(``static/css/print-fonts.css``). Relative URLs (fonts, images, stylesheets) resolve against
``static/``; the URL fetcher (``StaticFetcher``) serves only files under ``static/`` and
``data:`` URIs and refuses everything else: the network, and any other file, so that an
``<img src="file:///etc/passwd">`` in an organiser's text cannot put server files into a PDF.

WeasyPrint lays out on one core. A large job (a thousand badges) is cut into documents that are
rendered in parallel processes and joined (``render_pdf_documents``).

Files kept in the database (the organising body's logo) are embedded as ``embedded:<name>``: an
area registers a loader with ``register_embedded``; each render asks it once, in the web
process, and hands the bytes to the fetcher, so a thousand badges carry the logo once, not a
thousand data URIs.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, render_template
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

EMBEDDED_SCHEME = "embedded:"
_EMBEDDED: dict[str, Callable[[], tuple[bytes, str] | None]] = {}


def register_embedded(name: str, loader: Callable[[], tuple[bytes, str] | None]) -> None:
    """``embedded:<name>`` in a PDF template is ``loader()``'s (bytes, mimetype), or nothing."""
    _EMBEDDED[name] = loader


def _embedded_in(htmls: list[str]) -> dict[str, tuple[bytes, str]]:
    found = {}
    for name, loader in _EMBEDDED.items():
        if any(EMBEDDED_SCHEME + name in html for html in htmls):
            item = loader()
            if item is not None:
                found[name] = item
    return found


class StaticFetcher(URLFetcher):
    """WeasyPrint's fetcher, limited to ``data:`` URIs, files under one folder and the
    ``embedded:`` files handed to it."""

    def __init__(self, root: Path, embedded: dict[str, tuple[bytes, str]] | None = None):
        super().__init__(allowed_protocols=("file", "data"))
        self.root = root.resolve()
        self.embedded = embedded or {}

    def fetch(self, url, headers=None):
        if url.startswith(EMBEDDED_SCHEME):
            item = self.embedded.get(url.removeprefix(EMBEDDED_SCHEME))
            if item is None:
                raise ValueError(f"nothing is embedded as {url}")
            data, mimetype = item
            return URLFetcherResponse(url, data, {"Content-Type": mimetype})
        if url[:5].lower() == "file:":
            # Resolved first: "..", escapes and symlinks may not lead out of the folder.
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if not path.is_relative_to(self.root):
                raise ValueError(f"only files under {self.root} may be embedded, not {url}")
        return super().fetch(url, headers)


def _static_base() -> str:
    return Path(current_app.static_folder).resolve().as_uri() + "/"


def _render(html: str, base_url: str, embedded: dict | None = None) -> bytes:
    fetcher = StaticFetcher(Path(url2pathname(urlsplit(base_url).path)), embedded)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(font_config=FontConfiguration())


def render_pdf_html(html: str) -> bytes:
    """Render a complete HTML document to PDF bytes."""
    return _render(html, _static_base(), _embedded_in([html]))


def render_pdf(template: str, **context) -> bytes:
    """Render a Jinja template (extending pdf_base.html) to PDF bytes."""
    return render_pdf_html(render_template(template, **context))


def render_pdf_documents(
    htmls: list[str], *, done: Callable[[int], None] | None = None, workers: int | None = None
) -> bytes:
    """Render several complete HTML documents, one process per core, into one PDF in order.

    ``done(index)`` is called as each part is finished (for progress bars). The processes are
    spawned, not forked: a forked copy of a web worker would share its database connections.
    """
    base_url = _static_base()
    embedded = _embedded_in(htmls)
    if len(htmls) == 1:
        part = _render(htmls[0], base_url, embedded)
        if done is not None:
            done(0)
        return part
    workers = workers or min(len(htmls), os.cpu_count() or 1)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_render, html, base_url, embedded) for html in htmls]
        parts = []
        for index, future in enumerate(futures):
            parts.append(future.result())
            if done is not None:
                done(index)
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
