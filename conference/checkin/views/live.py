"""The live counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from conference.accounts.access import roles_required
from conference.accounts.models import Role
from conference.checkin import services
from conference.checkin.views import bp
from conference.core.congress import current_congress_or_404
from conference.core.database import parse_int
from conference.core.errors import Invalid
from conference.core.time import utcnow

# --- live counts -----------------------------------------------------------------------------


def _live_context():
    congress = current_congress_or_404()
    raw = request.args.get("day") or ""
    try:
        day = date.fromisoformat(raw) if raw else services.today_in(congress, utcnow())
    except ValueError:
        raise Invalid(_("Please give the day as YYYY-MM-DD."), code="bad_day") from None
    counts = services.live_counts(congress, day)
    # Seconds between self-refreshes; a wall display may want it slower, a test faster.
    refresh = parse_int(request.args.get("refresh", ""))
    every = min(max(refresh, 1), 600) if refresh is not None else 15
    return {
        "congress": congress,
        "counts": counts,
        "chart": _chart(counts.curve),
        "now": utcnow(),
        "refresh": every,
    }


def _chart(curve: list[tuple[datetime, int]]) -> dict[str, Any] | None:
    """An SVG arrival chart, laid out here so the template only draws (bars + cumulative line)."""
    if not curve:
        return None
    width, height, left, bottom, top = 640, 220, 40, 30, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(count for _at, count in curve) or 1
    total = sum(count for _at, count in curve) or 1
    step = plot_w / len(curve)
    bars, points, running = [], [], 0
    for index, (at, count) in enumerate(curve):
        x = left + index * step
        bar_h = plot_h * count / peak
        bars.append(
            {
                "x": round(x + 1, 1),
                "y": round(top + plot_h - bar_h, 1),
                "w": round(max(step - 2, 1), 1),
                "h": round(bar_h, 1),
                "label": at.strftime("%H:%M"),
                "count": count,
            }
        )
        running += count
        points.append(f"{round(x + step, 1)},{round(top + plot_h - plot_h * running / total, 1)}")
    ticks = [
        {"x": round(left + index * step, 1), "label": at.strftime("%H:%M")}
        for index, (at, _count) in enumerate(curve)
        if at.minute == 0
    ]
    return {
        "width": width,
        "height": height,
        "baseline": top + plot_h,
        "left": left,
        "top": top,
        "peak": peak,
        "bars": bars,
        "line": " ".join([f"{left},{top + plot_h}", *points]),
        "ticks": ticks,
    }


@bp.get("/checkin/live")
@roles_required(Role.ORGANISER, Role.CHECKIN)
def live():
    return render_template("checkin/live.html", **_live_context())


@bp.get("/checkin/live/panel")
@roles_required(Role.ORGANISER, Role.CHECKIN)
def live_panel():
    """The numbers alone, for the page's self-refresh (static/js/checkin-live.js)."""
    return render_template("checkin/_live_panel.html", **_live_context())
