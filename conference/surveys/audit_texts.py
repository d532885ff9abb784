"""How the survey's audit entries read. Attendees' answers are never audited: in an anonymous
survey the time of an entry would tie a person to their answer set."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from conference.core import audit
from conference.core.audit import Facts
from conference.core.models import Congress
from conference.extensions import db
from conference.surveys.models import Survey, SurveyQuestion

FIELD_LABELS = {
    "anonymous": _l("Anonymous"),
    "closes_on": _l("Closing date"),
    "intro_de": _l("Introduction (German)"),
    "intro_en": _l("Introduction (English)"),
}


audit.namer("Survey", _l("Evaluation survey"))(
    lambda ids: {
        survey_id: _("the survey of “%(title)s”", title=title)
        for survey_id, title in db.session.execute(
            select(Survey.id, Congress.title)
            .join(Congress, Congress.id == Survey.congress_id)
            .where(Survey.id.in_(ids))
        ).all()
    }
)
audit.namer("SurveyQuestion", _l("Survey question"))(
    lambda ids: dict(
        db.session.execute(
            select(SurveyQuestion.id, SurveyQuestion.text_de).where(SurveyQuestion.id.in_(ids))
        ).all()
    )
)


@audit.sentence("survey.created")
def _created(f: Facts) -> str:
    return _("%(who)s set up %(survey)s.", who=f.who, survey=f.object)


@audit.sentence("survey.updated")
def _updated(f: Facts) -> str:
    return _(
        "%(who)s changed the settings of %(survey)s: %(fields)s.",
        who=f.who,
        survey=f.object,
        fields=audit.listing(FIELD_LABELS, f.detail("fields")),
    )


@audit.sentence("survey.question_added")
def _added(f: Facts) -> str:
    return _("%(who)s added the survey question “%(text)s”.", who=f.who, text=f.detail("text"))


@audit.sentence("survey.question_changed")
def _changed(f: Facts) -> str:
    return _("%(who)s changed the survey question “%(text)s”.", who=f.who, text=f.detail("text"))


@audit.sentence("survey.question_deleted")
def _deleted(f: Facts) -> str:
    return _("%(who)s deleted the survey question “%(text)s”.", who=f.who, text=f.detail("text"))
