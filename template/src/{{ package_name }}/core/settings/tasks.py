"""The task queue's section of the settings: how often a failing task is tried, and how long
its outcome can be read. The queue itself is on the service's Redis, under its key prefix."""

from typing import Literal

from pydantic import BaseModel, Field


class TaskSettings(BaseModel):
    # Redis: a worker runs the jobs. Memory: they are kept in this process and never run (tests).
    task_queue_backend: Literal["redis", "memory"] = "redis"
    # Tries of a task before it counts as failed (1: never tried again).
    task_max_tries: int = Field(default=5, ge=1, le=100)
    # Seconds to wait before the second try; each later wait is twice the one before.
    task_retry_delay: float = Field(default=1.0, gt=0)
    # The longest wait between two tries, in seconds.
    task_retry_max_delay: float = Field(default=300.0, gt=0)
    # Seconds a finished job's outcome stays readable at GET /jobs/{id}.
    task_result_ttl: int = Field(default=3600, gt=0)
