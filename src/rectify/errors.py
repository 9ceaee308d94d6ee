"""Errors the services raise. Each carries a Chinese message for the user and the HTTP status the
web and API layers answer with, so every caller reports the same failure the same way."""


class RectifyError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(RectifyError):
    status = 400


def filled(value: str | None, label: str) -> str:
    """A required text, stripped; refused (请填写…) when nothing is left of it."""
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"请填写{label}。")
    return value


class TooLarge(RectifyError):
    """More than a limit on size allows (a file, a report's files, a unit's uploads of the day)."""

    status = 413


class AccessDenied(RectifyError):
    status = 403


class NotFound(RectifyError):
    status = 404


class StaleEdit(RectifyError):
    """Someone else saved the record after this user loaded it (optimistic locking)."""

    status = 409


class RateLimited(RectifyError):
    """Too many requests from one address in the period (public forms and API)."""

    status = 429
