"""LiveBench's newest release: found in GitHub's listing of the site repository's public/
folder (newest date with both files), the pinned release when that fails (a warning and
the run's notes name why), an explicit LLM_INTEL_LIVEBENCH_URL that skips discovery, and
the newest complete pair of an offline mirror folder. All HTTP over httpx.MockTransport."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from llm_intelligence.benchmarks.sources import get_leaderboard, livebench
from llm_intelligence.collectors.runner import RunStatus, sync
from llm_intelligence.config import Settings
from llm_intelligence.errors import FetchError

SNAPSHOTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks"
TABLE = (SNAPSHOTS / "livebench_table_2026_01_08.csv").read_bytes()
CATEGORIES = (SNAPSHOTS / "livebench_categories_2026_01_08.json").read_bytes()
CONTENTS = "https://api.github.com/repos/LiveBench/livebench.github.io/contents/public"
RAW = "https://raw.githubusercontent.com/LiveBench/livebench.github.io/main/public/"
PINNED_TABLE = "https://livebench.ai/table_2026_01_08.csv"
PINNED_CATEGORIES = "https://livebench.ai/categories_2026_01_08.json"

Request = tuple[str, str | None]
"""(URL, Authorization header or None)."""


def _entry(name: str, kind: str = "file") -> dict[str, Any]:
    return {
        "name": name,
        "path": f"public/{name}",
        "type": kind,
        "download_url": RAW + name if kind == "file" else None,
    }


LISTING = [
    _entry("assets", "dir"),
    _entry("favicon.ico"),
    _entry("table_2025_11_25.csv"),
    _entry("categories_2025_11_25.json"),
    _entry("table_2026_01_08.csv"),
    _entry("categories_2026_01_08.json"),
    _entry("table_2026_02_20.csv"),
    _entry("categories_2026_02_20.json"),
    # Being uploaded: the table is there, its categories file not yet.
    _entry("table_2026_03_15.csv"),
    # A categories file alone, and names that only look like a release.
    _entry("categories_2026_04_01.json"),
    _entry("table_2026_13_40.csv"),
    _entry("categories_2026_13_40.json"),
    _entry("table_2026_05_01.csv.bak"),
]


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def _serve(requests: list[Request], contents: Callable[[], httpx.Response]) -> httpx.MockTransport:
    """The contents API answers with `contents()`; every other URL ending in .csv/.json
    gets the snapshot's table/categories."""

    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        requests.append((url, request.headers.get("authorization")))
        if url == CONTENTS:
            return contents()
        if url.endswith(".csv"):
            return httpx.Response(200, content=TABLE)
        if url.endswith(".json"):
            return httpx.Response(200, content=CATEGORIES)
        return httpx.Response(404)

    return httpx.MockTransport(handler)


def _fetch(settings: Settings, transport: httpx.MockTransport) -> livebench.Payload:
    with httpx.Client(transport=transport) as client:
        payload = get_leaderboard("livebench").fetch(settings, False, client)
    assert isinstance(payload, livebench.Payload)
    return payload


def test_the_newest_complete_pair_is_read_with_the_token_sent_to_github_only() -> None:
    requests: list[Request] = []
    transport = _serve(requests, lambda: httpx.Response(200, json=LISTING))
    payload = _fetch(_settings(GITHUB_TOKEN="ghp_test"), transport)
    # 2026_03_15 has no categories file, 2026_04_01 no table, 2026_13_40 is no date.
    assert requests == [
        (CONTENTS, "Bearer ghp_test"),
        (RAW + "table_2026_02_20.csv", None),
        (RAW + "categories_2026_02_20.json", None),
    ]
    assert payload.release.found is livebench.Found.DISCOVERED
    parsed = livebench.parse(payload)
    assert parsed.notes == {"release": "2026_02_20", "release_found": "discovered"}
    assert parsed.rows and all(r.test_date == date(2026, 2, 20) for r in parsed.rows)


def test_without_a_token_github_is_asked_without_authorization() -> None:
    requests: list[Request] = []
    transport = _serve(requests, lambda: httpx.Response(200, json=LISTING))
    _fetch(_settings(), transport)
    assert requests == [
        (CONTENTS, None),
        (RAW + "table_2026_02_20.csv", None),
        (RAW + "categories_2026_02_20.json", None),
    ]


def _assert_fell_back(
    payload: livebench.Payload, caplog: pytest.LogCaptureFixture, *, reason: str
) -> None:
    notes = livebench.parse(payload).notes
    assert notes["release"] == "2026_01_08" and notes["release_found"] == "fallback"
    assert reason in notes["discovery_failed"]
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "pinned release 2026_01_08" in warning.getMessage()
    assert reason in warning.getMessage()


def test_a_rate_limited_listing_falls_back_to_the_pinned_release(
    caplog: pytest.LogCaptureFixture,
) -> None:
    requests: list[Request] = []
    limited = httpx.Response(
        403, json={"message": "API rate limit exceeded"}, headers={"x-ratelimit-remaining": "0"}
    )
    with caplog.at_level(logging.WARNING):
        payload = _fetch(_settings(), _serve(requests, lambda: limited))
    # 403 is not retried; the pinned pair comes from livebench.ai.
    assert requests == [(CONTENTS, None), (PINNED_TABLE, None), (PINNED_CATEGORIES, None)]
    _assert_fell_back(payload, caplog, reason="HTTP 403")
    assert "set GITHUB_TOKEN" in payload.release.reason  # type: ignore[operator]


def test_a_connection_error_falls_back_to_the_pinned_release(
    caplog: pytest.LogCaptureFixture,
) -> None:
    requests: list[Request] = []
    sleeps: list[float] = []

    def refuse() -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with caplog.at_level(logging.WARNING), httpx.Client(transport=_serve(requests, refuse)) as c:
        payload = livebench.fetch(
            configured=None, mirror=None, offline=False, token=None, client=c, sleep=sleeps.append
        )
    # Tried twice (DISCOVERY_ATTEMPTS), then the pinned release.
    assert requests == [(CONTENTS, None)] * 2 + [(PINNED_TABLE, None), (PINNED_CATEGORIES, None)]
    assert len(sleeps) == 1
    caplog.records[:] = [r for r in caplog.records if "retry" not in r.getMessage()]
    _assert_fell_back(payload, caplog, reason="ConnectError: connection refused")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[{", "not valid JSON"),
        (b'{"message": "Not Found"}', "not a JSON array"),
        (b'["table_2026_02_20.csv"]', "non-object entry"),
        (b"[]", "shows no table_<date>.csv with its categories_<date>.json"),
        (
            b'[{"name": "table_2026_02_20.csv", "download_url": "https://x/t.csv"}]',
            "shows no table_<date>.csv with its categories_<date>.json",
        ),
    ],
    ids=["malformed", "object", "names-only", "empty", "no-pair"],
)
def test_an_unusable_listing_falls_back_to_the_pinned_release(
    body: bytes, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    requests: list[Request] = []
    with caplog.at_level(logging.WARNING):
        payload = _fetch(_settings(), _serve(requests, lambda: httpx.Response(200, content=body)))
    assert requests == [(CONTENTS, None), (PINNED_TABLE, None), (PINNED_CATEGORIES, None)]
    _assert_fell_back(payload, caplog, reason=reason)


def test_an_explicit_url_skips_discovery() -> None:
    requests: list[Request] = []
    transport = _serve(requests, lambda: pytest.fail("GitHub asked"))
    table = "https://mirror.example/lb/table_2026_02_20.csv"
    payload = _fetch(_settings(LLM_INTEL_LIVEBENCH_URL=table, GITHUB_TOKEN="t"), transport)
    assert requests == [
        (table, None),
        ("https://mirror.example/lb/categories_2026_02_20.json", None),
    ]
    assert livebench.parse(payload).notes == {
        "release": "2026_02_20",
        "release_found": "configured",
    }


def test_a_failing_fallback_says_why_discovery_failed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403 if request.url.host == "api.github.com" else 404)

    with pytest.raises(FetchError) as caught:
        _fetch(_settings(), httpx.MockTransport(handler))
    message = str(caught.value)
    assert "table_2026_01_08.csv answered HTTP 404" in message
    assert "release 2026_01_08, fallback: " in message and "HTTP 403" in message


def _mirror(folder: Path, *stamps: str, lone_tables: tuple[str, ...] = ()) -> Path:
    for stamp in stamps:
        (folder / f"livebench_table_{stamp}.csv").write_bytes(TABLE)
        (folder / f"livebench_categories_{stamp}.json").write_bytes(CATEGORIES)
    for stamp in lone_tables:
        (folder / f"livebench_table_{stamp}.csv").write_bytes(b"not read")
    return folder


def test_offline_the_newest_complete_pair_of_the_mirror_is_read(tmp_path: Path) -> None:
    folder = _mirror(tmp_path, "2025_11_25", "2026_02_20", lone_tables=("2026_03_15",))
    settings = _settings(LLM_INTEL_BENCHMARKS_DIR=str(folder))
    # Offline, not even a remote LLM_INTEL_LIVEBENCH_URL is fetched; nothing is.
    board = get_leaderboard("livebench")
    with httpx.Client(transport=httpx.MockTransport(lambda r: pytest.fail(str(r.url)))) as c:
        payload = board.fetch(settings, True, c)
        remote = board.fetch(
            _settings(
                LLM_INTEL_BENCHMARKS_DIR=str(folder),
                LLM_INTEL_LIVEBENCH_URL="https://livebench.ai/table_2025_11_25.csv",
            ),
            True,
            c,
        )
    for p in (payload, remote):
        assert p.release.table == str(folder / "livebench_table_2026_02_20.csv")
        parsed = livebench.parse(p)
        assert parsed.notes == {"release": "2026_02_20", "release_found": "mirror"}
        assert all(r.test_date == date(2026, 2, 20) for r in parsed.rows)


def test_offline_the_shared_snapshots_read_their_single_pair() -> None:
    payload = get_leaderboard("livebench").fetch(
        _settings(LLM_INTEL_BENCHMARKS_DIR=str(SNAPSHOTS)), True, None
    )
    assert livebench.parse(payload).notes == {"release": "2026_01_08", "release_found": "mirror"}


def test_a_mirror_without_a_complete_pair_fails_naming_the_files(tmp_path: Path) -> None:
    folder = _mirror(tmp_path, lone_tables=("2026_03_15",))
    with pytest.raises(FetchError, match=r"livebench_categories_<date>\.json"):
        get_leaderboard("livebench").fetch(
            _settings(LLM_INTEL_BENCHMARKS_DIR=str(folder)), True, None
        )


def test_the_run_records_the_release_and_the_fallback_reason(db_url: str) -> None:
    requests: list[Request] = []
    transport = _serve(requests, lambda: httpx.Response(403))
    with httpx.Client(transport=transport) as client:
        [report] = sync(db_url, settings=_settings(), sources=["livebench"], client=client)
    assert report.status is RunStatus.SUCCEEDED, report.error
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "select details -> 'notes' from public.collector_runs where id = %s",
            (report.run_id,),
        ).fetchone()
    assert row is not None
    notes = row[0]
    assert notes["release"] == "2026_01_08" and notes["release_found"] == "fallback"
    assert "HTTP 403" in notes["discovery_failed"]
