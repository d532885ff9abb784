"""The organisers' registrations: list, export, new, detail, import."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext

from conference.accounts.access import roles_required
from conference.accounts.models import Role
from conference.core.congress import congress_or_staff, current_congress_or_404, staff_congress
from conference.core.csvimport import CsvProblem
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError
from conference.core.exports import table_response
from conference.core.i18n import day_list
from conference.core.time import utcnow
from conference.extensions import db
from conference.questions import registrations as registration_questions
from conference.registration import services
from conference.registration.forms import (
    ActionForm,
    ImportConfirmForm,
    ImportUploadForm,
    StaffRegistrationForm,
)
from conference.registration.labels import (
    DIET_LABELS,
    LANGUAGE_LABELS,
    NEED_LABELS,
    ROLE_LABELS,
    SECTOR_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    choices,
    label,
)
from conference.registration.models import Registration, Status
from conference.registration.views import STAFF, _actor, _field_error, bp
from conference.registration.views.signup import _answers

# --- self-service ---------------------------------------------------------------------------------


# --- organisers -------------------------------------------------------------------------------------


def _filters() -> services.Filters:
    args = request.args
    carrier = args.get("carrier", "")
    day = args.get("day", "")
    page = args.get("page", "1")
    filters = services.Filters(
        q=args.get("q", "")[:200],
        status=args.get("status", "") if args.get("status") in set(Status) else "",
        carrier_id=parse_int(carrier),
        role=args.get("role", "") if args.get("role") in ROLE_LABELS else "",
        need=args.get("need", "")
        if args.get("need") in {*services.NEED_COLUMNS, "diet", "any"}
        else "",
        page=min(parse_int(page) or 1, 100000),
    )
    try:
        filters.day = date.fromisoformat(day) if day else None
    except ValueError:
        filters.day = None
    return filters


def _filter_args(filters: services.Filters) -> dict:
    return {
        key: value
        for key, value in {
            "q": filters.q,
            "status": filters.status,
            "carrier": filters.carrier_id,
            "role": filters.role,
            "day": filters.day.isoformat() if filters.day else "",
            "need": filters.need,
        }.items()
        if value
    }


@bp.get("/admin/registrations")
@roles_required(*STAFF)
def admin_list():
    congress = staff_congress()
    actor = _actor()
    filters = _filters()
    page = services.search(congress, filters, actor)
    return render_template(
        "registration/admin_list.html",
        congress=congress,
        page=page,
        filters=filters,
        filter_args=_filter_args(filters),
        counts=services.status_counts(congress, actor),
        carriers=services.carriers_with_locals(actor),
        statuses=choices(STATUS_LABELS),
        roles=choices(ROLE_LABELS),
        needs=[*choices(NEED_LABELS), ("diet", _("Special diet")), ("any", _("Any access need"))],
        action_form=ActionForm(),
    )


def _export_header() -> list[str]:
    """In the export's language, like its values (German: the columns organisers know)."""
    return [
        pgettext("export column", "ID"),
        pgettext("export column", "Status"),
        pgettext("export column", "First name"),
        pgettext("export column", "Last name"),
        pgettext("export column", "E-mail"),
        pgettext("export column", "Language"),
        pgettext("export column", "Carrier"),
        pgettext("export column", "Local structure"),
        pgettext("export column", "Other organisation"),
        pgettext("export column", "Role"),
        pgettext("export column", "Sector"),
        pgettext("export column", "Days"),
        pgettext("export column", "Step-free"),
        pgettext("export column", "Sign language"),
        pgettext("export column", "Induction loop"),
        pgettext("export column", "Accessibility"),
        pgettext("export column", "Diet"),
        pgettext("export column", "Diet notes"),
        pgettext("export column", "Photo consent"),
        pgettext("export column", "Registered at"),
        pgettext("export column", "Placed at (seat or waiting list)"),
        pgettext("export column", "Source"),
    ]


@bp.get("/admin/registrations/export.<fmt>")
@roles_required(*STAFF)
def admin_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    raw = request.args.get("congress")  # ?congress=<id>: a past edition's registrations
    number = None if raw is None else parse_int(raw)
    if raw is not None and number is None:
        abort(404)
    congress = congress_or_staff(number)
    actor = _actor()
    rows = services.export_rows(congress, _filters(), actor)
    # A column per question, headed by its text in the export's language.
    question_headers, answers = registration_questions.table(
        congress.id, [r.id for r in rows], audience=registration_questions.audience_of(actor)
    )
    data = (
        [
            r.id,
            label(STATUS_LABELS, r.status),
            r.first_name,
            r.last_name,
            r.email,
            label(LANGUAGE_LABELS, r.language),
            r.carrier.name if r.carrier else "",
            r.local_structure.name if r.local_structure else "",
            r.organisation_other,
            label(ROLE_LABELS, r.programme_role),
            label(SECTOR_LABELS, r.sector),
            day_list(d.day for d in r.days),
            r.needs_step_free,
            r.needs_sign_language,
            r.needs_induction_loop,
            r.accessibility_notes,
            label(DIET_LABELS, r.diet),
            r.diet_notes,
            r.photo_consent_at is not None,
            r.created_at,
            r.placed_at,
            label(SOURCE_LABELS, r.source),
            *answers[r.id],
        ]
        for r in rows
    )
    return table_response(
        fmt,
        f"anmeldungen-{congress.slug}",
        _export_header() + question_headers,
        data,
        tz=congress.timezone,
    )


def staff_form(form_class, registration=None):
    """The organisers' registration form, set up for the actor and the congress."""
    form = form_class() if request.method == "POST" else form_class(formdata=None)
    form.setup(services.carriers_with_locals(_actor()))
    congress = registration.congress if registration else current_congress_or_404()
    form.setup_days(congress)
    return form


@bp.route("/admin/registrations/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def admin_new():
    congress = current_congress_or_404()
    actor = _actor()
    form = staff_form(StaffRegistrationForm)
    answers = _answers(congress.id, registration_questions.audience_of(actor))
    if request.method == "GET":
        form.days.data = [value for value, _label in form.days.choices]
        if services.scope_carrier(actor):
            form.carrier.data = str(services.scope_carrier(actor))
    if form.validate_on_submit() and answers.valid:
        data = {**form.person_data(), "email": form.email.data}
        try:
            with transaction():
                services.check_scope(data, actor)
                registration = services.register(
                    congress,
                    data,
                    form.chosen_days(),
                    services.Consent(
                        data_processing=form.consent.data, photo=form.photo_consent.data
                    ),
                    now=utcnow(),
                    actor=actor,
                    source="staff",
                    confirmed=form.mode.data == "confirmed",
                    answers=answers,
                )
                registration_id = registration.id
                waitlisted = _why_waitlisted(registration)
        except DomainError as error:
            if not _field_error(form, error):
                flash(error.message, "error")
        else:
            flash(_("The registration has been added."), "success")
            if waitlisted:
                flash(waitlisted, "warning")
            return redirect(url_for(".admin_detail", registration_id=registration_id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "registration/admin_form.html",
        form=form,
        congress=congress,
        registration=None,
        answers=answers,
    ), status


def _why_waitlisted(registration: Registration) -> str | None:
    """For the person who registered a colleague: why the colleague waits, in their words."""
    if registration.status != Status.WAITLISTED:
        return None
    obstacle = services.seat_obstacle(registration)
    text = _(
        "%(name)s is on the waiting list, position %(position)s.",
        name=registration.full_name,
        position=services.waitlist_position(registration),
    )
    if obstacle:
        text += " " + _("No seat is free: %(why)s.", why=services.obstacle_text(obstacle))
    if obstacle in ("congress", "day") and services.has_quota(registration):
        text += " " + _(
            "The organisation's quota is an upper limit and keeps no seats free, so it does "
            "not help while the congress is full."
        )
    return text + " " + _("The person gets a mail and moves up by themselves when a seat is free.")


@bp.get("/admin/registrations/<int:registration_id>")
@roles_required(*STAFF)
def admin_detail(registration_id: int):
    registration = services.for_staff(registration_id, _actor())
    from conference.core import audit
    from conference.core.models import AuditLog

    history = audit.describe(
        db.session.execute(
            db.select(AuditLog)
            .where(AuditLog.object_type == "Registration", AuditLog.object_id == registration.id)
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
            .limit(50)
        ).scalars()
    )
    obstacle = (
        services.seat_obstacle(registration) if registration.status == Status.WAITLISTED else None
    )
    return render_template(
        "registration/admin_detail.html",
        registration=registration,
        congress=registration.congress,
        position=services.waitlist_position(registration),
        history=history,
        action_form=ActionForm(),
        no_seat=services.obstacle_text(obstacle),
        answers=registration_questions.answers_of(
            registration.id,
            registration.congress_id,
            audience=registration_questions.audience_of(_actor()),
            archived=True,
        ),
    )


@bp.post("/admin/registrations/fill-from-waitlist")
@roles_required(Role.ORGANISER)
def admin_fill():
    congress = current_congress_or_404()
    if not ActionForm().validate_on_submit():
        abort(400)
    with transaction():
        promoted = services.promote(congress.id, now=utcnow(), actor=_actor(), limit=500)
    flash(_("%(n)s people moved up from the waiting list.", n=len(promoted)), "success")
    return redirect(url_for(".admin_list"))


@bp.route("/admin/registrations/import", methods=["GET", "POST"])
@roles_required(*STAFF)
def admin_import():
    congress = current_congress_or_404()
    form = ImportUploadForm()
    rows = None
    confirm_form = None
    if form.validate_on_submit():
        content = form.file.data.read()
        try:
            with transaction():  # reads only; ends the transaction before the page renders
                rows = services.import_preview(congress, content, _actor())
        except CsvProblem as problem:
            form.file.errors = [str(problem)]
        else:
            confirm_form = ImportConfirmForm(
                formdata=None,
                payload=base64.b64encode(content).decode(),
                mode=form.mode.data,
            )
    status = 400 if request.method == "POST" and rows is None else 200
    return render_template(
        "registration/admin_import.html",
        form=form,
        congress=congress,
        rows=rows,
        valid=sum(1 for r in rows if not r.problems) if rows else 0,
        confirm_form=confirm_form,
        question_columns=[q.text_de for q in registration_questions.questions(congress.id)],
    ), status


@bp.get("/admin/registrations/import/template.csv")
@roles_required(*STAFF)
def admin_import_template():
    """A CSV with the columns the import understands and one example row."""
    congress = current_congress_or_404()
    header, rows = services.import_template(congress)
    return table_response("csv", "vorlage-anmeldungen", header, rows)


@bp.post("/admin/registrations/import/commit")
@roles_required(*STAFF)
def admin_import_commit():
    congress = current_congress_or_404()
    form = ImportConfirmForm()
    what = request.form.get("what")  # the button: "valid" rows only, or "all" or nothing
    if not form.validate_on_submit() or what not in ("valid", "all"):
        abort(400)
    try:
        content = base64.b64decode(form.payload.data or "", validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    try:
        with transaction():
            result = services.import_rows(
                congress,
                content,
                only_if_all_valid=what == "all",
                confirmed=form.mode.data == "confirmed",
                now=utcnow(),
                actor=_actor(),
            )
    except CsvProblem as problem:
        flash(str(problem), "error")
        return redirect(url_for(".admin_import"))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".admin_import"))
    message = ngettext(
        "%(num)d registration imported.", "%(num)d registrations imported.", result.imported
    )
    if result.skipped:
        message += " " + ngettext("%(num)d row skipped.", "%(num)d rows skipped.", result.skipped)
    flash(message, "success")
    return redirect(url_for(".admin_list"))
