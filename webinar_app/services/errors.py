"""Domain errors. The two doors (REST, UI) translate them; services never know about HTTP.

Each error may carry an `error_code` and `extra` fields that the REST contract exposes
(e.g. `attempts_remaining`), so the API layer does not re-derive them.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every rule violation a caller can be told about."""

    def __init__(
        self, message: str, *, error_code: str | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code
        self.extra = extra


class NotFound(DomainError):
    """The object does not exist, or the caller may not even know it exists."""

    def __init__(self, message: str = "Not found.", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class PermissionDenied(DomainError):
    """The caller can see the object but may not act on it."""


class NotAuthenticated(DomainError):
    """Credentials are missing or wrong."""


class Conflict(DomainError):
    """The request clashes with the current state (e.g. already verified)."""


class RateLimited(DomainError):
    """Too many attempts; try again later."""


class Invalid(DomainError):
    """Validation failed: `errors` maps a field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first = next(iter(errors.values()), ["Invalid input."])
        super().__init__(first[0] if first else "Invalid input.")
        self.errors = errors

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        return cls({name: [message]})


class TooLarge(Invalid):
    """An upload over its size limit (REST answers 413 with the usual field-error body)."""


class ServiceUnavailable(DomainError):
    """A dependency (mail server, ...) failed; nothing was lost and the caller may retry."""
