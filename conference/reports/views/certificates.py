"""Certificates of attendance."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from conference.accounts.access import public, roles_required
from conference.accounts.models import Role
from conference.core.pdf import render_pdf
from conference.core.time import utcnow
from conference.organisations import services as organisations
from conference.reports import directory, services
from conference.reports.views import _congress_arg, bp
from conference.reports.views.dashboard import _pdf

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
        flash(
            _("Nobody of this organisation has checked in, so there is nothing to certify."),
            "error",
        )
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
