"""The dashboard, the exports and the funder report."""

from __future__ import annotations

from flask import Response, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from conference.accounts.access import api_roles, roles_required
from conference.accounts.models import Role
from conference.core import charts
from conference.core.exports import table_response
from conference.core.models import Congress
from conference.core.pdf import render_pdf
from conference.core.time import utcnow
from conference.extensions import db
from conference.reports import services
from conference.reports.views import _congress_arg, bp
from conference.surveys import views as surveys


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


@bp.app_template_filter("chart")
def _chart(chart):
    """A figure's chart drawn as SVG (``core/charts.py``): the services only describe it."""
    return charts.draw(chart)


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
