"""How the question engine's audit entries read, and how questions are named."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from conference.core import audit
from conference.core.audit import Facts
from conference.extensions import db
from conference.questions.models import Question


@audit.namer("Question", _l("Question"))
def _question_names(ids: set) -> dict:
    english = str(get_locale() or "de") == "en"
    rows = db.session.execute(
        select(Question.id, Question.text_de, Question.text_en).where(Question.id.in_(ids))
    ).all()
    return {id_: (en if english and en else de) for id_, de, en in rows}


def _question(f: Facts) -> str:
    return f.object or f.detail("text") or _("a question that no longer exists")


@audit.sentence("question.created")
def _created(f: Facts) -> str:
    return _(
        "%(who)s added the registration question “%(question)s”.", who=f.who, question=_question(f)
    )


@audit.sentence("question.updated")
def _updated(f: Facts) -> str:
    return _(
        "%(who)s changed the registration question “%(question)s”.",
        who=f.who,
        question=_question(f),
    )


@audit.sentence("question.moved")
def _moved(f: Facts) -> str:
    if f.detail("direction") == "up":
        return _("%(who)s moved the question “%(question)s” up.", who=f.who, question=_question(f))
    return _("%(who)s moved the question “%(question)s” down.", who=f.who, question=_question(f))


@audit.sentence("question.archived")
def _archived(f: Facts) -> str:
    return _(
        "%(who)s archived the question “%(question)s”; its answers stay.",
        who=f.who,
        question=_question(f),
    )


@audit.sentence("question.deleted")
def _deleted(f: Facts) -> str:
    return _(
        "%(who)s deleted the question “%(question)s”, which had no answers.",
        who=f.who,
        question=f.detail("text") or _question(f),
    )


@audit.sentence("question.restored")
def _restored(f: Facts) -> str:
    return _("%(who)s asks the question “%(question)s” again.", who=f.who, question=_question(f))


@audit.sentence("registration.answers_changed", refs={"questions": "Question"})
def _answers_changed(f: Facts) -> str:
    questions = ", ".join(_("“%(question)s”", question=name) for name in f.refs("questions"))
    person = f.object or _("a registration that no longer exists")
    if f.by_attendee:
        return _(
            "%(person)s changed the answers to %(questions)s.", person=person, questions=questions
        )
    return _(
        "%(who)s changed the answers of %(person)s to %(questions)s.",
        who=f.who,
        person=person,
        questions=questions,
    )
