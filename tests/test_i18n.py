"""Every German catalogue is complete: a new msgid without translation fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGUES = sorted(
    (Path(__file__).resolve().parent.parent / "conference" / "translations").glob(
        "*/de/LC_MESSAGES/messages.po"
    )
)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-4])
def test_german_catalogue_is_fully_translated(po):
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="de")

    missing = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
    ]

    assert missing == []


def test_catalogues_exist():
    assert len(CATALOGUES) >= 2


def test_a_msgid_has_the_same_translation_in_every_catalogue():
    """Flask-Babel merges the area catalogues into one; a msgid translated two ways would
    show whichever catalogue happens to win."""
    seen: dict[tuple, tuple[str, str]] = {}
    clashes = []
    for po in CATALOGUES:
        with po.open("rb") as handle:
            for message in read_po(handle, locale="de"):
                if not message.id or not isinstance(message.id, str):
                    continue
                area, key = po.parts[-4], (message.context, message.id)
                if key in seen and seen[key][1] != message.string:
                    clashes.append((key, seen[key], (area, message.string)))
                seen.setdefault(key, (area, message.string))

    assert clashes == []
