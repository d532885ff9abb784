"""How the mailings' audit entries read."""

from __future__ import annotations

from flask_babel import gettext as _

from conference.core import audit
from conference.core.audit import Facts


@audit.sentence("mailing.sent")
def _sent(f: Facts) -> str:
    return _("%(who)s sent the mailing “%(subject)s”.", who=f.who, subject=f.detail("subject"))


@audit.sentence("mailing.tested")
def _tested(f: Facts) -> str:
    return _("%(who)s sent a test of a mailing to themselves.", who=f.who)


@audit.sentence("mailing_rule.saved")
def _rule_saved(f: Facts) -> str:
    return _("%(who)s saved a scheduled mail.", who=f.who)


@audit.sentence("mailing_rule.deleted")
def _rule_deleted(f: Facts) -> str:
    return _("%(who)s deleted a scheduled mail.", who=f.who)
