"""Speakers' self-service and sessions' materials. Functions flush and never commit; refusals
are ``DomainError`` subclasses.

**A speaker's registration.** Confirming through the personal link registers the speaker for
the days of their sessions: a confirmed ``Registration`` with ``source = SPEAKER_SOURCE`` and
the speaker's badge role. It takes no congress, day or quota seat (``registration.seats``
skips it when freeing, changing days or carriers, and ``seat_drift`` does not count it), so a
full congress never keeps a speaker out, and it gets a badge and passes the door on those
days like anybody registered. A speaker already registered with the same address keeps that
registration (its seat and days stay as they are); it is linked, not copied.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from conference.agenda import services as agenda
from conference.agenda.models import AgendaSession, SessionSpeaker, SessionStatus, Speaker
from conference.core import audit
from conference.core.errors import Conflict, Invalid, NotFound
from conference.core.mail import external_url
from conference.core.models import Congress
from conference.core.tokens import is_well_formed, new_token
from conference.extensions import db
from conference.mailtexts.services import queue_mail
from conference.registration.models import (
    SPEAKER_SOURCE,
    BadgeRole,
    Registration,
    RegistrationDay,
    Status,
)
from conference.speakers.models import SessionMaterial, SpeakerAccess

# --- the personal link --------------------------------------------------------------------------


def access_of(speaker: Speaker) -> SpeakerAccess:
    """The speaker's link, made on first use (256 random bits, no personal data)."""
    access = db.session.get(SpeakerAccess, speaker.id)
    if access is None:
        access = SpeakerAccess(speaker_id=speaker.id, token=new_token())
        db.session.add(access)
        db.session.flush()
    return access


def reissue(speaker: Speaker, *, actor) -> SpeakerAccess:
    """A new link; the old one stops working."""
    access = access_of(speaker)
    access.token = new_token()
    db.session.flush()
    audit.record("speakers.link_reissued", speaker, actor=actor, congress_id=speaker.congress_id)
    return access


def send_link(speaker: Speaker, congress: Congress, *, actor) -> None:
    """Mail the speaker their link (in German: a speaker has no language of their own yet)."""
    if not speaker.email:
        raise Invalid(_("This speaker has no e-mail address."), code="no_email")
    access = access_of(speaker)
    queue_mail(
        "speakers.link",
        congress=congress,
        recipient=speaker.email,
        language="de",
        values={
            "name": speaker.name,
            "speaker_link": external_url("speakers.page", token=access.token),
        },
    )
    audit.record("speakers.link_sent", speaker, actor=actor, congress_id=congress.id)


def by_token(token: str) -> tuple[Speaker, SpeakerAccess]:
    access = None
    if is_well_formed(token):
        access = db.session.execute(
            select(SpeakerAccess).where(SpeakerAccess.token == token)
        ).scalar_one_or_none()
    if access is None:
        raise NotFound(_("This link is not valid."), code="unknown_speaker")
    return db.session.get(Speaker, access.speaker_id), access


def sessions_of(speaker: Speaker) -> list[AgendaSession]:
    """The speaker's sessions that are not cancelled, in time order, with room and track."""
    return list(
        db.session.execute(
            select(AgendaSession)
            .join(SessionSpeaker, SessionSpeaker.session_id == AgendaSession.id)
            .where(
                SessionSpeaker.speaker_id == speaker.id,
                AgendaSession.status != SessionStatus.CANCELLED,
            )
            .options(joinedload(AgendaSession.room), joinedload(AgendaSession.track))
            .order_by(AgendaSession.starts_at)
        ).scalars()
    )


def _split(name: str) -> tuple[str, str]:
    first, _space, last = name.strip().rpartition(" ")
    return (first, last) if first else (last, "")


def ensure_registration(speaker: Speaker, congress: Congress, *, now: datetime) -> Registration:
    """The speaker's registration, on the days of their sessions (see the module docstring)."""
    days = sorted({agenda.local_day(s.starts_at, congress) for s in sessions_of(speaker)})
    registration = None
    if speaker.registration_id:
        registration = db.session.get(Registration, speaker.registration_id)
    if registration is None and speaker.email:
        registration = db.session.execute(
            select(Registration).where(
                Registration.congress_id == congress.id,
                Registration.email == speaker.email.strip().lower(),
            )
        ).scalar_one_or_none()
    if registration is None:
        first, last = _split(speaker.name)
        registration = Registration(
            congress_id=congress.id,
            status=Status.CONFIRMED,
            first_name=first,
            last_name=last,
            email=(speaker.email or f"speaker-{speaker.id}@invalid").strip().lower(),
            organisation_other=speaker.organisation,
            badge_role=BadgeRole.SPEAKER,
            source=SPEAKER_SOURCE,
            placed_at=now,
            confirm_token=None,
            days=[RegistrationDay(day=day) for day in days],
        )
        db.session.add(registration)
        db.session.flush()
        audit.record("speakers.registered", registration, actor="speaker", days=len(days))
    elif registration.source == SPEAKER_SOURCE:
        # The speaker's own registration follows their sessions (no seats move).
        current = {d.day for d in registration.days}
        if current != set(days):
            registration.days = [d for d in registration.days if d.day in days] + [
                RegistrationDay(day=day) for day in days if day not in current
            ]
        registration.status = Status.CONFIRMED
    speaker.registration_id = registration.id
    db.session.flush()
    return registration


def confirm(speaker: Speaker, access: SpeakerAccess, *, now: datetime) -> Registration:
    """The speaker takes part: recorded, and registered for their sessions' days."""
    access.confirmed_at = now
    access.declined_at = None
    congress = db.session.get(Congress, speaker.congress_id)
    registration = ensure_registration(speaker, congress, now=now)
    audit.record("speakers.confirmed", speaker, actor="speaker", congress_id=congress.id)
    return registration


def decline(speaker: Speaker, access: SpeakerAccess, *, now: datetime) -> None:
    """The speaker does not take part: recorded (a warning on the builder); their own speaker
    registration is cancelled, one as an attendee stays."""
    access.declined_at = now
    access.confirmed_at = None
    if speaker.registration_id:
        registration = db.session.get(Registration, speaker.registration_id)
        if registration is not None and registration.source == SPEAKER_SOURCE:
            registration.status = Status.CANCELLED
            registration.cancelled_at = now
    db.session.flush()
    audit.record("speakers.declined", speaker, actor="speaker", congress_id=speaker.congress_id)


def builder_warnings(congress_id: int) -> list[str]:
    """Soft warnings for the agenda builder: sessions whose speakers have not confirmed (or
    declined). One query."""
    rows = db.session.execute(
        select(
            AgendaSession.title,
            Speaker.name,
            SpeakerAccess.confirmed_at,
            SpeakerAccess.declined_at,
        )
        .join(SessionSpeaker, SessionSpeaker.session_id == AgendaSession.id)
        .join(Speaker, Speaker.id == SessionSpeaker.speaker_id)
        .outerjoin(SpeakerAccess, SpeakerAccess.speaker_id == Speaker.id)
        .where(
            AgendaSession.congress_id == congress_id,
            AgendaSession.status != SessionStatus.CANCELLED,
            SpeakerAccess.confirmed_at.is_(None),
        )
        .order_by(AgendaSession.starts_at, AgendaSession.id, SessionSpeaker.position)
    ).all()
    return [
        _("%(name)s declined “%(title)s”.", name=name, title=title)
        if declined
        else _("%(name)s has not confirmed “%(title)s” yet.", name=name, title=title)
        for title, name, _confirmed, declined in rows
    ]


# --- materials ----------------------------------------------------------------------------------

MAX_MATERIAL_BYTES = 8 * 1024 * 1024  # the request limit (MAX_CONTENT_LENGTH) is 8 MB too
KINDS = ("material", "photo", "recording")
_OOXML = {
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
}
_ODF = {
    b"application/vnd.oasis.opendocument.presentation": ".odp",
    b"application/vnd.oasis.opendocument.text": ".odt",
}


class MaterialRefused(Invalid):
    code = "material_refused"


def sniff(data: bytes) -> tuple[str, str]:
    """(mimetype, extension) of an accepted file, read from its content, never its name:
    PDF, ODP/ODT, PPTX/DOCX, JPEG, PNG, WebP. Raises MaterialRefused."""
    if len(data) > MAX_MATERIAL_BYTES:
        raise MaterialRefused(_("The file may be at most 8 MB."), field="file")
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        return "application/pdf", ".pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
                if "mimetype" in names:
                    kind = archive.read("mimetype").strip()
                    if kind in _ODF:
                        return kind.decode(), _ODF[kind]
                if "[Content_Types].xml" in names:
                    for prefix, found in _OOXML.items():
                        if any(name.startswith(prefix) for name in names):
                            return found
        except (zipfile.BadZipFile, KeyError, OSError):
            pass
    else:
        for mimetype, extension in (
            ("image/jpeg", ".jpg"),
            ("image/png", ".png"),
            ("image/webp", ".webp"),
        ):
            try:
                if agenda.check_photo(data) == mimetype:
                    return mimetype, extension
            except Invalid:
                break
    raise MaterialRefused(
        _("This file is not a PDF, ODP, PPTX, DOCX or image file (its content was checked)."),
        field="file",
    )


def _filename(name: str, extension: str) -> str:
    stem = "".join(
        ch for ch in (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1] if ch.isprintable()
    )
    stem = stem.rsplit(".", 1)[0].strip()[:150] or "material"
    return stem + extension


def add_material(
    session: AgendaSession,
    data: bytes,
    filename: str,
    *,
    public: bool,
    kind: str = "material",
    uploaded_by: str,
    actor,
    now: datetime,
) -> SessionMaterial:
    if kind not in KINDS:
        raise Invalid(_("Unknown kind of file."), field="kind")
    if not data:
        raise MaterialRefused(_("Please choose a file."), field="file")
    mimetype, extension = sniff(data)
    material = SessionMaterial(
        session_id=session.id,
        kind=kind,
        filename=_filename(filename, extension),
        mimetype=mimetype,
        size=len(data),
        data=data,
        public=public,
        uploaded_by=uploaded_by,
        created_at=now,
    )
    db.session.add(material)
    db.session.flush()
    audit.record(
        "speakers.material_added", session, actor=actor, congress_id=session.congress_id,
        filename=material.filename,
    )  # fmt: skip
    return material


def remove_material(material: SessionMaterial, *, actor) -> None:
    session = db.session.get(AgendaSession, material.session_id)
    db.session.delete(material)
    db.session.flush()
    audit.record(
        "speakers.material_removed", session, actor=actor, congress_id=session.congress_id,
        filename=material.filename,
    )  # fmt: skip


def materials_of(session_ids, *, public_only: bool = False) -> dict[int, list[SessionMaterial]]:
    """The materials of these sessions (without their bytes), newest last; one query."""
    ids = list(session_ids)
    found: dict[int, list[SessionMaterial]] = {i: [] for i in ids}
    if not ids:
        return found
    query = select(SessionMaterial).where(SessionMaterial.session_id.in_(ids))
    if public_only:
        query = query.where(SessionMaterial.public.is_(True))
    for material in db.session.execute(query.order_by(SessionMaterial.id)).scalars():
        found[material.session_id].append(material)
    return found


def material_or_404(material_id: int) -> SessionMaterial:
    material = db.session.get(SessionMaterial, material_id)
    if material is None:
        raise NotFound(_("This file does not exist."), code="unknown_material")
    return material


def speaks_in(speaker: Speaker, session_id: int) -> AgendaSession:
    for session in sessions_of(speaker):
        if session.id == session_id:
            return session
    raise NotFound(_("This session does not exist."), code="unknown_session")


def refuse_unless_published(session: AgendaSession) -> None:
    if not agenda.is_public(session, include_cancelled=False):
        raise Conflict(_("The session is not published."), code="not_published")


# --- the documentation --------------------------------------------------------------------------


def has_ended(congress: Congress, now: datetime) -> bool:
    """The congress's last day is over in its own time zone."""
    return agenda.local_instant(congress.ends_on, congress.closes_at, congress) <= now


def documented_editions(now: datetime) -> list[Congress]:
    """Editions whose congress is over, newest first: each keeps its documentation page."""
    editions = db.session.execute(
        select(Congress)
        .where(Congress.programme_published.is_(True))
        .order_by(Congress.starts_on.desc())
    ).scalars()
    return [c for c in editions if has_ended(c, now)]


def documentation(congress: Congress) -> tuple[list[AgendaSession], dict[int, list]]:
    """Every session the edition held (published, not cancelled) with its speakers, and the
    public files of each (materials, photo documentation, graphic recording). Three queries."""
    sessions = list(
        db.session.execute(
            select(AgendaSession)
            .where(
                AgendaSession.congress_id == congress.id,
                agenda.public_clause(include_cancelled=False),
            )
            .options(*agenda._loaded())
            .order_by(AgendaSession.starts_at, AgendaSession.id)
        ).scalars()
    )
    return sessions, materials_of([s.id for s in sessions], public_only=True)
