"""Domain errors: services and repositories raise them and know nothing of HTTP.

The error-handling feature of the app turns each into a response with its status (see main.py).
Middleware answers outside the app's exception handlers; `render_error` gives its errors (a
429 of the rate limiter) the same body as every other error. The error-handling feature's
handlers correct two of FastAPI's own errors the same way, whichever body they answer in:
`http_error_headers` and `undecodable_body`.
"""

from collections.abc import Mapping
from http import HTTPMethod, HTTPStatus
from typing import Any, ClassVar, Protocol

from fastapi.exceptions import RequestValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match


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


def http_error_headers(request: Request, exc: HTTPException) -> Mapping[str, str] | None:
    """The headers of an HTTP error; a 405's `Allow` names every method its path answers.

    Starlette's names only the methods of the first route with that path (`PUT /items` would
    say `Allow: POST`, though GET is served there too).
    """
    if exc.status_code != HTTPStatus.METHOD_NOT_ALLOWED:
        return exc.headers
    return {**(exc.headers or {}), "Allow": ", ".join(allowed_methods(request))}


def allowed_methods(request: Request) -> list[str]:
    """The methods some route serves the request's path with, sorted.

    Each is asked of the app's routes as a request of its own (included routers answer for
    their routes only that way).
    """
    scope = request.scope
    bare = {key: scope[key] for key in ("type", "path", "root_path", "headers") if key in scope}
    routes = request.app.router.routes
    return [
        method
        for method in sorted(method.value for method in HTTPMethod)
        if any(route.matches({**bare, "method": method})[0] == Match.FULL for route in routes)
    ]


def undecodable_body(exc: HTTPException) -> RequestValidationError | None:
    """FastAPI's 400 for a body that is not text, as the 422 any other body that is no JSON gets.

    The OpenAPI document promises a 422 for a body that cannot be read; only the cause tells
    this 400 apart from others.
    """
    cause = exc.__cause__
    if exc.status_code != HTTPStatus.BAD_REQUEST or not isinstance(cause, UnicodeDecodeError):
        return None
    position = len(cause.object[: cause.start].decode(cause.encoding, errors="replace"))
    error = {
        "type": "json_invalid",
        "loc": ("body", position),
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": f"the body is not valid {cause.encoding.upper()}"},
    }
    return RequestValidationError([error])
