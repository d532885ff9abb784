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
