"""Domain errors: refusals a service raises, turned into a 4xx by one handler in create_app."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal with a translated message, an HTTP status and a stable machine code."""

    status: int = 400
    code: str = "invalid"

    def __init__(self, message: str | None = None, *, code: str | None = None, **details):
        super().__init__(message or self.code)
        self.message = message or self.code
        if code:
            self.code = code
        self.details = details


class NotFound(DomainError):
    status, code = 404, "not_found"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class Conflict(DomainError):
    status, code = 409, "conflict"


class Invalid(DomainError):
    status, code = 400, "invalid"
