"""Names in the order people expect: the Unicode Collation Algorithm (pyuca, DUCET).

German lists put "Ä" with "A", "Ç" with "C", "Ø" with "O" and "Łukasz" with "Lukas" (DIN 5007-1),
never after "Z" as a comparison of code points does (SQLite, PostgreSQL's "C" collation).
``sort_key`` turns a text into bytes whose byte order is that collation order, so the same key
sorts in Python and, stored in a column (``Registration.name_key``), in any database's
ORDER BY: SQLite and PostgreSQL compare BLOB/bytea byte by byte.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_collator = None


def _get():
    """The collator reads DUCET (about half a second) once per process, when first needed."""
    global _collator
    if _collator is None:
        with _lock:
            if _collator is None:
                from pyuca import Collator

                _collator = Collator()
    return _collator


@lru_cache(maxsize=50_000)
def sort_key(text: str | None) -> bytes:
    """``text``'s collation key as bytes: every weight as two bytes, big-endian (DUCET weights
    and the implicit weights of unlisted characters are all below 0x10000)."""
    weights = _get().sort_key(text or "")
    return struct.pack(f">{len(weights)}H", *weights)


def name_key(last_name: str | None, first_name: str | None) -> bytes:
    """Sort by last name, then first name: "Bäcker Tamara" before "Backer Zoe", "Lee Anna"
    before "Lee-Smith Bob" (the space weighs less than any letter or hyphen)."""
    return sort_key(f"{(last_name or '').strip()} {(first_name or '').strip()}")


def sort_by(items: Iterable[T], text: Callable[[T], str | None]) -> list[T]:
    """``items`` ordered by the collation of ``text(item)``."""
    return sorted(items, key=lambda item: sort_key(text(item)))


def sort_by_name(items: Iterable[T]) -> list[T]:
    """People (anything with ``last_name``, ``first_name`` and ``id``) by name."""
    return sorted(
        items, key=lambda p: (name_key(p.last_name, p.first_name), getattr(p, "id", 0) or 0)
    )
