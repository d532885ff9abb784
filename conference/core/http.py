"""Small facts about the current request that every area's views share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def wants_json() -> bool:
    """The client asked for JSON: an API path, a JSON body or an Accept header preferring it."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def field_error(form, error) -> bool:
    """Show a service's refusal (a ``DomainError`` naming a ``field``) beside that field of the
    form being shown again; False if it belongs to no field of the form."""
    name = error.details.get("field")
    field = getattr(form, name, None) if name else None
    if field is None:
        return False
    field.errors = (
        [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    )
    return True


def safe_next(target: str | None) -> str | None:
    """A ``next`` address to go on to: only same-site paths, never another host (open
    redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
