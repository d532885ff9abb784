"""The agenda builder in real Chromium: drag and drop saves at once; a refused move snaps back."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest

from conference.agenda.models import AgendaSession
from tests import factories
from tests.browser_fixtures import log_in


def _drag(page, source, target_x: float, target_y: float) -> None:
    box = source.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 8)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + 18, steps=3)
    page.mouse.move(target_x, target_y, steps=8)
    page.mouse.up()


def _stored(db, session_id: int, tz: str):
    """Room and local start as stored, read in a short transaction of its own."""
    try:
        row = db.session.get(AgendaSession, session_id, populate_existing=True)
        return row.room_id, row.starts_at.astimezone(ZoneInfo(tz)).time()
    finally:
        db.session.rollback()


def _cell(page, room_id: int, clock: str):
    return page.locator(f'[data-cell][data-room-id="{room_id}"][data-time="{clock}"]')


@pytest.mark.browser
@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_drag_and_drop_saves_snaps_back_and_creates(db, page):
    congress = factories.congress()
    hall = factories.room(congress, name="Großer Saal", capacity=200)
    side = factories.room(congress, name="Raum Kiel", capacity=40)
    forum = factories.session(
        congress, title="Forum Patenschaften", room_=hall, start=time(10), end=time(11)
    )
    factories.session(congress, title="Belegt", room_=side, start=time(14), end=time(15))
    organiser = factories.user(role="organiser")
    # Plain values: touching expired rows later would open a write transaction (BEGIN
    # IMMEDIATE on SQLite) in this thread and lock out the live server.
    forum_id, side_id, email, day = forum.id, side.id, organiser.email, congress.starts_on
    tz = congress.timezone
    db.session.commit()
    page.set_viewport_size({"width": 1400, "height": 2000})  # the whole day's grid in view
    log_in(page, email, factories.PASSWORD)
    page.goto(f"/admin/agenda?day={day.isoformat()}")
    page.wait_for_selector("[data-agenda-grid][data-enhanced]")
    block = page.locator(f'[data-session-id="{forum_id}"]')
    target = _cell(page, side_id, "12:00").bounding_box()

    with page.expect_response(lambda r: r.url.endswith(f"/sessions/{forum_id}/place")) as first:
        _drag(page, block, target["x"] + target["width"] / 2, target["y"] + 8)

    assert first.value.status == 200
    # A locator, not wait_for_function: the page's CSP forbids the eval that polling a string needs.
    page.locator("[data-builder-status]").filter(has_text="12:00").wait_for()
    assert _stored(db, forum_id, tz) == (side_id, time(12))
    moved_box = block.bounding_box()
    assert abs(moved_box["y"] - target["y"]) < 6

    occupied = _cell(page, side_id, "14:30").bounding_box()
    with page.expect_response(lambda r: r.url.endswith(f"/sessions/{forum_id}/place")) as second:
        _drag(page, block, occupied["x"] + occupied["width"] / 2, occupied["y"] + 8)

    assert second.value.status == 409
    status = page.locator("[data-builder-status]")
    status.filter(has_text="Belegt").wait_for()
    assert "is-error" in status.get_attribute("class")
    assert block.get_attribute("data-refused") == "true"
    snapped = block.bounding_box()
    assert abs(snapped["y"] - moved_box["y"]) < 2 and abs(snapped["x"] - moved_box["x"]) < 2
    assert _stored(db, forum_id, tz) == (side_id, time(12))

    first_cell = _cell(page, side_id, "16:00").bounding_box()
    last_cell = _cell(page, side_id, "16:45").bounding_box()
    page.mouse.move(first_cell["x"] + 20, first_cell["y"] + 5)
    page.mouse.down()
    page.mouse.move(last_cell["x"] + 20, last_cell["y"] + 5, steps=6)
    page.mouse.up()
    page.wait_for_url("**/admin/agenda/sessions/new?*")

    assert page.input_value("#start") == "16:00"
    assert page.input_value("#end") == "17:00"
    assert page.input_value("#room_id") == str(side_id)
