"""How the mail texts' audit entries read."""

from __future__ import annotations

from flask_babel import gettext as _

from conference.core import audit
from conference.core.audit import Facts
from conference.mailtexts import registry

LANGUAGES = {"de": "Deutsch", "en": "English"}


def _mail(f: Facts) -> str:
    kind = registry.BY_KEY.get(f.detail("kind"))
    name = str(kind.name) if kind else _("a mail")
    return f"{name} ({LANGUAGES.get(f.detail('language'), f.detail('language') or '')})"


@audit.sentence("mailtext.saved")
def _saved(f: Facts) -> str:
    return _("%(who)s changed the mail text “%(mail)s”.", who=f.who, mail=_mail(f))


@audit.sentence("mailtext.reset")
def _reset(f: Facts) -> str:
    return _("%(who)s set the mail text “%(mail)s” back to the default.", who=f.who, mail=_mail(f))


@audit.sentence("mailtext.tested")
def _tested(f: Facts) -> str:
    return _("%(who)s sent a test of the mail “%(mail)s” to themselves.", who=f.who, mail=_mail(f))
