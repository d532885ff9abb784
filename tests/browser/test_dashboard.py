"""The organisers' dashboard in Chromium: it fits a phone (390 px) without sideways scrolling,
its charts are as wide as their column and readable, it stays a few screens long with a
realistic number of carriers and workshops, and axe finds nothing in German and English."""

from __future__ import annotations

from datetime import date

import pytest

from conference.checkin.models import CheckIn
from tests import factories
from tests.browser_fixtures import describe, log_in


@pytest.fixture
def busy_congress(db):
    """25 carriers with long names, 15 workshops, people over several days, check-ins."""
    congress = factories.congress(title="Fachkongress „Menschen stärken Menschen“ 2027")
    gate = factories.checkpoint(congress, code="day-1", day=congress.starts_on)
    phase = factories.phase(congress, name="Workshops am Vormittag")
    for n in range(15):
        factories.workshop(
            congress, phase, title=f"Workshop {n}: Patenschaften wirksam begleiten", capacity=30
        )
    states = ["Berlin", "Hessen", "Sachsen", "Nordrhein-Westfalen", "Schleswig-Holstein"]
    people = []
    for n in range(25):
        carrier = factories.carrier(
            f"Bundesarbeitsgemeinschaft für Patenschafts- und Mentoringprojekte {n}",
            state=states[n % len(states)],
        )
        for _ in range(n % 4 + 1):
            people.append(factories.registration(congress, carrier_id=carrier.id))
    db.session.flush()
    for person in people[::2]:
        db.session.add(CheckIn(registration_id=person.id, checkpoint_id=gate.id))
    db.session.commit()
    return congress


def _open_dashboard(new_page, staff_user, *, phone: bool, language: str = "de"):
    user = staff_user("organiser", email=f"orga-{language}-{int(phone)}@example.org")
    page = new_page(phone=phone, language=language)
    log_in(page, user.email, language=language)
    page.goto("/admin/dashboard")
    return page


def test_dashboard_fits_a_phone_without_sideways_scrolling(
    new_page, staff_user, busy_congress, shot
):
    page = _open_dashboard(new_page, staff_user, phone=True)
    shot("dashboard-390")

    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    # A table opened on the phone scrolls inside its own box, not the page.
    page.get_by_text("Die Zahlen als Tabelle").first.click()
    opened = page.evaluate("document.documentElement.scrollWidth")
    chart_text = page.evaluate(
        "Math.min(...[...document.querySelectorAll('svg.chart text')]"
        ".map(t => t.getBoundingClientRect().height).filter(h => h > 0))"
    )

    assert (viewport, width, opened) == (390, 390, 390)
    assert chart_text >= 9  # chart labels stay readable on the phone (CSS pixels)
    assert page.console_errors == []


def test_dashboard_charts_fill_their_column_and_the_page_stays_short(
    new_page, staff_user, busy_congress, shot
):
    page = _open_dashboard(new_page, staff_user, phone=False)
    shot("dashboard-desktop")

    widths = page.evaluate(
        "[...document.querySelectorAll('.figure-card')].map(card => {"
        " const style = getComputedStyle(card);"
        " const inner = card.clientWidth - parseFloat(style.paddingLeft)"
        " - parseFloat(style.paddingRight);"
        " return [card.querySelector('svg.chart').getBoundingClientRect().width, inner]; })"
    )
    height = page.evaluate("document.documentElement.scrollHeight")
    viewport = page.evaluate("window.innerHeight")
    notes = page.locator(".figure-card .hint").all_inner_texts()

    assert len(widths) == 10
    assert all(chart >= inner - 1 for chart, inner in widths), widths
    assert height <= 5 * viewport, (height, viewport)
    assert any("15 weitere stehen in der Tabelle" in note for note in notes), notes
    assert date.today().strftime("%d.%m.%Y") in page.locator("main").inner_text()


@pytest.mark.parametrize("language", ["de", "en"])
def test_dashboard_on_a_phone_passes_axe(new_page, staff_user, busy_congress, axe, language):
    page = _open_dashboard(new_page, staff_user, phone=True, language=language)

    violations = axe(page)

    assert page.locator("html").get_attribute("lang") == language
    assert violations == [], describe(violations)
