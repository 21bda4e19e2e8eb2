"""Domain errors: services and repositories raise them and know nothing of HTTP.

The error-handling feature of the app turns each into a response with its status (see main.py).
Middleware answers outside the app's exception handlers; `render_error` gives its errors (a
429 of the rate limiter) the same body as every other error.
"""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar, Protocol

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


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


class ErrorRenderer(Protocol):
    """Builds an error response in the app's one error body."""

    def __call__(
        self,
        request: Request,
        status: int,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Response: ...


def detail_response(
    request: Request, status: int, detail: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """FastAPI's own error body, as it answers an HTTPException: `{"detail": ...}`."""
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def set_error_renderer(app: Starlette, renderer: ErrorRenderer) -> None:
    """Make `render_error` answer in `renderer`'s body (the error-handling feature's)."""
    app.state.error_renderer = renderer


def render_error(
    request: Request, status: int, detail: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """The app's error response, for middleware: the error-handling feature's body, or FastAPI's."""
    renderer: ErrorRenderer = getattr(request.app.state, "error_renderer", detail_response)
    return renderer(request, status, detail, headers=headers)
