"""The health checks: liveness and readiness."""

from fastapi.testclient import TestClient


def test_liveness_answers_ok(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_answers_ok_when_the_service_can_work(client: TestClient) -> None:
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
