"""Schemas shared by every router, one name and one shape in the OpenAPI document: the refusal `Error`, and
`InputSchema`, the base of every API input schema, which applies the text policy of `cpom.core.text` to every text
and date of the body or the query, whatever its depth (a dict of values, a list of progress tuples). One-line
fields named in `short_fields` get the short limit; every other text the long one."""

import datetime as dt
from typing import ClassVar

from ninja import Schema
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .text import LONG_TEXT, SHORT_TEXT, date_problem, text_problem

POLICY_ERROR = "input_policy"  # pydantic error type the API's 422 handler reports with its French message


def _checked(value, limit: int):
    if isinstance(value, str):
        if problem := text_problem(value, limit=limit):
            raise PydanticCustomError(POLICY_ERROR, problem)
    elif isinstance(value, dt.date):
        if problem := date_problem(value):
            raise PydanticCustomError(POLICY_ERROR, problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            _checked(key, SHORT_TEXT)
            _checked(item, limit)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _checked(item, limit)
    return value


class InputSchema(Schema):
    short_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _input_policy(cls, value, info: ValidationInfo):
        return _checked(value, SHORT_TEXT if info.field_name in cls.short_fields else LONG_TEXT)


class Error(Schema):
    """A refusal: the French message, the rule of DESIGN §3 when one applies, the offending field if any."""

    detail: str
    rule: str | None = None
    field: str | None = None
