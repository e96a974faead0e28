"""The writer on its own: which rows take the COPY path (new keys) and which the merge
path (known keys), and that both give the same catalog, history and counts."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from llm_intelligence.collectors import writer
from llm_intelligence.collectors.resolve import ResolvedPrice, ResolvedSource, resolve
from llm_intelligence.collectors.rows import ModelInfo, ParsedSource, PriceRow
from llm_intelligence.collectors.writer import write_source


def _row(
    key: str, model_id: str, price: str, *, model: dict[str, Any] | None = None, **extra: Any
) -> PriceRow:
    """A price row; `model` holds what the source says about the model besides its id."""
    return PriceRow(
        source_key=key,
        model=ModelInfo(source_model_id=model_id, **(model or {})),
        provider_name=extra.pop("provider_name", "openai"),
        provider_id=extra.pop("provider_id", model_id),
        input_price_per_million=Decimal(price),
        output_price_per_million=Decimal(price) * 4,
        **extra,
    )


def _resolved(*rows: PriceRow, source: str = "litellm") -> ResolvedSource:
    return resolve(ParsedSource(source=source, prices=list(rows)), source=source)


def _write(db_url: str, resolved: ResolvedSource) -> Any:
    with psycopg.connect(db_url, autocommit=True) as conn:
        return write_source(conn, resolved)


def _all(db_url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(db_url) as conn:
        return conn.execute(query, params).fetchall()


def test_new_changed_unchanged_and_vanished_rows_in_one_run(db_url: str) -> None:
    _write(
        db_url,
        _resolved(
            _row("a", "gpt-4o", "2.5"),
            _row("b", "gpt-4o-mini", "0.15"),
            _row("c", "o1", "2"),
        ),
    )

    counts = _write(
        db_url,
        _resolved(
            _row("a", "gpt-4o", "2.5"),  # unchanged
            _row("b", "gpt-4o-mini", "0.10"),  # cheaper
            _row("d", "o3", "2"),  # new; "c" vanished
        ),
    )

    assert (counts.inserted, counts.updated, counts.unchanged, counts.deactivated) == (1, 1, 1, 1)
    assert _all(
        db_url,
        "select source_key, input_price_per_million, is_active from provider_pricing"
        " order by source_key",
    ) == [
        ("a", Decimal("2.5"), True),
        ("b", Decimal("0.10"), True),
        ("c", Decimal("2"), False),
        ("d", Decimal("2"), True),
    ]
    # History: four first listings, one change; deactivation is not a price change.
    assert _all(
        db_url, "select change_type, count(*) from price_changes group by 1 order by 1"
    ) == [("insert", 4), ("update", 1)]
    assert _all(db_url, "select name from models where not is_active") == [("o1",)]


def test_a_price_row_that_moves_to_another_model_is_updated_in_place(db_url: str) -> None:
    _write(db_url, _resolved(_row("k", "gpt-4o", "2.5")))
    counts = _write(db_url, _resolved(_row("k", "gpt-4o-mini", "0.15")))

    assert (counts.inserted, counts.updated) == (0, 1)
    assert _all(
        db_url,
        "select m.name, p.input_price_per_million from provider_pricing p"
        " join models m on m.id = p.model_id",
    ) == [("gpt-4o-mini", Decimal("0.15"))]


def test_a_model_whose_prices_all_moved_to_another_leaves_the_catalog(db_url: str) -> None:
    # Identity rules now merge a split name into its model: the emptied one goes inactive
    # (kept, as models always are), a model that still has a price of its own stays.
    _write(db_url, _resolved(_row("k1", "gpt-4o", "2.5"), _row("k2", "gpt-4o-mini", "0.15")))
    _write(db_url, _resolved(_row("k1", "gpt-4o-mini", "0.15"), _row("k2", "gpt-4o-mini", "0.15")))

    assert _all(db_url, "select name, is_active from models order by name") == [
        ("gpt-4o", False),
        ("gpt-4o-mini", True),
    ]


def test_a_text_model_takes_a_non_text_type_a_source_now_reports(db_url: str) -> None:
    _write(db_url, _resolved(_row("k", "acme-x1", "2", model={"model_type": "chat"})))
    _write(db_url, _resolved(_row("k", "acme-x1", "2", model={"model_type": "rerank"})))
    assert _all(db_url, "select model_type from models") == [("rerank",)]
    # ... and a source that says nothing (the chat default) cannot undo it.
    _write(db_url, _resolved(_row("k", "acme-x1", "2")))
    assert _all(db_url, "select model_type from models") == [("rerank",)]


def test_an_alias_follows_its_model_when_identity_changes(db_url: str) -> None:
    # Same provider id, now resolved to another canonical model: the alias moves with it
    # (and is not duplicated).
    _write(db_url, _resolved(_row("k", "gpt-4o", "2.5", provider_id="deploy-1")))
    _write(db_url, _resolved(_row("k", "gpt-4o-mini", "0.15", provider_id="deploy-1")))

    assert _all(
        db_url,
        "select a.alias, m.name from model_aliases a join models m on m.id = a.model_id",
    ) == [("deploy-1", "gpt-4o-mini")]


def test_rows_of_other_sources_are_left_alone(db_url: str) -> None:
    _write(db_url, _resolved(_row("x", "gpt-4o", "2.5"), source="models-dev"))
    counts = _write(db_url, _resolved(_row("y", "gpt-4o", "2.5")))

    assert counts.deactivated == 0
    assert _all(db_url, "select source, is_active from provider_pricing order by source") == [
        ("litellm", True),
        ("models-dev", True),
    ]
    # The model still has an active price elsewhere: it stays active.
    _write(db_url, _resolved(_row("z", "o3", "2")))
    assert _all(db_url, "select name, is_active from models order by name") == [
        ("gpt-4o", True),
        ("o3", True),
    ]


def test_a_bad_row_fails_the_whole_write_and_leaves_nothing(db_url: str) -> None:
    _write(db_url, _resolved(_row("a", "gpt-4o", "2.5")))
    bad = _resolved(_row("a", "gpt-4o", "3"), _row("b", "o3", "2"))
    # resolve() rejects such rows; build one past it to prove the write is all or nothing.
    bad.prices[1] = ResolvedPrice(
        row=replace(bad.prices[1].row, context_window=0), model_name="o3", provider_name="openai"
    )

    with pytest.raises(psycopg.errors.CheckViolation, match="context_window"):
        _write(db_url, bad)

    assert _all(db_url, "select source_key, input_price_per_million from provider_pricing") == [
        ("a", Decimal("2.5"))
    ]
    assert _all(db_url, "select name from models order by name") == [("gpt-4o",)]


def test_new_models_are_inserted_and_known_ones_only_gain_what_they_lack(db_url: str) -> None:
    first = _write(
        db_url,
        _resolved(
            _row("a", "gpt-4o", "2.5", model={"context_window": 128000}), source="models-dev"
        ),
    )
    assert (first.models_inserted, first.models_updated) == (1, 0)

    says = {
        "context_window": 64000,  # disagrees: the first source keeps its value
        "capabilities": {"vision": True},  # lacking: gained
        "model_type": "chat",
    }
    counts = _write(
        db_url,
        _resolved(
            _row("a", "gpt-4o", "2.5", model=says),
            _row("b", "o3", "2"),  # new, no model type: the column's default
        ),
    )

    assert (counts.models_inserted, counts.models_updated) == (1, 1)
    assert _all(
        db_url, "select name, context_window, capabilities, model_type from models order by name"
    ) == [("gpt-4o", 128000, {"vision": True}, "chat"), ("o3", None, {}, "chat")]
    # Every price points at its own model.
    assert _all(
        db_url,
        "select p.source_key, m.name from provider_pricing p join models m on m.id = p.model_id"
        " order by 1, 2",
    ) == [("a", "gpt-4o"), ("a", "gpt-4o"), ("b", "o3")]
    # Nothing left to gain: the same run again changes no model.
    again = _write(db_url, _resolved(_row("b", "o3", "2")))
    assert (again.models_inserted, again.models_updated) == (0, 0)


def test_a_known_model_deleted_before_the_merge_is_inserted_again(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer reads which models exist, then merges; a model deleted by hand in
    between is inserted again rather than lost. The stale read is simulated: the read
    reports `o3` as known for as long as it is missing."""
    stale = (
        "select name, id from public.models"
        " union all select 'o3', 0 where not exists (select from public.models where name = 'o3')"
    )
    monkeypatch.setattr(writer, "_MODEL_IDS", stale)

    counts = _write(db_url, _resolved(_row("a", "o3", "2")))

    assert (counts.models_inserted, counts.models_updated, counts.inserted) == (1, 0, 1)
    assert _all(
        db_url,
        "select p.source_key, m.name from provider_pricing p join models m on m.id = p.model_id",
    ) == [("a", "o3")]
