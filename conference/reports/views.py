from __future__ import annotations

import json
from datetime import timedelta

import click
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from conference.accounts.access import api_roles, public, roles_required
from conference.accounts.models import Role
from conference.core import audit
from conference.core.congress import congress_or_staff, current_congress_or_404
from conference.core.database import parse_int, transaction
from conference.core.errors import DomainError, Invalid
from conference.core.exports import table_response
from conference.core.models import Congress
from conference.core.pdf import render_pdf
from conference.core.time import utcnow
from conference.extensions import db
from conference.organisations import services as organisations
from conference.registration.models import Registration
from conference.reports import directory, forms, privacy, services
from conference.surveys import views as surveys

bp = Blueprint("reports", __name__, cli_group=None)


def _congress_arg():
    """``?congress=<id>``, else the edition the staff member works on (``staff_congress``)."""
    raw = request.args.get("congress")
    if raw is None:
        return congress_or_staff(None)
    number = parse_int(raw)
    if number is None:
        raise Invalid(_("The congress must be given by its number."), code="invalid_congress")
    return congress_or_staff(number)


@bp.get("/api/v1/stats")
@api_roles(Role.ORGANISER)
def api_stats():
    return jsonify(services.congress_stats(_congress_arg()))


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- dashboard, exports, funder report ---------------------------------------------------------


@bp.app_template_filter("cell")
def _cell(value):
    """A figure's cell as the locale writes it: dates, numbers, "–" for nothing."""
    from datetime import date

    from flask_babel import format_date, format_decimal

    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, date):
        return format_date(value, "medium")
    if isinstance(value, int | float):
        return format_decimal(value)
    return value


@bp.get("/admin/dashboard")
@roles_required(Role.ORGANISER)
def dashboard():
    congress = _congress_arg()
    editions = db.session.execute(
        select(Congress.id, Congress.title).order_by(Congress.starts_on.desc())
    ).all()
    return render_template(
        "reports/dashboard.html",
        congress=congress,
        editions=editions,
        congress_arg=congress.id if "congress" in request.args else None,
        key=services.key_figures(congress),
        figures=services.dashboard_figures(congress),
    )


@bp.get("/admin/dashboard/<key>.<fmt>")
@roles_required(Role.ORGANISER)
def export(key: str, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    congress = _congress_arg()
    if key == "needs_list":
        header, rows = services.needs_list(congress)
    else:
        figure = next((f for f in services.dashboard_figures(congress) if f.key == key), None)
        if figure is None:
            abort(404)
        header, rows = figure.header, figure.rows
    return table_response(fmt, f"{congress.slug}-{key}", header, rows, tz=congress.timezone)


@bp.get("/admin/dashboard/report.pdf")
@roles_required(Role.ORGANISER)
def funder_report():
    congress = _congress_arg()
    key = services.key_figures(congress)
    figures = services.dashboard_figures(congress)
    pdf = render_pdf(
        "reports/funder_report.html",
        congress=congress,
        key=key,
        figures={f.key: f for f in figures},
        facts=services.report_facts(congress, key, figures),
        programme=current_app.config["PROGRAMME_NAME"],
        funder=current_app.config["FUNDER_NAME"],
        top=services.CHART_ROWS,
        sections=[section for section in (surveys.funder_section(congress),) if section],
        generated_at=utcnow(),
    )
    return _pdf(pdf, f"bericht-{congress.slug}.pdf")


# --- certificates of attendance ----------------------------------------------------------------


@bp.get("/r/<token>/certificate.pdf")
@public
def certificate(token: str):
    registration = directory.attendee_by_token(token)
    attendance = services.certificate_for(registration, utcnow())
    pdf = render_pdf(
        "reports/certificate.html", congress=registration.congress, attendances=[attendance]
    )
    return _pdf(pdf, "teilnahmebescheinigung.pdf")


@bp.get("/admin/certificates/organisation/<int:carrier_id>.pdf")
@roles_required(Role.ORGANISER, Role.COORDINATOR)
def organisation_certificates(carrier_id: int):
    carrier = organisations.carrier_for(current_user, carrier_id)
    congress = _congress_arg()  # ?congress=<id>: a past edition's certificates
    found = services.organisation_attendances(congress, carrier.id)
    if not found:
        # Back to the page with the link (it says so beside it), not to an error page.
        flash(_("Nobody of this organisation has checked in, so there is nothing to certify."), "error")
        if current_user.has_role(Role.COORDINATOR) and not current_user.has_role(Role.ORGANISER):
            return redirect(url_for("organisations.portal"), 303)
        return redirect(url_for("organisations.detail", carrier_id=carrier.id), 303)
    pdf = render_pdf("reports/certificate.html", congress=congress, attendances=found)
    return _pdf(pdf, f"teilnahmebescheinigungen-{carrier.id}.pdf")


def certificate_section(registration) -> Markup | None:
    """The manage page's download link, once the congress is over and the person came."""
    now = utcnow()
    if registration.anonymised_at is not None or not services.congress_over(
        registration.congress, now
    ):
        return None
    if not services.attendances([registration]):
        return None
    return Markup(render_template("reports/_manage_certificate.html", registration=registration))


def directory_section(registration) -> Markup | None:
    """The manage page's directory entry (confirmed people only)."""
    if registration.status != "confirmed" or registration.anonymised_at is not None:
        return None
    return Markup(
        render_template(
            "reports/_manage_directory.html",
            registration=registration,
            profile=directory.profile_of(registration),
            form=forms.DirectoryProfileForm(formdata=None),
        )
    )



# --- networking directory ----------------------------------------------------------------------


@bp.get("/r/<token>/directory", endpoint="directory")
@public
def directory_page(token: str):
    registration = directory.attendee_by_token(token)
    directory.require_confirmed(registration)
    search = forms.DirectorySearchForm(request.args)
    carriers = directory.directory_carriers(registration)
    search.organisation.choices = [("", _("All"))] + [(str(i), n) for i, n in carriers]
    raw = search.organisation.data or ""
    entries = directory.search(
        registration,
        carrier_id=parse_int(raw),
        region=search.region.data or "",
        topic=search.topic.data or "",
    )
    profile = directory.profile_of(registration)
    form = forms.DirectoryProfileForm(formdata=None, obj=profile)
    return render_template(
        "reports/directory.html",
        registration=registration,
        congress=registration.congress,
        profile=profile,
        form=form,
        search=search,
        entries=entries,
        limit=directory.CONTACT_LIMIT_PER_DAY,
    )


@bp.post("/r/<token>/directory/opt-in")
@public
def directory_opt_in(token: str):
    registration = directory.attendee_by_token(token)
    form = forms.DirectoryProfileForm()
    if not form.validate_on_submit():
        raise Invalid(_("Please check region and topics (at most 100 and 500 characters)."))
    with transaction():
        directory.opt_in(registration, form.region.data or "", form.topics.data or "", now=utcnow())
    flash(_("You are listed in the attendee directory."), "success")
    return redirect(url_for(".directory", token=token), 303)


@bp.post("/r/<token>/directory/opt-out")
@public
def directory_opt_out(token: str):
    registration = directory.attendee_by_token(token)
    form = forms.DirectoryProfileForm()
    if not form.validate_on_submit():
        abort(400)
    with transaction():
        directory.opt_out(registration)
    flash(_("Your entry was removed from the attendee directory."), "success")
    if _has_manage():
        return redirect(url_for("registration.manage", token=token), 303)
    return redirect(url_for(".directory", token=token), 303)


def _has_manage() -> bool:
    from flask import current_app

    return "registration.manage" in current_app.view_functions


@bp.route("/r/<token>/directory/<int:profile_id>/contact", methods=["GET", "POST"])
@public
def directory_contact(token: str, profile_id: int):
    registration = directory.attendee_by_token(token)
    directory.require_confirmed(registration)
    entry = next((e for e in directory.search(registration) if e.profile_id == profile_id), None)
    if entry is None:
        abort(404)
    form = forms.ContactForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with transaction():
                    directory.send_contact_request(
                        registration,
                        profile_id,
                        form.message.data,
                        share_email=form.share_email.data,
                        now=utcnow(),
                    )
            except DomainError as error:
                form.message.errors.append(error.message)
                status = error.status
            else:
                flash(_("Your message was sent to %(name)s.", name=entry.name), "success")
                return redirect(url_for(".directory", token=token), 303)
        else:
            status = 400
    return render_template(
        "reports/contact.html",
        registration=registration,
        congress=registration.congress,
        entry=entry,
        form=form,
        listed=directory.profile_of(registration) is not None,
    ), status


# --- privacy and audit -------------------------------------------------------------------------


@bp.get("/admin/privacy")
@roles_required(Role.ORGANISER)
def privacy_home():
    congress = current_congress_or_404()
    search = forms.PersonSearchForm(request.args)
    people = []
    q = (search.q.data or "").strip().lower()
    if q:
        pattern = f"%{q.replace('%', '').replace('_', '')}%"
        people = list(
            db.session.execute(
                select(Registration)
                .where(
                    or_(
                        func.lower(Registration.email).like(pattern),
                        func.lower(Registration.first_name + " " + Registration.last_name).like(
                            pattern
                        ),
                    )
                )
                .options(joinedload(Registration.congress))
                .order_by(Registration.name_key, Registration.id)
                .limit(50)
            ).scalars()
        )
    retention = forms.RetentionForm(retention_months=congress.retention_months)
    return render_template(
        "reports/privacy.html",
        congress=congress,
        search=search,
        people=people,
        retention=retention,
        erase_form=forms.EraseForm(formdata=None),
        due=privacy.congresses_due(None, utcnow().date()),
    )


@bp.post("/admin/privacy/retention")
@roles_required(Role.ORGANISER)
def privacy_retention():
    congress = current_congress_or_404()
    form = forms.RetentionForm()
    if not form.validate_on_submit():
        raise Invalid(_("Please give a number of months between 1 and 240."))
    with transaction():
        privacy.set_retention(congress, form.retention_months.data, actor=current_user)
    flash(_("The retention period was saved."), "success")
    return redirect(url_for(".privacy_home"), 303)


@bp.get("/admin/privacy/registrations/<int:registration_id>/export.json")
@roles_required(Role.ORGANISER)
def privacy_export(registration_id: int):
    registration = db.session.execute(
        select(Registration)
        .where(Registration.id == registration_id)
        .options(
            selectinload(Registration.days),
            joinedload(Registration.carrier),
            joinedload(Registration.local_structure),
            joinedload(Registration.congress),
        )
    ).scalar_one_or_none()
    if registration is None:
        abort(404)
    with transaction():
        audit.record("registration.exported", registration, actor=current_user)
        data = privacy.export_registration(registration)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="registration-{registration_id}.json"'
        },
    )


@bp.route("/admin/privacy/registrations/<int:registration_id>/erase", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def privacy_erase(registration_id: int):
    """Erasure asks once, on its own page: what goes, what stays, a tick box. Without the tick
    the page comes back with the reason beside the box (nothing is erased)."""
    registration = db.get_or_404(Registration, registration_id)
    if registration.anonymised_at is not None:
        flash(_("The personal data of this registration were erased already."), "error")
        return redirect(url_for(".privacy_home"), 303)
    form = forms.EraseForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            name = registration.full_name
            with transaction():
                privacy.erase_registration(registration, actor=current_user, now=utcnow())
            flash(
                _(
                    "The personal data of %(name)s were erased; the statistics stay.",
                    name=name,
                ),
                "success",
            )
            return redirect(url_for(".privacy_home"), 303)
        form.confirm.errors = [_("Please tick the box to confirm the erasure.")]
        status = 400
    return render_template(
        "reports/privacy_erase.html", registration=registration, form=form
    ), status


def _audit_filters() -> tuple[forms.AuditFilterForm, dict]:
    form = forms.AuditFilterForm(request.args)
    form.action.choices = [("", _("All"))] + [
        (key, str(text)) for key, (text, _prefixes) in privacy.AUDIT_AREAS.items()
    ]
    form.object_type.choices = [("", _("All"))] + audit.object_types()
    form.validate()
    return form, {
        "action": (form.action.data or "").strip(),
        "object_type": (form.object_type.data or "").strip(),
        "actor": (form.actor.data or "").strip(),
        "since": form.since.data if not form.since.errors else None,
        "until": form.until.data if not form.until.errors else None,
    }


@bp.get("/admin/audit.<fmt>")
@roles_required(Role.ORGANISER)
def audit_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    _form, filters = _audit_filters()
    entries, _total = privacy.audit_page(**filters, page=1, per_page=AUDIT_EXPORT_LIMIT)
    types = dict(audit.object_types())
    header = [_("When"), _("Who"), _("What happened"), _("Object type"), _("Number")]
    rows = [
        [
            said.at,
            said.who,
            said.text,
            types.get(said.entry.object_type, ""),
            said.entry.object_id,
        ]
        for said in audit.describe(entries)
    ]
    return table_response(fmt, "audit-log", header, rows)


AUDIT_EXPORT_LIMIT = 50000


@bp.get("/admin/audit")
@roles_required(Role.ORGANISER)
def audit_log():
    form, filters = _audit_filters()
    page = parse_int(request.args.get("page", "1"))
    page = page if page and page < 100000 else 1
    entries, total = privacy.audit_page(**filters, page=page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "reports/audit.html",
        form=form,
        entries=audit.describe(entries),
        total=total,
        page=page,
        pages=max(1, (total + 49) // 50),
        args=args,
    )


# --- command line ------------------------------------------------------------------------------


@bp.cli.command("anonymise")
@click.option(
    "--months",
    type=click.IntRange(min=0),
    default=None,
    help="Anonymise congresses that ended more than N months ago (default: each congress's "
    "retention setting).",
)
@click.option("--dry-run", is_flag=True, help="Only show what would be anonymised.")
@transaction()
def anonymise_command(months: int | None, dry_run: bool):
    """Anonymise personal data of past congresses, keeping their statistics; purge stored scan
    answers older than SCAN_ANSWERS_KEPT_DAYS. Run it daily."""
    now = utcnow()
    kept = timedelta(days=current_app.config["SCAN_ANSWERS_KEPT_DAYS"])
    scans = privacy.purge_scan_answers(now, kept=kept, dry_run=dry_run)
    if scans:
        verb = "Would delete" if dry_run else "Deleted"
        click.echo(f"{verb} {scans} stored scan answers older than {kept.days} days.")
    due = privacy.congresses_due(months, now.date())
    if not due:
        click.echo("Nothing to anonymise.")
        return
    for congress, count in due:
        if dry_run:
            click.echo(
                f"Would anonymise {count} registrations of {congress.title} ({congress.slug})."
            )
        else:
            done = privacy.anonymise_congress(congress, now=now, actor="cli")
            click.echo(f"Anonymised {done} registrations of {congress.title} ({congress.slug}).")
