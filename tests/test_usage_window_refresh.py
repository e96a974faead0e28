"""Migration 20261202001500: usage stats reach the rankings without another write. A
write to a complete day within the usage window, or a new day moving the window, makes
the rankings stale; the heal path (refresh_stale_rankings: the scheduler's minute job,
`db start`, `rank`) refreshes them; today's counters, which a proxy updates all day,
change nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg

from llm_intelligence.db.sync_lock import refresh_stale_rankings
from tests.factories import add_model, add_price

USAGE = (
    "insert into public.model_usage_stats (model_id, provider_name, date, total_requests,"
    " success_count, latency_ms_sum) values (%s, 'openai', current_date - %s, 1000, 600, 0)"
)


def _stale(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("select stale from public.model_rankings_status()").fetchone()
    assert row is not None
    return bool(row[0])


def _usage_factor(conn: psycopg.Connection[Any], model_id: int) -> Decimal:
    row = conn.execute(
        "select usage_factor from public.model_rankings where model_id = %s", (model_id,)
    ).fetchone()
    assert row is not None
    return Decimal(row[0])


def _ranked_model(conn: psycopg.Connection[Any]) -> int:
    model_id = add_model(conn, "usage-window-model")
    add_price(conn, model_id, "openai", Decimal("1"), Decimal("2"))
    assert not _stale(conn)
    return model_id


def test_todays_counters_change_nothing(conn: psycopg.Connection[Any], db_url: str) -> None:
    model_id = _ranked_model(conn)
    conn.execute(USAGE, (model_id, 0))
    conn.execute("update public.model_usage_stats set total_requests = 2000")
    assert not _stale(conn)
    assert not refresh_stale_rankings(db_url).refreshed_now
    assert _usage_factor(conn, model_id) == 1


def test_a_complete_day_written_is_refreshed_by_the_heal_path(
    conn: psycopg.Connection[Any], db_url: str
) -> None:
    model_id = _ranked_model(conn)
    conn.execute(USAGE, (model_id, 1))
    assert _stale(conn)
    assert _usage_factor(conn, model_id) == 1  # not refreshed at the writer's commit
    status = refresh_stale_rankings(db_url)
    assert status.refreshed_now and not status.stale
    # 60 % success: 1 - 0.5 x 0.4 = 0.8 (usage_constants: success weight 0.5, no latency).
    assert _usage_factor(conn, model_id) == Decimal("0.8")
    # Correcting that day's counters (a late upload) makes the rankings stale again.
    conn.execute("update public.model_usage_stats set success_count = 1000")
    assert _stale(conn)
    refresh_stale_rankings(db_url)
    assert _usage_factor(conn, model_id) == 1
    conn.execute("delete from public.model_usage_stats")
    assert _stale(conn)
    refresh_stale_rankings(db_url)
    assert not _stale(conn)


def test_a_day_outside_the_window_marks_nothing(conn: psycopg.Connection[Any]) -> None:
    model_id = _ranked_model(conn)
    conn.execute(USAGE, (model_id, 45))  # older than the 30 days counted
    assert not _stale(conn)


def test_a_new_day_moves_the_window(conn: psycopg.Connection[Any], db_url: str) -> None:
    model_id = _ranked_model(conn)
    # Written today, counted from tomorrow: stands for yesterday's counters, seen by a
    # refresh made yesterday (the refresh state is moved back a day).
    conn.execute(USAGE, (model_id, 1))
    conn.execute(
        "update llm_intel_private.rankings_refresh_state"
        " set stale = false, last_refreshed_at = now() - interval '1 day'"
    )
    assert _stale(conn)
    assert refresh_stale_rankings(db_url).refreshed_now
    assert not _stale(conn)
    assert _usage_factor(conn, model_id) == Decimal("0.8")


def test_no_usage_rows_no_daily_refresh(conn: psycopg.Connection[Any]) -> None:
    _ranked_model(conn)
    conn.execute(
        "update llm_intel_private.rankings_refresh_state"
        " set stale = false, last_refreshed_at = now() - interval '3 days'"
    )
    assert not _stale(conn)
