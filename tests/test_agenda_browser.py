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


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 1920])
def test_every_block_keeps_its_edit_link_clickable_whatever_its_length(db, page, width):
    """The resize handle at a block's lower edge must never lie over its "Edit" link: at 15,
    30 and 60 minutes the element under the centre of the link is the link itself."""
    congress = factories.congress()
    hall = factories.room(congress, name="Großer Saal", capacity=200)
    lengths = {15: time(9, 15), 30: time(11, 30), 60: time(14)}
    starts = {15: time(9), 30: time(11), 60: time(13)}
    ids = {
        minutes: factories.session(
            congress,
            title=f"Eine Sitzung mit einem recht langen Titel über Patenschaften ({minutes} min)",
            room_=hall,
            start=starts[minutes],
            end=lengths[minutes],
        ).id
        for minutes in lengths
    }
    organiser = factories.user(role="organiser")
    email, day = organiser.email, congress.starts_on
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 1000})
    log_in(page, email, factories.PASSWORD)
    page.goto(f"/admin/agenda?day={day.isoformat()}")
    page.wait_for_selector("[data-agenda-grid][data-enhanced]")

    for minutes, session_id in ids.items():
        link = page.locator(f'[data-session-id="{session_id}"] a.block-edit')
        link.scroll_into_view_if_needed()
        hit = link.evaluate(
            """(a) => {
                const box = a.getBoundingClientRect();
                const block = a.closest("[data-block]").getBoundingClientRect();
                const handle = a.closest("[data-block]").querySelector("[data-resize]");
                const grip = handle.getBoundingClientRect();
                const el = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
                return {
                    same: el !== null && el.closest("a") === a,
                    height: box.height,
                    inside: box.top >= block.top && box.bottom <= block.bottom,
                    apart: box.bottom <= grip.top,
                };
            }"""
        )
        assert hit["same"], f"the {minutes}-minute block's edit link is covered"
        assert hit["inside"], f"the {minutes}-minute block clips its edit link"
        assert hit["apart"], f"the {minutes}-minute block's resize handle overlaps its edit link"
        assert hit["height"] > 0

    header = page.locator(".grid-head").first
    assert header.inner_text() == "Uhrzeit"
    assert header.evaluate("(h) => h.scrollWidth <= h.clientWidth")

    page.locator(f'[data-session-id="{ids[15]}"] a.block-edit').click(timeout=3000)
    page.wait_for_url(f"**/admin/agenda/sessions/{ids[15]}")
