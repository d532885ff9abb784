"""The sign-up form in real Chromium: the local-structure select follows the carrier."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conference.registration.models import Registration
from tests import factories

pytestmark = pytest.mark.browser


def _options(select_locator) -> list[str]:
    return select_locator.locator("option").all_inner_texts()


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_local_structure_lists_only_the_chosen_carriers_structures(page, db, smtp):
    """Issue 22.5, with JavaScript: the list changes with the carrier; a carrier without local
    structures (or "other") hides the field; the chosen structure is stored."""
    congress = factories.congress()
    alpha = factories.carrier("Alpha Verband", local_structures=2)
    factories.carrier("Beta ohne Orte")
    gamma = factories.carrier("Gamma Verband", local_structures=3)
    db.session.commit()
    alpha_names = [s.name for s in alpha.local_structures]
    gamma_names = [s.name for s in gamma.local_structures]
    gamma_second = gamma.local_structures[1].id
    days = len(congress.days)
    db.session.rollback()

    page.goto("/register")
    carrier = page.get_by_label("Organisation", exact=True)
    local = page.get_by_label("Lokale Struktur (optional)")

    carrier.select_option(label="Alpha Verband")
    alpha_options = _options(local)
    carrier.select_option(label="Gamma Verband")
    gamma_options = _options(local)
    groups = local.locator("optgroup").count()
    carrier.select_option(label="Beta ohne Orte")
    hidden_for_beta = local.is_hidden()
    carrier.select_option(label="Gamma Verband")
    local.select_option(label=gamma_names[1])
    page.get_by_label("Vorname").fill("Amira")
    page.get_by_label("Nachname").fill("Haddad")
    page.get_by_label("E-Mail-Adresse").fill("amira@example.org")
    page.get_by_label("Rolle im Programm").select_option(label="Mentor:in")
    page.get_by_label("Bereich und Ebene").select_option(label="Zivilgesellschaft")
    page.get_by_label("Ich willige ein", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Anmelden", exact=True).last.click()

    assert alpha_options == ["Keine / nicht zutreffend", *alpha_names]
    assert gamma_options == ["Keine / nicht zutreffend", *gamma_names]
    assert groups == 0
    assert hidden_for_beta
    db.session.rollback()
    stored = db.session.execute(select(Registration)).scalar_one()
    assert (stored.carrier_id, stored.local_structure_id) == (gamma.id, gamma_second)
    assert len(stored.days) == days
    assert page.console_errors == []
