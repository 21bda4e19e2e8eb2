"""Small helpers for the app's pure ASGI middleware."""

from collections.abc import Iterable

from starlette.types import Scope

UNMATCHED_ROUTE = "<unmatched>"


def route_template(scope: Scope) -> str:
    """The matched route's template (`/items/{item_id}`), never the raw path.

    Bounded and free of ids, so it is safe as a log field or a metric label; every path that
    matched no route shares one value.
    """
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


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
