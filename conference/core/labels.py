"""Helpers for the label tables of stored values (each table lives with its values, e.g.
``registration/labels.py``, ``agenda/labels.py``): pages, exports, PDFs and the door show the
same words, and no raw value reaches a page."""

from __future__ import annotations


def label(labels: dict, value: str | None) -> str:
    """The translated label of a stored value; the raw value if it is unknown."""
    if value is None:
        return ""
    found = labels.get(value)
    return str(found) if found is not None else str(value)


def choices(labels: dict) -> list[tuple[str, str]]:
    return [(str(key), text) for key, text in labels.items()]


def translated(labels: dict) -> dict[str, str]:
    """The table with its texts in the current language."""
    return {str(key): str(text) for key, text in labels.items()}
