"""Privacy (retention, export, erasure), the audit log and the anonymise command."""

from __future__ import annotations

import json
from datetime import timedelta

import click
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from conference.accounts.access import roles_required
from conference.accounts.models import Role
from conference.core import audit
from conference.core.congress import current_congress_or_404
from conference.core.database import parse_int, transaction
from conference.core.errors import Invalid
from conference.core.exports import table_response
from conference.core.time import utcnow
from conference.extensions import db
from conference.registration.models import Registration
from conference.reports import forms, privacy
from conference.reports.views import bp

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
