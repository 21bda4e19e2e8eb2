"""Domain errors: services and repositories raise them and know nothing of HTTP.

The error-handling feature of the app turns each into a response with its status (see main.py).
"""

from http import HTTPStatus
from typing import Any, ClassVar


class AppError(Exception):
    """A failure the caller can act on. Each subclass stands for one HTTP status."""

    status_code: ClassVar[int] = HTTPStatus.INTERNAL_SERVER_ERROR

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(AppError):
    """The thing asked for does not exist."""

    status_code = HTTPStatus.NOT_FOUND


class ConflictError(AppError):
    """The request clashes with what is stored, e.g. a name that must be unique."""

    status_code = HTTPStatus.CONFLICT


class DomainValidationError(AppError):
    """Well-formed input that breaks a business rule the schemas cannot express."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY


class ServiceUnavailableError(AppError):
    """Something the service depends on is down; the caller may retry later."""

    status_code = HTTPStatus.SERVICE_UNAVAILABLE


def error_response(description: str) -> dict[str, Any]:
    """An entry of a route's `responses=`: when the error is sent.

    The error-handling feature documents the body of every declared error in the OpenAPI
    document, so routes only say when each error happens.
    """
    return {"description": description}
