"""Template helpers (every page: header, footer; PDFs of other areas), the logo and the public texts."""

from __future__ import annotations

import hashlib

from flask import Response, abort, g, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from conference.accounts.access import public
from conference.core.congress import current_congress
from conference.core.pdf import register_embedded
from conference.editions import services
from conference.editions.texts import render_markdown
from conference.editions.views import LOGO_EMBED, _text_titles, bp
from conference.extensions import db

# --- template helpers (every page: header, footer; PDFs of other areas) -----------------------


def _organising_body():
    """Once per request (or PDF job), and only for templates that show it."""
    if "organising_body" not in g:
        try:
            g.organising_body = services.organising_body()
        except SQLAlchemyError:  # the error page of a broken database still renders
            db.session.rollback()  # not a unit of work: recovering a failed read
            return None
    return g.organising_body


@bp.app_context_processor
def _helpers():
    return {
        "organising_body": _organising_body,
        "organising_body_logo_url": _logo_url,
        "organising_body_logo_embed": "embedded:" + LOGO_EMBED,
        "consent_version_text": _consent_version_text,
        "welcome_text": _welcome_text,
    }


def _welcome_text(congress):
    """The landing page's welcome text in the visitor's language (else German), or None."""
    body_de, body_en = services.text_of(congress, "welcome")
    body = body_en if str(get_locale() or "de") == "en" and body_en.strip() else body_de
    return render_markdown(body) if body.strip() else None


def _logo_url() -> str:
    body = _organising_body()
    if body is None or not body.logo_mimetype:
        return ""
    return url_for("editions.logo", v=int(body.updated_at.timestamp()))


def _consent_version_text(registration) -> str:
    """The privacy notice a registration accepted, as organisers read it."""
    label = registration.consent_version
    if not label:
        return ""
    notice = services.consent_versions(registration.congress_id, {label}).get(label)
    if notice is None:
        return label
    from flask_babel import format_date

    return _(
        "version %(version)s of %(date)s",
        version=notice.label,
        date=format_date(notice.created_at, "medium"),
    )


register_embedded(LOGO_EMBED, services.logo)


@bp.get("/organising-body/logo")
@public
def logo():
    found = services.logo()
    if found is None:
        abort(404)
    data, mimetype = found
    response = Response(data, mimetype=mimetype)
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response.make_conditional(request)


# --- public texts ---------------------------------------------------------------------------------


def _public_text(kind: str):
    congress = current_congress()
    language = str(get_locale() or "de")
    body, shown_language, notice = "", language, None
    if congress is not None:
        if kind == services.PRIVACY:
            notice = services.newest_privacy_notice(congress)
            body_de, body_en = (notice.body_de, notice.body_en) if notice else ("", "")
        else:
            body_de, body_en = services.text_of(congress, kind)
        body = body_en if language == "en" and body_en.strip() else body_de
        if language == "en" and not body_en.strip() and body_de.strip():
            shown_language = "de"  # said on the page, and marked for screen readers
    return render_template(
        "editions/public_text.html",
        congress=congress,
        kind=kind,
        heading=_text_titles()[kind],
        html=render_markdown(body) if body.strip() else None,
        shown_language=shown_language,
        notice=notice,
    )


@bp.get("/impressum")
@public
def imprint():
    return _public_text("imprint")


@bp.get("/datenschutz")
@public
def privacy():
    return _public_text("privacy")


@bp.get("/barrierefreiheit")
@public
def accessibility():
    return _public_text("accessibility")
