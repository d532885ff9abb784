"""The organisers' phase pages, allocation, moves, room lists and the allocate command."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_percent, ngettext
from flask_babel import gettext as _

from conference.accounts.access import current_actor, public, roles_required
from conference.accounts.models import Role
from conference.core.congress import current_congress_or_404
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError, Invalid, NotFound
from conference.core.exports import csv_response
from conference.core.pdf import render_pdf
from conference.core.time import utcnow
from conference.extensions import db
from conference.workshops import services
from conference.workshops.forms import AddPersonForm, NewPhaseForm, PhaseForm
from conference.workshops.models import WorkshopPhase
from conference.workshops.views import _int_field, _reason_labels, bp


@bp.get("/workshops/phases/<int:phase_id>/seats.json")
@public
def phase_seats(phase_id: int):
    """Free seats of a phase's workshops, for the page script that keeps them current."""
    phase = db.session.get(WorkshopPhase, phase_id)
    if phase is None:
        raise NotFound(_("Unknown workshop phase."), code="unknown_phase")
    infos = services.workshops_of([phase.id], include_cancelled=False)[phase.id]
    return jsonify(
        seats={
            str(info.session.id): {"free": info.free, "text": seats_text(info)} for info in infos
        }
    )


def seats_text(info) -> str:
    return "{} ({})".format(
        ngettext("%(num)d seat free", "%(num)d seats free", info.free),
        _("of %(capacity)d", capacity=info.capacity),
    )


# --- organisers ------------------------------------------------------------------------------


def _local_naive(value: datetime | None, tz: str) -> datetime | None:
    return value.astimezone(ZoneInfo(tz)).replace(tzinfo=None) if value else None


def _aware(value: datetime | None, tz: str) -> datetime | None:
    return value.replace(tzinfo=ZoneInfo(tz)) if value else None


@bp.route("/admin/workshops", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def admin_phases():
    congress = current_congress_or_404()
    form = NewPhaseForm()
    form.day.choices = [(d.day.isoformat(), d.label or d.day.isoformat()) for d in congress.days]
    if request.method == "GET":
        form.mode.data = "first_come"
    if form.validate_on_submit():
        with transaction():
            phase = services.create_phase(
                congress,
                actor=current_actor(),
                name=form.name.data.strip(),
                day=date.fromisoformat(form.day.data),
                mode=form.mode.data,
                min_ranks=form.min_ranks.data,
                preferences_close_at=_aware(form.preferences_close_at.data, congress.timezone),
            )
        flash(_("The workshop phase has been created."), "success")
        return redirect(url_for(".admin_phase", phase_id=phase.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "workshops/admin_phases.html",
        congress=congress,
        summaries=services.phase_summaries(congress),
        form=form,
    ), status


@bp.route("/admin/workshops/phases/<int:phase_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def admin_phase(phase_id: int):
    congress = current_congress_or_404()
    phase = services.phase_or_404(congress, phase_id)
    form = PhaseForm(obj=phase if request.method == "GET" else None)
    if request.method == "GET":
        form.preferences_close_at.data = _local_naive(phase.preferences_close_at, congress.timezone)
    error = None
    if form.validate_on_submit():
        try:
            with transaction():
                services.update_phase(
                    phase,
                    actor=current_actor(),
                    name=form.name.data.strip(),
                    mode=form.mode.data,
                    min_ranks=form.min_ranks.data,
                    preferences_close_at=_aware(form.preferences_close_at.data, congress.timezone),
                )
        except DomainError as failure:
            phase = services.phase_or_404(congress, phase_id)
            error = failure.message
        else:
            flash(_("The settings have been saved."), "success")
            return redirect(url_for(".admin_phase", phase_id=phase.id))
    status = 400 if request.method == "POST" else 200
    if error:
        status = 409
    return render_template(
        "workshops/admin_phase.html",
        congress=congress,
        phase=phase,
        form=form,
        error=error,
        workshops=services.workshops_of([phase.id])[phase.id],
        summary=next(s for s in services.phase_summaries(congress) if s["phase"].id == phase.id),
    ), status


def _seed_arg(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    seed = parse_int(raw)
    if seed is None:
        raise Invalid(_("The seed must be a whole number."), code="invalid_seed")
    return seed


@bp.get("/admin/workshops/phases/<int:phase_id>/allocation")
@roles_required(Role.ORGANISER)
def allocation_preview(phase_id: int):
    congress = current_congress_or_404()
    phase = services.phase_or_404(congress, phase_id)
    seed = _seed_arg(request.args.get("seed"))
    if seed is None:
        seed = services.new_seed()
    fill = request.args.get("fill") == "1"
    preview = services.preview_allocation(phase, seed=seed, fill_remaining=fill)
    return _preview_page(congress, phase, preview)


def _preview_page(congress, phase, preview, *, refusal: str | None = None, status: int = 200):
    return render_template(
        "workshops/admin_preview.html",
        congress=congress,
        phase=phase,
        preview=preview,
        shares=[(rank, count, format_percent(share)) for rank, count, share in preview.rank_shares],
        early=services.before_deadline(phase, utcnow()),
        refusal=refusal,
        reasons=_reason_labels(),
    ), status


@bp.post("/admin/workshops/phases/<int:phase_id>/allocation")
@roles_required(Role.ORGANISER)
def allocation_commit(phase_id: int):
    congress = current_congress_or_404()
    phase = services.phase_or_404(congress, phase_id)
    seed = _seed_arg(request.form.get("seed"))
    if seed is None:
        raise Invalid(_("The seed must be a whole number."), code="invalid_seed")
    fill = request.form.get("fill") == "1"
    if services.before_deadline(phase, utcnow()) and request.form.get("early") != "1":
        # Saving closes the wish list: ask once, on the preview, before anyone loses the chance.
        preview = services.preview_allocation(phase, seed=seed, fill_remaining=fill)
        return _preview_page(
            congress,
            phase,
            preview,
            refusal=_("Please confirm that you want to save before the deadline."),
            status=409,
        )
    with transaction():
        preview = services.commit_allocation(
            phase,
            seed=seed,
            fill_remaining=fill,
            fingerprint=request.form.get("fingerprint") or None,
            actor=current_actor(),
            now=utcnow(),
        )
    flash(
        _(
            "The allocation has been saved and %(count)d people have been informed by e-mail.",
            count=len(preview.people),
        ),
        "success",
    )
    return redirect(url_for(".admin_phase", phase_id=phase.id))


@bp.post("/admin/workshops/phases/<int:phase_id>/place-remaining")
@roles_required(Role.ORGANISER)
def place_remaining(phase_id: int):
    congress = current_congress_or_404()
    phase = services.phase_or_404(congress, phase_id)
    with transaction():
        placed, left = services.place_remaining(phase, actor=current_actor(), now=utcnow())
    flash(
        _("%(placed)d people placed, %(left)d still without a seat.", placed=placed, left=left),
        "success",
    )
    return redirect(url_for(".admin_phase", phase_id=phase.id))


def _admin_workshop(session_id: int):
    congress = current_congress_or_404()
    workshop = services.workshop_or_404(congress, session_id)
    phase = db.session.get(WorkshopPhase, workshop.phase_id)
    return congress, workshop, phase


@bp.get("/admin/workshops/<int:session_id>")
@roles_required(Role.ORGANISER)
def admin_workshop(session_id: int, *, error: str | None = None, status: int = 200):
    congress, workshop, phase = _admin_workshop(session_id)
    infos = services.workshops_of([phase.id])[phase.id]
    info = next(i for i in infos if i.session.id == workshop.id)
    return render_template(
        "workshops/admin_workshop.html",
        congress=congress,
        phase=phase,
        info=info,
        others=[i for i in infos if i.session.id != workshop.id and not i.cancelled],
        seats=services.participants(workshop),
        waiting=services.waiting_list(workshop),
        add_form=AddPersonForm(),
        error=error,
    ), status


def _staff_action(session_id: int, action, success: str):
    try:
        with transaction():
            action()
    except DomainError as failure:
        if failure.status == 404:
            raise
        return admin_workshop(session_id, error=failure.message, status=failure.status)
    flash(success, "success")
    return redirect(url_for(".admin_workshop", session_id=session_id))


@bp.post("/admin/workshops/<int:session_id>/move")
@roles_required(Role.ORGANISER)
def admin_move(session_id: int):
    congress, workshop, phase = _admin_workshop(session_id)

    def act():
        registration = _seated_registration(workshop, _int_field("registration_id"))
        target = services.workshop_or_404(congress, _int_field("target"))
        services.move_seat(registration, target, actor=current_actor(), now=utcnow())

    return _staff_action(session_id, act, _("The person has been moved."))


@bp.post("/admin/workshops/<int:session_id>/remove")
@roles_required(Role.ORGANISER)
def admin_remove(session_id: int):
    congress, workshop, phase = _admin_workshop(session_id)

    def act():
        registration = _seated_registration(workshop, _int_field("registration_id"))
        services.leave_seat(registration, phase, now=utcnow(), actor=current_actor())

    return _staff_action(session_id, act, _("The person has been removed from the workshop."))


@bp.post("/admin/workshops/<int:session_id>/add")
@roles_required(Role.ORGANISER)
def admin_add(session_id: int):
    congress, workshop, phase = _admin_workshop(session_id)

    def act():
        form = AddPersonForm()
        if not form.validate_on_submit():
            raise Invalid(_("Please enter an e-mail address."), code="invalid_email")
        registration = services.registration_by_email(congress, form.email.data)
        services.move_seat(registration, workshop, actor=current_actor(), now=utcnow())

    return _staff_action(session_id, act, _("The person has been given a seat."))


def _seated_registration(workshop, registration_id: int):
    from conference.registration.models import Registration
    from conference.workshops.models import WorkshopSeat

    seat = db.session.execute(
        db.select(WorkshopSeat).where(
            WorkshopSeat.session_id == workshop.id,
            WorkshopSeat.registration_id == registration_id,
        )
    ).scalar_one_or_none()
    if seat is None:
        raise Invalid(_("This person has no seat in this workshop."), code="not_seated")
    return db.session.get(Registration, registration_id)


def _room_list(session_id: int):
    congress, workshop, phase = _admin_workshop(session_id)
    infos = services.workshops_of([phase.id])[phase.id]
    info = next(i for i in infos if i.session.id == workshop.id)
    return congress, info, phase, services.participants(workshop)


def _filename(info) -> str:
    return f"teilnahmeliste-workshop-{info.session.id}"


@bp.get("/admin/workshops/<int:session_id>/room-list.pdf")
@roles_required(Role.ORGANISER)
def room_list_pdf(session_id: int):
    congress, info, phase, seats = _room_list(session_id)
    pdf = render_pdf(
        "workshops/room_list_pdf.html", congress=congress, phase=phase, lists=[(info, seats)]
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{_filename(info)}.pdf"'},
    )


@bp.get("/admin/workshops/phases/<int:phase_id>/room-lists.pdf")
@roles_required(Role.ORGANISER)
def phase_room_lists_pdf(phase_id: int):
    """All room lists of a phase in one PDF, one workshop per page: one print job."""
    congress = current_congress_or_404()
    phase = services.phase_or_404(congress, phase_id)
    infos = services.workshops_of([phase.id], include_cancelled=False)[phase.id]
    seats = services.participants_of([info.session.id for info in infos])
    pdf = render_pdf(
        "workshops/room_list_pdf.html",
        congress=congress,
        phase=phase,
        lists=[(info, seats[info.session.id]) for info in infos],
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="teilnahmelisten-phase-{phase.id}.pdf"'},
    )


@bp.get("/admin/workshops/<int:session_id>/room-list.csv")
@roles_required(Role.ORGANISER)
def room_list_csv(session_id: int):
    congress, info, phase, seats = _room_list(session_id)
    header = [_("No."), _("Last name"), _("First name"), _("Organisation"), _("Signature")]
    rows = [
        [
            number,
            seat.registration.last_name,
            seat.registration.first_name,
            seat.registration.organisation_label,
            "",
        ]
        for number, seat in enumerate(seats, start=1)
    ]
    return csv_response(f"{_filename(info)}.csv", header, rows)


# --- command line: ``flask --app conference workshops allocate PHASE_ID`` ----------------------


@bp.cli.command("allocate")
@click.argument("phase_id", type=int)
@click.option("--seed", type=click.IntRange(1, 2**31 - 1), help="Decides ties; default: random.")
@click.option("--fill/--no-fill", default=False, help="Place the rest into remaining seats.")
@click.option("--commit", is_flag=True, help="Store the result and queue the mails.")
def allocate_command(phase_id: int, seed: int | None, fill: bool, commit: bool):
    """Preview (or with --commit store) the allocation of a ranked phase.

    For large congresses: the commit renders one mail per person, which can take longer than a
    web request may.
    """
    phase = db.session.get(WorkshopPhase, phase_id)
    if phase is None:
        raise click.ClickException(f"unknown phase {phase_id}")
    seed = seed or services.new_seed()
    try:
        with transaction():
            if commit:
                preview = services.commit_allocation(
                    phase,
                    seed=seed,
                    fill_remaining=fill,
                    fingerprint=None,
                    actor="cli",
                    now=utcnow(),
                )
            else:
                preview = services.preview_allocation(phase, seed=seed, fill_remaining=fill)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    counts = ", ".join(f"{rank}: {count}" for rank, count in preview.rank_counts.items())
    click.echo(
        f"seed {seed}; people {len(preview.people)}; by choice {counts or '-'}; "
        f"remaining seats {preview.filled_by_rule}; without {len(preview.result.unplaced())}"
        + ("; stored" if commit else "; nothing stored")
    )
