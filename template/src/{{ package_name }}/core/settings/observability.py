"""Observability's section of the settings: how much is logged, and in which format."""

from typing import Literal

from pydantic import BaseModel

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class ObservabilitySettings(BaseModel):
    log_level: LogLevel = "INFO"
    # One JSON object per line for log collectors; "console" for people. Unset: JSON, but
    # console when DEBUG is on.
    log_format: Literal["json", "console"] | None = None
    # One line per request (method, route, status, duration, request id, client).
    access_log: bool = True
