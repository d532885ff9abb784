"""The German catalogue is complete: a new msgid without translation fails here."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = (
    Path(__file__).resolve().parent.parent
    / "conference"
    / "translations"
    / "de"
    / "LC_MESSAGES"
    / "messages.po"
)


def test_german_catalogue_is_fully_translated():
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="de")

    missing = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
    ]

    assert len(catalog) > 500
    assert missing == []
