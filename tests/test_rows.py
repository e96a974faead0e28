"""How a rejected row's validation errors become one readable reason."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from llm_intelligence.collectors.rows import validation_reason


class _Entry(BaseModel):
    a: int
    b: int
    c: int
    d: int
    e: int

    @field_validator("a")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be positive")
        return value


def _error(payload: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _Entry.model_validate(payload)
    return caught.value


def test_reason_names_the_first_three_fields_and_counts_the_rest() -> None:
    reason = validation_reason(_error({"a": -1, "b": "x", "c": "x", "d": "x", "e": "x"}))
    assert reason.startswith("a: must be positive; b: Input should be a valid integer")
    assert reason.count(";") == 2
    assert reason.endswith(" (+2 more)")


class _Leaf(BaseModel):
    input: int


class _Tagged(BaseModel):
    flat: _Leaf


class _Outer(BaseModel):
    prices: _Tagged


def test_prefix_goes_before_the_path_and_hidden_parts_are_left_out() -> None:
    with pytest.raises(ValidationError) as caught:
        _Outer.model_validate({"prices": {"flat": {"input": "x"}}})
    reason = validation_reason(caught.value, prefix="model.", hidden={"flat"})
    assert reason.startswith("model.prices.input: Input should be a valid integer")


def test_an_error_without_a_location_is_just_its_message() -> None:
    assert validation_reason(_error("not an object")).startswith("Input should be")
