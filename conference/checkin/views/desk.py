"""Printed lists and walk-ins."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from conference.accounts.access import current_actor, roles_required
from conference.accounts.models import Role
from conference.checkin import presentation, services
from conference.checkin.forms import WalkInForm
from conference.checkin.views import _device, _title, bp
from conference.core import collation
from conference.core.congress import current_congress_or_404
from conference.core.database import transaction
from conference.core.errors import DomainError
from conference.core.models import CarrierOrganisation
from conference.core.pdf import render_pdf
from conference.core.time import utcnow
from conference.extensions import db
from conference.registration.labels import STATUS_LABELS, translated


def _status_labels() -> dict[str, str]:
    return translated(STATUS_LABELS)


# --- printed lists ---------------------------------------------------------------------------


@bp.get("/checkin/lists")
@roles_required(Role.CHECKIN, Role.ORGANISER)
def lists():
    """The paper lists per day and checkpoint, printed before the doors open."""
    congress = current_congress_or_404()
    by_day: dict[date, list] = {}
    for checkpoint in services.checkpoints(congress):
        by_day.setdefault(checkpoint.day, []).append(checkpoint)
    return render_template("checkin/lists.html", congress=congress, by_day=sorted(by_day.items()))


@bp.get("/checkin/lists/<code>.pdf")
@roles_required(Role.CHECKIN, Role.ORGANISER)
def list_pdf(code: str):
    congress = current_congress_or_404()
    checkpoint = services.find_checkpoint(congress, code[:40], utcnow())
    rows = [
        replace(row, role=presentation.role_label(row.role))
        for row in services.door_list(checkpoint)
    ]
    now = utcnow()
    pdf = render_pdf(
        "checkin/list_pdf.html",
        congress=congress,
        checkpoint=checkpoint,
        rows=rows,
        printed_at=now,
        arrived=sum(1 for row in rows if row.checked_in_at is not None),
        tz=congress.timezone,
    )
    filename = f"einlassliste-{checkpoint.code}-{checkpoint.day.isoformat()}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


# --- walk-ins --------------------------------------------------------------------------------


@bp.route("/checkin/walk-in", methods=["GET", "POST"])
@roles_required(Role.CHECKIN, Role.ORGANISER)
def walk_in():
    congress = current_congress_or_404()
    now = utcnow()
    form = WalkInForm()
    carriers = collation.sort_by(
        db.session.execute(
            select(CarrierOrganisation.id, CarrierOrganisation.name).where(
                CarrierOrganisation.active.is_(True)
            )
        ).all(),
        lambda row: row.name,
    )
    form.carrier_id.choices = [(0, _("— none / other organisation —"))] + [
        (row.id, row.name) for row in carriers
    ]
    status = 200
    if form.validate_on_submit():
        day = services.today_in(congress, now)
        try:
            with transaction():
                registration = services.register_walk_in(
                    congress,
                    first_name=form.first_name.data,
                    last_name=form.last_name.data,
                    email=form.email.data,
                    carrier_id=form.carrier_id.data or None,
                    organisation_other=form.organisation_other.data or "",
                    programme_role=form.programme_role.data,
                    badge_role=form.badge_role.data,
                    day=day,
                    actor=current_actor(),
                    now=now,
                )
                checkpoint = services.find_checkpoint(congress, None, now)
                outcome = services.record_scan(
                    congress, registration.badge_token, checkpoint, now=now, device=_device()
                )
        except DomainError as error:
            if error.code == "already_registered":
                form.email.errors.append(error.message)
            else:
                flash(error.message, "error")
            status = error.status
        else:
            flash(
                _(
                    "%(name)s is registered and checked in (%(result)s).",
                    name=registration.full_name,
                    result=_title(outcome.result),
                ),
                "success",
            )
            return redirect(url_for(".walk_in_done", registration_id=registration.id))
    elif request.method == "POST":
        status = 400
    return render_template("checkin/walk_in.html", congress=congress, form=form), status


@bp.get("/checkin/walk-in/<int:registration_id>")
@roles_required(Role.CHECKIN, Role.ORGANISER)
def walk_in_done(registration_id: int):
    from conference.registration.models import Registration

    congress = current_congress_or_404()
    registration = db.get_or_404(Registration, registration_id)
    if registration.congress_id != congress.id or registration.source != "walk_in":
        return render_template("errors/error.html", status=404, message=_("Not found.")), 404
    return render_template(
        "checkin/walk_in_done.html", congress=congress, registration=registration
    )
