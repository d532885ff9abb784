"""Badges: the organisers' print page, the desk (one badge, reissue), coordinators' download,
the attendee's ticket."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from conference.accounts.access import current_actor, public, roles_required
from conference.accounts.models import Role
from conference.badges import services
from conference.badges.forms import PrintForm
from conference.core import collation
from conference.core.congress import current_congress_or_404
from conference.core.database import transaction
from conference.core.errors import Invalid
from conference.core.models import CarrierOrganisation
from conference.core.time import utcnow
from conference.extensions import db
from conference.registration.models import Registration, Status

bp = Blueprint("badges", __name__)

DESK_RESULTS = 25


def _pdf_response(data: bytes, filename: str, *, inline: bool = True):
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _print_form(congress) -> PrintForm:
    form = PrintForm()
    carriers = collation.sort_by(
        db.session.execute(select(CarrierOrganisation)).scalars(), lambda c: c.name
    )
    form.fill_choices(
        carriers, [(d.day, format_date(d.day, "EEEE, d. MMMM y")) for d in congress.days]
    )
    return form


@bp.route("/admin/badges", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def admin():
    congress = current_congress_or_404()
    form = _print_form(congress)
    status = 200
    count = None
    if request.method == "POST":
        if form.validate():
            filters = form.filters()
            if request.form.get("action") == "download":
                try:
                    registrations = services.select_for_print(congress, **filters)
                except services.EmptySelection as error:
                    flash(error.message, "error")
                    count, status = 0, 400
                else:
                    data = services.render_badges(
                        registrations,
                        form.layout.data,
                        back_side=bool(form.back_side.data),
                        congress=congress,
                    )
                    if form.mark_printed.data:
                        with transaction():
                            services.mark_printed(
                                registrations, now=utcnow(), actor=current_actor()
                            )
                    return _pdf_response(
                        data, f"badges-{form.layout.data}-{len(registrations)}.pdf", inline=False
                    )
            else:
                count = services.count_for_print(congress, **filters)
        else:
            status = 400
    if count is None and status == 200:
        count = services.count_for_print(congress, **form.filters())
    totals = {
        "all": services.count_for_print(congress),
        "not_printed": services.count_for_print(congress, not_printed=True),
    }
    return (
        render_template(
            "badges/admin.html", congress=congress, form=form, count=count, totals=totals
        ),
        status,
    )


@bp.get("/admin/badges/desk")
@roles_required(Role.ORGANISER, Role.CHECKIN)
def desk():
    """Find a person at the desk: print a walk-in's badge or replace a lost one."""
    congress = current_congress_or_404()
    query = request.args.get("q", "").strip()[:100]
    people = []
    if query:
        pattern = f"%{query}%"
        people = list(
            db.session.execute(
                select(Registration)
                .options(joinedload(Registration.carrier))
                .where(
                    Registration.congress_id == congress.id,
                    Registration.anonymised_at.is_(None),
                    or_(
                        (Registration.first_name + " " + Registration.last_name).ilike(pattern),
                        Registration.email.ilike(pattern),
                    ),
                )
                .order_by(Registration.name_key, Registration.id)
                .limit(DESK_RESULTS)
            ).scalars()
        )
    return render_template(
        "badges/desk.html",
        congress=congress,
        query=query,
        people=people,
        statuses=Status,
        limit=DESK_RESULTS,
    )


@bp.route("/admin/badges/<int:registration_id>.pdf", methods=["GET", "POST"])
@roles_required(Role.ORGANISER, Role.CHECKIN)
def single(registration_id: int):
    """One badge (A6). POST records it as printed (the desk's print button); GET only shows it."""
    congress = current_congress_or_404()
    registration = services.registration_for_badge(registration_id, congress)
    data = services.render_badges([registration], "a6", congress=congress)
    if request.method == "POST":
        with transaction():
            services.mark_printed([registration], now=utcnow(), actor=current_actor())
    return _pdf_response(data, f"badge-{registration.id}.pdf")


@bp.post("/admin/badges/<int:registration_id>/reissue")
@roles_required(Role.ORGANISER, Role.CHECKIN)
def reissue(registration_id: int):
    congress = current_congress_or_404()
    registration = services.registration_for_badge(registration_id, congress)
    with transaction():
        services.reissue(registration, now=utcnow(), actor=current_actor())
    flash(
        _(
            "A new badge for %(name)s is ready to print; the old badge no longer opens the doors.",
            name=registration.full_name,
        ),
        "success",
    )
    return redirect(url_for(".desk", q=request.form.get("q") or registration.full_name))


@bp.get("/organisation/badges.pdf")
@roles_required(Role.COORDINATOR)
def organisation_pdf():
    """A coordinator's badges of their own carrier organisation (not recorded as printed)."""
    congress = current_congress_or_404()
    layout = request.args.get("layout", "a4")
    if layout not in services.LAYOUTS:
        raise Invalid(_("Unknown layout; choose A6 or A4."), code="invalid_layout")
    registrations = services.select_for_print(
        congress, organisation_id=current_user.organisation_id, actor=current_user
    )
    data = services.render_badges(registrations, layout, congress=congress)
    return _pdf_response(data, f"badges-{layout}.pdf", inline=False)


@bp.get("/r/<token>/ticket.pdf")
@public
def ticket(token: str):
    registration = services.registration_by_manage_token(token)
    data = services.ticket_pdf(registration)
    response = _pdf_response(data, "ticket.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


def ticket_section(registration) -> Markup | None:
    """The manage page offers the ticket once the registration is confirmed."""
    if registration.status != Status.CONFIRMED:
        return None
    return Markup(
        render_template(
            "badges/_manage_section.html",
            ticket_url=url_for("badges.ticket", token=registration.manage_token),
        )
    )
