"""One price change, as public.price_changes stores it (the seed's column names)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

CHANNEL = "llm_intel_price_changes"
"""The LISTEN/NOTIFY channel the database announces price changes on (a hint only)."""

PRICE_FIELDS = (
    "old_input_price_per_million",
    "new_input_price_per_million",
    "old_output_price_per_million",
    "new_output_price_per_million",
    "old_cache_read_price_per_million",
    "new_cache_read_price_per_million",
    "old_cache_write_price_per_million",
    "new_cache_write_price_per_million",
)

COLUMNS = (
    "id",
    "pricing_id",
    "model_id",
    "model_name",
    "provider_name",
    "provider_id",
    "gateway",
    "deployment",
    "source",
    "change_type",
    *PRICE_FIELDS,
    "changed_at",
)
"""The price_changes columns a PriceChange carries, in the table's order."""


@dataclass(frozen=True, slots=True)
class PriceChange:
    """A committed row of public.price_changes: a price inserted or changed.

    Prices are USD per million tokens, exact (Decimal); `old_*` is None for an insert and
    for a price that was unset. `provider_name` serves the model, `provider_id` is the
    model id to send to that provider, `pricing_id` is the provider_pricing row."""

    id: int
    pricing_id: int
    model_id: int
    model_name: str
    provider_name: str
    provider_id: str
    gateway: str
    deployment: str
    source: str
    change_type: Literal["insert", "update"]
    old_input_price_per_million: Decimal | None
    new_input_price_per_million: Decimal | None
    old_output_price_per_million: Decimal | None
    new_output_price_per_million: Decimal | None
    old_cache_read_price_per_million: Decimal | None
    new_cache_read_price_per_million: Decimal | None
    old_cache_write_price_per_million: Decimal | None
    new_cache_write_price_per_million: Decimal | None
    changed_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PriceChange:
        """From a price_changes row: psycopg's (Decimal, datetime) or PostgREST's JSON
        (numbers read as Decimal, timestamps as ISO text). Extra columns are ignored."""
        change_type = row["change_type"]
        if change_type not in ("insert", "update"):
            raise ValueError(f"price change {row['id']}: unknown change_type {change_type!r}")
        changed_at = row["changed_at"]
        if isinstance(changed_at, str):
            changed_at = datetime.fromisoformat(changed_at)
        prices = {name: _decimal(row.get(name)) for name in PRICE_FIELDS}
        return cls(
            id=int(row["id"]),
            pricing_id=int(row["pricing_id"]),
            model_id=int(row["model_id"]),
            model_name=str(row["model_name"]),
            provider_name=str(row["provider_name"]),
            provider_id=str(row["provider_id"]),
            gateway=str(row["gateway"]),
            deployment=str(row["deployment"]),
            source=str(row["source"]),
            change_type=change_type,
            changed_at=changed_at,
            **prices,
        )

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values: prices as exact decimal strings, the time in ISO 8601."""
        out: dict[str, Any] = {}
        for name in COLUMNS:
            value = getattr(self, name)
            if isinstance(value, Decimal):
                value = decimal_text(value)
            elif isinstance(value, datetime):
                value = value.isoformat()
            out[name] = value
        return out

    def describe(self) -> str:
        """One line: time (UTC), model, provider_name, old -> new input and output $/M."""
        when = self.changed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return (
            f"{when}  {self.model_name}  {self.provider_name}  "
            f"in {_price(self.old_input_price_per_million)} \u2192 "
            f"{_price(self.new_input_price_per_million)}  "
            f"out {_price(self.old_output_price_per_million)} \u2192 "
            f"{_price(self.new_output_price_per_million)} $/M"
            + ("  (new)" if self.change_type == "insert" else "")
        )


def _price(value: Decimal | None) -> str:
    return "-" if value is None else decimal_text(value)


def decimal_text(value: Decimal) -> str:
    """Exact, without trailing zeros or an exponent: `3.000` -> `3`, `1E-7` -> `0.0000001`."""
    if not value.is_finite():
        return str(value)
    return f"{value.normalize():f}" if value else "0"


def _decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):  # a JSON parser that was not told parse_float=Decimal
        return Decimal(repr(value))
    return Decimal(str(value))
