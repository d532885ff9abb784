"""Carrier organisations for organisers, and the coordinators' portal."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from conference.accounts.access import can_visit, roles_required
from conference.accounts.models import Role
from conference.checkin import services as checkin
from conference.core import collation
from conference.core.congress import current_congress
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError, Invalid
from conference.core.exports import table_response
from conference.core.i18n import day_list
from conference.core.models import CarrierOrganisation
from conference.extensions import db
from conference.organisations import forms, services
from conference.questions import registrations as registration_questions
from conference.registration.labels import STATUS_LABELS, translated

bp = Blueprint("organisations", __name__)

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _fmt(fmt: str) -> str:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    return fmt


@bp.get("/admin/organisations")
@roles_required(Role.ORGANISER)
def admin_list():
    congress = current_congress()
    rows = services.carrier_overview(congress)
    merge_form = forms.MergeForm()
    choices = [(row.carrier.id, row.carrier.name) for row in rows]
    merge_form.source.choices = choices
    merge_form.target.choices = choices
    return render_template(
        "organisations/list.html",
        congress=congress,
        rows=rows,
        kinds=services.kind_labels(),
        merge_form=merge_form,
        unmapped=len(services.unmapped_organisations(congress)) if congress else 0,
    )


@bp.get("/admin/organisations/export.<fmt>")
@roles_required(Role.ORGANISER)
def admin_export(fmt: str):
    congress = current_congress()
    kinds = services.kind_labels()
    header = [
        _("Name"),
        _("Short name"),
        _("Type"),
        _("City"),
        _("Federal state"),
        _("Contact person"),
        _("Contact e-mail"),
        _("Local structures"),
        _("Registrations"),
        _("Quota"),
        _("Quota taken"),
    ]
    rows = [
        [
            r.carrier.name,
            r.carrier.short_name,
            kinds.get(r.carrier.kind, r.carrier.kind),
            r.carrier.city,
            r.carrier.state,
            r.carrier.contact_name,
            r.carrier.contact_email,
            r.local_structures,
            r.registrations,
            r.quota,
            r.taken,
        ]
        for r in services.carrier_overview(congress)
    ]
    return table_response(_fmt(fmt), "traeger", header, rows)


def _carrier_form(carrier=None, **kwargs) -> forms.CarrierForm:
    form = forms.CarrierForm(obj=carrier, **kwargs)
    form.kind.choices = list(services.kind_labels().items())
    return form


@bp.route("/admin/organisations/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def create():
    form = _carrier_form()
    if form.validate_on_submit():
        try:
            with transaction():
                carrier = services.save_carrier(None, form.data, actor=current_user)
        except DomainError as error:
            form.name.errors.append(error.message)
        else:
            flash(_("The carrier organisation was created."), "success")
            return redirect(url_for(".detail", carrier_id=carrier.id))
    return render_template("organisations/edit.html", form=form, carrier=None), (
        400 if form.errors else 200
    )


@bp.route("/admin/organisations/<int:carrier_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def detail(carrier_id: int):
    carrier = services.get_carrier(carrier_id)
    form = _carrier_form(carrier)
    if request.method == "GET":
        return _detail_page(carrier, form=form, status=200)
    if form.validate_on_submit():
        try:
            with transaction():
                services.save_carrier(carrier, form.data, actor=current_user)
        except DomainError as error:
            form.name.errors.append(error.message)
            return _detail_page(carrier, form=form, status=error.status)
        flash(_("Saved."), "success")
        return redirect(url_for(".detail", carrier_id=carrier.id), 303)
    return _detail_page(carrier, form=form)


def _detail_page(carrier, *, form=None, local_form=None, quota_form=None, status=400):
    """The detail page again, with the errors of one of its small forms."""
    congress = current_congress()
    row = next((r for r in services.carrier_overview(congress) if r.carrier.id == carrier.id), None)
    return render_template(
        "organisations/detail.html",
        carrier=carrier,
        congress=congress,
        checked_in=checkin.checked_in_of_carrier(carrier.id, congress) if congress else 0,
        form=form or _carrier_form(carrier, formdata=None),
        row=row,
        local_form=local_form or forms.LocalStructureForm(formdata=None),
        quota_form=quota_form or forms.QuotaForm(formdata=None, quota=row.quota if row else None),
    ), status


@bp.post("/admin/organisations/<int:carrier_id>/local-structures")
@roles_required(Role.ORGANISER)
def add_local_structure(carrier_id: int):
    carrier = services.get_carrier(carrier_id)
    form = forms.LocalStructureForm()
    if not form.validate_on_submit():
        return _detail_page(carrier, local_form=form)
    try:
        with transaction():
            services.add_local_structure(
                carrier,
                form.name.data,
                form.city.data or "",
                form.state.data or "",
                actor=current_user,
            )
    except DomainError as error:
        form.name.errors.append(error.message)
        return _detail_page(carrier, local_form=form, status=error.status)
    flash(_("The local structure was added."), "success")
    return redirect(url_for(".detail", carrier_id=carrier.id), 303)


@bp.post("/admin/organisations/<int:carrier_id>/quota")
@roles_required(Role.ORGANISER)
def set_quota(carrier_id: int):
    carrier = services.get_carrier(carrier_id)
    congress = current_congress()
    form = forms.QuotaForm()
    if congress is None:
        abort(404)
    if not form.validate_on_submit():
        form.quota.errors[:] = [
            _("Please give a whole number of seats (or leave the field empty).")
        ]
        return _detail_page(carrier, quota_form=form)
    try:
        with transaction():
            services.set_quota(congress, carrier, form.quota.data, actor=current_user)
    except DomainError as error:
        form.quota.errors.append(error.message)
        return _detail_page(carrier, quota_form=form, status=error.status)
    flash(_("The quota was saved."), "success")
    return redirect(url_for(".detail", carrier_id=carrier.id), 303)


@bp.route("/admin/organisations/import", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def import_csv():
    upload = forms.ImportUploadForm()
    confirm = forms.ImportConfirmForm()
    if request.method == "POST" and "data" in request.form:
        if not confirm.validate_on_submit():
            abort(400)
        try:
            data = base64.b64decode(confirm.data.data, validate=True)
        except (binascii.Error, ValueError):
            abort(400)
        with transaction():
            preview = services.apply_import(data, actor=current_user)
        flash(
            _(
                "Imported: %(new)s new, %(updated)s updated carrier organisations, "
                "%(locals)s new local structures.",
                new=len(preview.new_carriers),
                updated=len(preview.updated_carriers),
                locals=len(preview.new_local_structures),
            ),
            "success",
        )
        return redirect(url_for(".admin_list"), 303)
    preview = None
    status = 200
    if request.method == "POST":
        if upload.validate_on_submit():
            data = upload.file.data.read(MAX_IMPORT_BYTES + 1)
            if len(data) > MAX_IMPORT_BYTES:
                upload.file.errors.append(_("The file is larger than 2 MB."))
                status = 400
            else:
                preview = services.preview_import(data)
                confirm.data.data = base64.b64encode(data).decode()
                status = 200 if preview.ok else 400
        else:
            status = 400
    return render_template(
        "organisations/import.html",
        upload=upload,
        confirm=confirm,
        preview=preview,
        kinds=services.kind_labels(),
    ), status


@bp.route("/admin/organisations/mapping", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def mapping():
    congress = current_congress()
    if congress is None:
        abort(404)
    choices = services.mapping_targets()
    form = forms.MapForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            raise Invalid(_("Please choose where these registrations belong."))
        carrier, structure = services.resolve_target(form.target.data, choices)
        with transaction():
            moved = services.map_free_text(
                congress, form.text.data, carrier, structure, actor=current_user
            )
        flash(
            ngettext(
                "%(num)d registration now belongs to %(name)s.",
                "%(num)d registrations now belong to %(name)s.",
                moved,
                name=carrier.name,
            ),
            "success",
        )
        return redirect(url_for(".mapping"), 303)
    labels = [label for _value, label in choices]
    rows = [
        (text, count, services.suggest_target(text, labels))
        for text, count in services.unmapped_organisations(congress)
    ]
    return render_template(
        "organisations/mapping.html", congress=congress, rows=rows, choices=choices
    )


@bp.post("/admin/organisations/merge")
@roles_required(Role.ORGANISER)
def merge():
    form = forms.MergeForm()
    ids = list(db.session.execute(select(CarrierOrganisation.id)).scalars())
    form.source.choices = [(i, str(i)) for i in ids]
    form.target.choices = form.source.choices
    if not form.validate_on_submit():
        raise Invalid(_("Please choose two organisations."))
    source = services.get_carrier(form.source.data)
    target = services.get_carrier(form.target.data)
    with transaction():
        counts = services.merge_carriers(source, target, actor=current_user)
    flash(
        _(
            "Merged into %(name)s: %(registrations)s registrations, %(locals)s local structures, "
            "%(users)s coordinators moved.",
            name=target.name,
            registrations=counts["registrations"],
            locals=counts["local_structures"],
            users=counts["users"],
        ),
        "success",
    )
    return redirect(url_for(".detail", carrier_id=target.id), 303)


# --- coordinator portal ------------------------------------------------------------------------


def _portal_carrier():
    raw = request.args.get("organisation")
    carrier_id = parse_int(raw)
    if (
        current_user.role != Role.COORDINATOR
        and carrier_id is None
        and not current_user.organisation_id
    ):
        return None
    return services.carrier_for(current_user, carrier_id)


def _status_labels() -> dict[str, str]:
    return translated(STATUS_LABELS)


@bp.get("/portal")
@roles_required(Role.COORDINATOR)
def portal():
    congress = current_congress()
    carrier = _portal_carrier()
    if carrier is None:  # an admin without organisation: choose one
        carriers = collation.sort_by(
            db.session.execute(select(CarrierOrganisation)).scalars(), lambda c: c.name
        )
        return render_template("organisations/portal_choose.html", carriers=carriers)
    people = services.portal_people(congress, carrier) if congress else []
    question_headers, answers = _portal_answers(congress, people, for_page=True)
    return render_template(
        "organisations/portal.html",
        congress=congress,
        carrier=carrier,
        people=people,
        question_headers=question_headers,
        answers=answers,
        statuses=_status_labels(),
        organisation_arg=carrier.id if current_user.role != Role.COORDINATOR else None,
        badges_url=(
            url_for("badges.organisation_pdf", organisation=carrier.id)
            if can_visit("badges.organisation_pdf")
            else None
        ),
        checked_in=checkin.checked_in_of_carrier(carrier.id, congress) if congress else 0,
        quota=services.quota_of(congress, carrier.id),
    )


def _portal_answers(congress, people, *, for_page: bool):
    """The answers to the questions marked "visible to coordinators", a column each."""
    if congress is None:
        return [], {}
    return registration_questions.table(
        congress.id,
        [p.registration.id for p in people],
        audience=registration_questions.COORDINATOR,
        for_page=for_page,
    )


@bp.get("/portal/export.<fmt>")
@roles_required(Role.COORDINATOR)
def portal_export(fmt: str):
    congress = current_congress()
    carrier = _portal_carrier()
    if carrier is None or congress is None:
        abort(404)
    statuses = _status_labels()
    people = services.portal_people(congress, carrier)
    question_headers, answers = _portal_answers(congress, people, for_page=False)
    header = [
        _("Last name"),
        _("First name"),
        _("Local structure"),
        _("Status"),
        _("Days"),
        _("Workshops"),
        _("Checked in"),
        *question_headers,
    ]
    rows = [
        [
            p.registration.last_name,
            p.registration.first_name,
            p.registration.local_structure.name if p.registration.local_structure else "",
            statuses.get(p.registration.status, p.registration.status),
            day_list(p.days),
            ", ".join(p.workshops),
            p.checked_in,
            *answers[p.registration.id],
        ]
        for p in people
    ]
    return table_response(_fmt(fmt), f"teilnehmende-{carrier.id}", header, rows)
