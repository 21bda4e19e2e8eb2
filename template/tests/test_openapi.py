"""The OpenAPI document, as a client generator reads it."""

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_each_operation_id_is_the_name_of_its_route(app: FastAPI, client: TestClient) -> None:
    """One rule for every route: the id is its function's name (`create_item`), unique."""
    paths = client.get("/openapi.json").json()["paths"]

    ids = [
        (path, operation["operationId"])
        for path, operations in paths.items()
        for operation in operations.values()
    ]
    for path, operation_id in ids:
        # The route of that name serves this path (placeholders filled with themselves).
        placeholders = {name: "{" + name + "}" for name in re.findall(r"{(\w+)}", path)}
        assert app.url_path_for(operation_id, **placeholders) == path, operation_id
    assert len({operation_id for _, operation_id in ids}) == len(ids), "two operations share an id"
