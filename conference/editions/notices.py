"""An edition's texts, privacy notices and consent versions, and its organising body."""

from __future__ import annotations

import io
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from conference.core import audit
from conference.core.errors import Conflict, Invalid, NotFound
from conference.core.models import Congress
from conference.editions.checks import (
    LOGO_FORMATS,
    MAX_LOGO_BYTES,
    MAX_LOGO_PIXELS,
    MAX_TEXT,
    PRIVACY,
    TEXT_KINDS,
    EditionRefused,
    _user_id,
)
from conference.editions.models import EditionText, OrganisingBody, PrivacyNotice
from conference.extensions import db

# --- texts --------------------------------------------------------------------------------------


def text_of(congress: Congress, kind: str) -> tuple[str, str]:
    """(German, English) Markdown of a text; the privacy notice's newest version."""
    if kind == PRIVACY:
        notice = newest_privacy_notice(congress)
        return (notice.body_de, notice.body_en) if notice else ("", "")
    row = db.session.execute(
        select(EditionText).where(EditionText.congress_id == congress.id, EditionText.kind == kind)
    ).scalar_one_or_none()
    return (row.body_de, row.body_en) if row else ("", "")


def _check_text(body_de: str, body_en: str) -> None:
    if len(body_de) > MAX_TEXT or len(body_en) > MAX_TEXT:
        raise EditionRefused(
            {
                "body_de" if len(body_de) > MAX_TEXT else "body_en": _(
                    "A text may have at most %(num)d characters.", num=MAX_TEXT
                )
            }
        )


def save_text(
    congress: Congress, kind: str, body_de: str, body_en: str, *, actor, now: datetime
) -> bool:
    """Store a text (not the privacy notice); False if nothing changed."""
    if kind not in TEXT_KINDS or kind == PRIVACY:
        raise NotFound(_("There is no such text."))
    _check_text(body_de, body_en)
    row = db.session.execute(
        select(EditionText).where(EditionText.congress_id == congress.id, EditionText.kind == kind)
    ).scalar_one_or_none()
    if row is not None and (row.body_de, row.body_en) == (body_de, body_en):
        return False
    if row is None:
        row = EditionText(congress_id=congress.id, kind=kind)
        db.session.add(row)
    row.body_de, row.body_en, row.updated_at = body_de, body_en, now
    audit.record("edition.text_saved", congress, actor=actor, kind=kind)
    db.session.flush()
    return True


def newest_privacy_notice(congress: Congress) -> PrivacyNotice | None:
    return db.session.execute(
        select(PrivacyNotice)
        .where(PrivacyNotice.congress_id == congress.id)
        .order_by(PrivacyNotice.number.desc())
        .limit(1)
    ).scalar_one_or_none()


def privacy_notices(congress: Congress) -> list[PrivacyNotice]:
    return list(
        db.session.scalars(
            select(PrivacyNotice)
            .where(PrivacyNotice.congress_id == congress.id)
            .order_by(PrivacyNotice.number.desc())
        )
    )


def privacy_notice(congress: Congress, number: int) -> PrivacyNotice:
    notice = db.session.execute(
        select(PrivacyNotice).where(
            PrivacyNotice.congress_id == congress.id, PrivacyNotice.number == number
        )
    ).scalar_one_or_none()
    if notice is None:
        raise NotFound(_("There is no such version of the privacy notice."))
    return notice


def save_privacy_notice(
    congress: Congress, body_de: str, body_en: str, *, actor, now: datetime
) -> PrivacyNotice | None:
    """A changed text becomes a new version, dated now, which registrations from now on
    accept; an unchanged one changes nothing (None). Versions are never edited. Two
    organisers saving at once: the unique version number lets one of them win (Conflict)."""
    _check_text(body_de, body_en)
    newest = newest_privacy_notice(congress)
    if newest is not None and (newest.body_de, newest.body_en) == (body_de, body_en):
        return None
    number = (newest.number if newest else 0) + 1
    notice = PrivacyNotice(
        congress_id=congress.id,
        number=number,
        label=str(number),
        body_de=body_de,
        body_en=body_en,
        created_at=now,
        created_by_user_id=_user_id(actor),
    )
    try:
        with db.session.begin_nested():
            db.session.add(notice)
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _("Someone saved the privacy notice at the same moment. Please reload the page."),
            code="privacy_notice_changed",
        ) from None
    congress.consent_text_version = notice.label
    audit.record("edition.privacy_notice_saved", congress, actor=actor, version=number)
    db.session.flush()
    return notice


def consent_versions(congress_id: int, labels: set[str]) -> dict[str, PrivacyNotice]:
    """The privacy notices registrations of an edition accepted, by their recorded label."""
    if not labels:
        return {}
    return {
        notice.label: notice
        for notice in db.session.scalars(
            select(PrivacyNotice).where(
                PrivacyNotice.congress_id == congress_id, PrivacyNotice.label.in_(labels)
            )
        )
    }


# --- the organising body ----------------------------------------------------------------------------


def organising_body() -> OrganisingBody | None:
    """The one row, without the logo's bytes."""
    return db.session.get(OrganisingBody, 1)


def logo() -> tuple[bytes, str] | None:
    row = db.session.execute(
        select(OrganisingBody.logo, OrganisingBody.logo_mimetype).where(OrganisingBody.id == 1)
    ).first()
    if row is None or not row.logo:
        return None
    return row.logo, row.logo_mimetype


def check_logo(data: bytes) -> str:
    """The mimetype of an acceptable logo, judged by its content, not its name; else Invalid."""
    if len(data) > MAX_LOGO_BYTES:
        raise Invalid(_("The logo may be at most 1 MB."), code="logo_too_large", field="logo")
    from PIL import Image  # Pillow comes with WeasyPrint

    refused = Invalid(
        _("The logo must be a PNG, JPEG or WebP image."), code="logo_not_image", field="logo"
    )
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if image.width * image.height > MAX_LOGO_PIXELS:
                raise Invalid(
                    _("The logo has too many pixels; please use a smaller image."),
                    code="logo_too_large",
                    field="logo",
                )
            image.verify()
    except Invalid:
        raise
    except Exception:  # noqa: BLE001 - any decoder error means "not an image"
        raise refused from None
    if kind not in LOGO_FORMATS:
        raise refused
    return LOGO_FORMATS[kind]


def save_organising_body(
    name: str,
    address: str,
    *,
    logo_data: bytes | None = None,
    remove_logo: bool = False,
    actor,
    now: datetime,
) -> OrganisingBody:
    """Set the organising body (the single row). Raises Invalid for a logo that is not one."""
    mimetype = check_logo(logo_data) if logo_data else None
    row = organising_body()
    if row is None:
        row = OrganisingBody(id=1, name="", address="", logo_mimetype="")
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
        except IntegrityError:  # created by someone else a moment ago
            row = organising_body()
    changed = []
    if row.name != name.strip():
        row.name = name.strip()
        changed.append("name")
    if row.address != address.strip():
        row.address = address.strip()
        changed.append("address")
    if mimetype and (row.logo_mimetype != mimetype or row.logo != logo_data):
        row.logo, row.logo_mimetype = logo_data, mimetype
        changed.append("logo")
    elif remove_logo and row.logo_mimetype:
        row.logo, row.logo_mimetype = None, ""
        changed.append("logo_removed")
    if changed:
        row.updated_at = now
        audit.record("edition.organising_body_saved", row, actor=actor, fields=changed)
    db.session.flush()
    return row
