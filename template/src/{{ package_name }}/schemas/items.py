"""The bodies the items API accepts and returns, with the limits it enforces."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 1000
MAX_PRICE_CENTS = 1_000_000_000

# Control characters have no place in text meant for people, and PostgreSQL refuses NUL.
ItemName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=NAME_MAX_LENGTH,
        pattern=r"^[^\x00-\x1f\x7f-\x9f]+$",  # one line, no control characters
    ),
]
ItemDescription = Annotated[
    str,
    StringConstraints(
        max_length=DESCRIPTION_MAX_LENGTH,
        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",  # tabs and line breaks allowed
    ),
]
# Strict: a price is a JSON integer; not true, "100" or 1e3.
PriceCents = Annotated[
    int, Field(strict=True, ge=0, le=MAX_PRICE_CENTS, description="Price in cents.")
]


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ItemName
    description: ItemDescription | None = None
    price_cents: PriceCents


class ItemUpdate(BaseModel):
    """A partial update: fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    # SkipJsonSchema: null is refused below, so the OpenAPI document must not offer it.
    name: ItemName | SkipJsonSchema[None] = None
    description: ItemDescription | None = None
    price_cents: PriceCents | SkipJsonSchema[None] = None

    @field_validator("name", "price_cents")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for fields that were sent: leaving one out is fine, sending null is not.
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    price_cents: int


class ItemList(BaseModel):
    items: list[ItemRead]
    total: int
    offset: int
    limit: int
