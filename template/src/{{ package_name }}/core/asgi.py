"""Small helpers for the app's pure ASGI middleware."""

from collections.abc import Callable, Iterable

from fastapi import FastAPI
from starlette.types import ASGIApp, Scope

UNMATCHED_ROUTE = "<unmatched>"


def route_template(scope: Scope) -> str:
    """The matched route's template (`/items/{item_id}`), never the raw path.

    Bounded and free of ids, so it is safe as a log field or a metric label; every path that
    matched no route shares one value.
    """
    path = getattr(scope.get("route"), "path", None)
    if path is None and "endpoint" in scope:
        path = _plain_route_path(scope)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


def _plain_route_path(scope: Scope) -> object:
    # Starlette's own routes (the docs pages) put their endpoint in the scope, not themselves.
    endpoint = scope["endpoint"]
    routes = getattr(scope.get("app"), "routes", ())
    paths = (route.path for route in routes if getattr(route, "endpoint", None) is endpoint)
    return next(paths, None)


def app_path(scope: Scope) -> str:
    """The path without the prefix a proxy serves the app under (uvicorn's --root-path)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    """The first value of header `name` (lower case), or None."""
    for key, value in headers:
        if key == name:
            return value
    return None


def add_outer_middleware(
    app: FastAPI, middleware: Callable[..., ASGIApp], **options: object
) -> None:
    """Wrap `middleware` around the whole stack, outside Starlette's error middleware.

    Starlette answers an unexpected error (its 500) outside every middleware `add_middleware`
    adds: a layer that must see every answer, to add its headers to it, log it or count it,
    goes here. As with `add_middleware`, the last one added is the outermost.
    """
    build_stack = app.build_middleware_stack

    def build_wrapped_stack() -> ASGIApp:
        return middleware(build_stack(), **options)

    app.build_middleware_stack = build_wrapped_stack  # type: ignore[method-assign]
