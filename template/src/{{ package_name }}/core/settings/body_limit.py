"""The request-body limit's section of the settings."""

from pydantic import BaseModel, PositiveInt

MEBIBYTE = 1024 * 1024


class BodyLimitSettings(BaseModel):
    # The largest request body, in bytes: a larger one gets 413 and is not read on.
    max_body_bytes: PositiveInt = MEBIBYTE
