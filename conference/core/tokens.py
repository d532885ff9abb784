"""Opaque tokens for links, feeds and badges.

32 random bytes (256 bits), URL-safe base64 without padding: 43 characters from
``[A-Za-z0-9_-]``. They carry no personal data; only their holder can use them.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_LENGTH = 43
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def is_well_formed(value: object) -> bool:
    return isinstance(value, str) and bool(TOKEN_PATTERN.match(value))


def digest(value: str) -> str:
    """SHA-256 hex digest: how secrets that we only need to recognise are stored."""
    return hashlib.sha256(value.encode()).hexdigest()
