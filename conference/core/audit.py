"""The audit log: one row per change made by a person, a device or the system.

Entries are written with ``record`` and read by people as sentences ("Anna Berg hat 245
Namensschilder gedruckt."). Each area registers how its actions read (``sentence``) and how
its objects are named (``namer``), so the log page and a registration's history can describe
entries of every area without importing the areas above them (see ``conference/*/audit_texts.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from conference.core.models import AuditLog, Congress
from conference.extensions import db

logger = logging.getLogger(__name__)


def record(
    action: str,
    obj: Any = None,
    *,
    actor: Any = None,
    congress_id: int | None = None,
    **details: Any,
) -> AuditLog:
    """Add an audit entry to the current transaction.

    ``actor`` is a User, an ApiToken, a string such as "attendee" or "system", or None.
    ``details`` must be JSON-serialisable and must never contain a secret or token.
    """
    entry = AuditLog(action=action, details=_jsonable(details))
    if obj is not None:
        entry.object_type = type(obj).__name__
        entry.object_id = getattr(obj, "id", None)
        entry.congress_id = congress_id or getattr(obj, "congress_id", None)
    else:
        entry.congress_id = congress_id
    if actor is None:
        entry.actor = "system"
    elif isinstance(actor, str):
        entry.actor = actor
    else:
        entry.actor = getattr(actor, "email", None) or getattr(actor, "name", "") or "?"
        if type(actor).__name__ == "User":
            entry.actor_user_id = actor.id
    db.session.add(entry)
    return entry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- reading the log: sentences ------------------------------------------------------------

# A ref names another object an entry points to: the object type of the namer, and how to get
# the namer's key from the entry (default: the detail's value, an id).
Ref = str | tuple[str, Callable[[AuditLog], Hashable]]


@dataclass(frozen=True)
class _Sentence:
    text: Callable[[Facts], str]
    refs: dict[str, Ref]


@dataclass(frozen=True)
class _Namer:
    label: Any  # the translated name of the object type ("Registration" -> "Anmeldung")
    names: Callable[[set], dict]  # keys -> display names, one query for all keys


_SENTENCES: dict[str, _Sentence] = {}
_NAMERS: dict[str, _Namer] = {}


def sentence(action: str, *, refs: dict[str, Ref] | None = None):
    """Register how ``action`` reads: a function of ``Facts`` returning a translated sentence.
    ``refs`` maps detail keys to the object type whose name the sentence needs."""

    def register(func: Callable[[Facts], str]):
        _SENTENCES[action] = _Sentence(func, refs or {})
        return func

    return register


def namer(object_type: str, label: Any):
    """Register how objects of ``object_type`` are named: a function from a set of keys (ids)
    to ``{key: name}``, answering with one query."""

    def register(func: Callable[[set], dict]):
        _NAMERS[object_type] = _Namer(label, func)
        return func

    return register


def known_actions() -> set[str]:
    return set(_SENTENCES)


def object_types() -> list[tuple[str, str]]:
    """``(object_type, translated label)`` of every named object type, by label."""
    return sorted(((key, str(n.label)) for key, n in _NAMERS.items()), key=lambda item: item[1])


@dataclass
class Facts:
    """What a sentence may use: the entry, the actor and the object by name, other names."""

    entry: AuditLog
    who: str
    object: str
    _names: dict[tuple[str, Hashable], str] = field(default_factory=dict, repr=False)

    @property
    def by_attendee(self) -> bool:
        """The person acted on their own registration (through their personal link)."""
        return self.entry.actor == "attendee"

    def detail(self, key: str, default: Any = None) -> Any:
        return (self.entry.details or {}).get(key, default)

    def ref(self, key: str) -> str:
        """The name of the object the detail ``key`` points to ("" if unknown or gone)."""
        spec = _SENTENCES[self.entry.action].refs.get(key)
        if spec is None:
            return ""
        object_type, value = _ref_key(spec, key, self.entry)
        if isinstance(value, list):
            return ", ".join(self.refs(key))
        return self._names.get((object_type, value), "")

    def refs(self, key: str) -> list[str]:
        """The names of the objects whose ids the detail ``key`` lists, in its order."""
        object_type = _SENTENCES[self.entry.action].refs.get(key)
        values = self.detail(key) or []
        if not isinstance(object_type, str) or not isinstance(values, list):
            return []
        return [self._names.get((object_type, v), "–") for v in values if isinstance(v, Hashable)]


def _ref_key(spec: Ref, key: str, entry: AuditLog) -> tuple[str, Any]:
    if isinstance(spec, tuple):
        object_type, getter = spec
        return object_type, getter(entry)
    value = (entry.details or {}).get(key)
    if isinstance(value, list):
        return spec, [v for v in value if isinstance(v, Hashable)]
    return spec, value if isinstance(value, Hashable) else None


@dataclass(frozen=True)
class Said:
    """One entry as people read it."""

    entry: AuditLog
    who: str
    text: str

    @property
    def at(self) -> datetime:
        return self.entry.at


def describe(entries: Iterable[AuditLog]) -> list[Said]:
    """Each entry as a sentence with the actor's and the objects' names. One query per kind
    of object named, whatever the number of entries."""
    entries = list(entries)
    wanted: dict[str, set] = {}
    for entry in entries:
        if entry.actor_user_id is not None:
            wanted.setdefault("User", set()).add(entry.actor_user_id)
        if entry.object_type and entry.object_id is not None:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
        spec = _SENTENCES.get(entry.action)
        for key, ref in (spec.refs if spec else {}).items():
            object_type, value = _ref_key(ref, key, entry)
            values = value if isinstance(value, list) else [value]
            wanted.setdefault(object_type, set()).update(v for v in values if v is not None)
    names: dict[tuple[str, Hashable], str] = {}
    for object_type, keys in wanted.items():
        found = _NAMERS.get(object_type)
        if found is None or not keys:
            continue
        for key, name in found.names(keys).items():
            names[(object_type, key)] = name
    said = []
    for entry in entries:
        obj = names.get((entry.object_type, entry.object_id), "")
        who = _actor_name(entry, names, obj)
        facts = Facts(entry, who, obj, names)
        spec = _SENTENCES.get(entry.action)
        text = None
        if spec is not None:
            try:
                text = spec.text(facts)
            except (KeyError, TypeError, ValueError):
                # An old entry with details of another shape must not break the whole log.
                logger.exception("audit entry %s (%s) cannot be described", entry.id, entry.action)
        said.append(Said(entry, who, text or _("%(who)s made a change.", who=who)))
    return said


def _actor_name(entry: AuditLog, names: dict, obj: str) -> str:
    if entry.actor_user_id is not None:
        name = names.get(("User", entry.actor_user_id))
        if name:
            return name
    actor = entry.actor or ""
    if actor == "attendee":
        # On their own registration the person is named; elsewhere "an attendee".
        return obj if obj and entry.object_type in PERSON_OBJECTS else _("An attendee")
    if actor in ("system", ""):
        return _("The system")
    if actor == "cli":
        return _("The command line")
    if actor == "demo":
        return _("The demo set-up")
    if "@" in actor:
        return actor  # a staff account that no longer exists: its address is all we have
    return _("Device “%(name)s”", name=actor)  # an API token: the name it was given


# Object types whose name is the person an attendee action is about.
PERSON_OBJECTS = {"Registration", "WorkshopSeat"}


# --- helpers for the areas' sentences --------------------------------------------------------


def day_text(value: Any) -> str:
    """An ISO date from the details, in the locale ("18.11.2027")."""
    try:
        return format_date(date.fromisoformat(str(value)[:10]), "medium")
    except ValueError:
        return str(value)


def days_text(values: Iterable[Any]) -> str:
    return ", ".join(day_text(v) for v in values or [])


def moment_text(value: Any) -> str:
    """An ISO timestamp from the details, in the locale and the display time zone."""
    try:
        return format_datetime(datetime.fromisoformat(str(value)), "short")
    except ValueError:
        return str(value)


def listing(labels: dict, keys: Iterable[Any]) -> str:
    """Field keys as their translated labels, joined ("Nachname, E-Mail-Adresse")."""
    shown = [str(labels[k]) for k in keys or [] if k in labels]
    others = len([k for k in keys or [] if k not in labels])
    if others:
        shown.append(_("other details"))
    return ", ".join(shown)


@namer("Congress", _l("Congress"))
def _congress_names(ids: set) -> dict:
    return dict(
        db.session.execute(select(Congress.id, Congress.title).where(Congress.id.in_(ids))).all()
    )
