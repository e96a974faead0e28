"""Reliability: one bad upstream row is rejected alone, with a short reason; never the run.

The end-to-end cases take LiteLLM's real price map (the backup bundled in the installed
`litellm` wheel), add crafted entries, and run the real `sync()` offline against a fresh
Postgres database: the run succeeds, each crafted entry is counted as rejected with a
reason naming its problem, every good row is stored, and no reason or log line is long.
The other collectors get the same decode and row guards, checked on crafted payloads.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from llm_intelligence import identity
from llm_intelligence.collectors.fetch import NonFiniteNumber, decode_json, fetch_json
from llm_intelligence.collectors.genai_prices import parse_genai_prices
from llm_intelligence.collectors.limits import (
    INT32_MAX,
    MAX_JSON_DEPTH,
    MAX_KEY_ECHO,
    MAX_REASON_LENGTH,
    Refused,
    clip,
    echo,
    row_problem,
    tidy,
)
from llm_intelligence.collectors.litellm import SNAPSHOT_FILENAME, parse_litellm
from llm_intelligence.collectors.models_dev import parse_models_dev
from llm_intelligence.collectors.openrouter import fetch_openrouter, parse_fetched
from llm_intelligence.collectors.prices import InvalidPrice, per_million
from llm_intelligence.collectors.resolve import ResolvedSource, resolve
from llm_intelligence.collectors.rows import ModelInfo, PriceRow, RejectedRow
from llm_intelligence.collectors.runner import SourceReport, sync
from llm_intelligence.config import Settings
from llm_intelligence.errors import FetchError, PayloadError
from tests.conftest import fresh_database

DATA = Path(__file__).parent / "data"
GOOD = '{"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06}'


def _nested(depth: int, leaf: str, *, key: str | None = None) -> str:
    """JSON text of `leaf` inside `depth` arrays (or objects with `key`)."""
    if key is None:
        return "[" * depth + leaf + "]" * depth
    return f'{{"{key}": ' * depth + leaf + "}" * depth


def _entry(**fields: str) -> str:
    """An otherwise good entry with `fields` (raw JSON texts) added or replaced."""
    base = {
        "litellm_provider": '"openai"',
        "mode": '"chat"',
        "input_cost_per_token": "1e-06",
        "output_cost_per_token": "2e-06",
    }
    base |= fields
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in base.items()) + "}"


@dataclass(frozen=True)
class Case:
    id: str
    key: str
    entry: str
    """The entry as raw JSON text (some literals here cannot be written by json.dumps)."""
    reason: str
    """A part of the rejection reason that names the problem."""


CASES = [
    Case("slash-key", "/", GOOD, "no model name in '/'"),
    Case(
        "per-token-price-object",
        "crafted-price-object",
        _entry(input_cost_per_token='{"default": 1e-06}'),
        "a per-token price must be a number",
    ),
    Case(
        "price-object-300-deep",
        "crafted-price-300",
        _entry(input_cost_per_query=_nested(300, "1e-06", key="a")),
        f"nested deeper than {MAX_JSON_DEPTH} levels",
    ),
    Case(
        "rpm-300-deep",
        "crafted-rpm-300",
        _entry(rpm=_nested(300, "1")),
        f"nested deeper than {MAX_JSON_DEPTH} levels",
    ),
    Case(
        "rpm-900-deep",
        "crafted-rpm-900",
        _entry(rpm=_nested(900, "1")),
        f"nested deeper than {MAX_JSON_DEPTH} levels",
    ),
    Case(
        "exponent-999999999",
        "crafted-exponent-9",
        _entry(input_cost_per_token="1e999999999"),
        "exponent beyond ±99",
    ),
    Case(
        "exponent-100000000",
        "crafted-exponent-8",
        _entry(output_cost_per_token="1e100000000"),
        "exponent beyond ±99",
    ),
    Case(
        "int-literal-5000-digits",
        "crafted-long-int",
        _entry(max_input_tokens="9" * 5000),
        "number literal of 5,000 characters",
    ),
    Case(
        "max-input-tokens-2^31",
        "crafted-context-2-31",
        _entry(max_input_tokens=str(2**31)),
        f"context_window {2**31} is more than the 2,147,483,647",
    ),
    Case(
        "max-output-tokens-10^12",
        "crafted-output-10-12",
        _entry(max_output_tokens=str(10**12)),
        f"max_output_tokens {10**12} is more than the 2,147,483,647",
    ),
    Case("nul-in-key", "crafted\x00nul", GOOD, "source_key holds the character \\x00"),
    Case("surrogate-in-key", "crafted-\ud800", GOOD, "source_key holds the character \\ud800"),
    Case("key-3000-chars", "k" * 3000, GOOD, "source_key is 3,000 characters long"),
    Case("key-9000-chars", "q" * 9000, GOOD, "source_key is 9,000 characters long"),
    Case(
        "blank-provider-slug",
        "crafted-blank-provider",
        _entry(litellm_provider='"!!!"'),
        "no provider slug",
    ),
    Case(
        "nul-in-metadata",
        "crafted-nul-metadata",
        _entry(source='"https://example.test/\\u0000"'),
        "provider_metadata holds a NUL character",
    ),
    Case(
        "int-beyond-64-bits-in-metadata",
        "crafted-tpm-huge",
        _entry(tpm=str(10**30)),
        "Integer exceeds 64-bit range",
    ),
    Case(
        "nan-price",
        "crafted-nan",
        _entry(input_cost_per_token="NaN"),
        "not a finite number",
    ),
]


def litellm_backup() -> Path:
    spec = importlib.util.find_spec("litellm")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / SNAPSHOT_FILENAME


def crafted_file(path: Path, cases: list[Case]) -> Path:
    """The real backup with the crafted entries appended, as raw JSON text."""
    text = litellm_backup().read_text().rstrip()
    assert text.endswith("}")
    extra = "".join(f",\n{json.dumps(c.key)}: {c.entry}" for c in cases)
    path.write_text(text[:-1].rstrip() + extra + "\n}\n")
    return path


def settings_for(litellm_file: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=None,
        litellm_url=str(litellm_file),
        openrouter_url=None,
        models_dev_url=None,
        genai_prices_url=None,
        openrouter_api_key=None,
    )


@pytest.fixture(scope="module")
def baseline() -> ResolvedSource:
    """The unmodified backup, parsed and resolved: the good rows every run must store."""
    payload = fetch_json(str(litellm_backup()), source="litellm")
    return resolve(parse_litellm(payload), source="litellm")


@dataclass
class CraftedRun:
    report: SourceReport
    seconds: float
    stored_keys: set[str]
    sample: dict[str, str]
    log_lines: list[str]


class _Recorder(logging.Handler):
    """Every log record of the run (caplog is function-scoped; this fixture is not)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def crafted_run(
    admin_url: str, template_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CraftedRun]:
    """One real sync of the backup with every crafted entry in it (one run, many cases)."""
    path = crafted_file(tmp_path_factory.mktemp("crafted") / "prices.json", CASES)
    handler = _Recorder()
    records = handler.records
    root = logging.getLogger()
    root.addHandler(handler)
    # Rejected rows are logged one by one at debug level: the lines under test.
    package = logging.getLogger("llm_intelligence")
    level = package.level
    package.setLevel(logging.DEBUG)
    try:
        with fresh_database(admin_url) as url:
            started = time.perf_counter()
            (report,) = sync(
                url, settings=settings_for(path), sources=["litellm"], offline=True, force=True
            )
            seconds = time.perf_counter() - started
            with psycopg.connect(url) as conn:
                keys = {
                    row[0]
                    for row in conn.execute(
                        "select source_key from provider_pricing"
                        " where source = 'litellm' and is_active"
                    )
                }
                details = conn.execute(
                    "select details from collector_runs where id = %s", (report.run_id,)
                ).fetchone()
    finally:
        root.removeHandler(handler)
        package.setLevel(level)
    assert details is not None
    sample = {r["key"]: r["reason"] for r in details[0].get("rejected_sample", [])}
    yield CraftedRun(report, seconds, keys, sample, [r.getMessage() for r in records])


def test_the_run_succeeds_and_stores_every_good_row(
    crafted_run: CraftedRun, baseline: ResolvedSource
) -> None:
    report = crafted_run.report
    assert report.status == "succeeded", report.error
    assert report.rejected == len(baseline.rejected) + len(CASES)
    assert crafted_run.stored_keys == {p.row.source_key for p in baseline.prices}
    # 1e100000000 and friends are refused before they are built: no multi-second stall.
    assert crafted_run.seconds < 60


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_bad_row_is_rejected_with_a_reason(crafted_run: CraftedRun, case: Case) -> None:
    key = clip(case.key, MAX_KEY_ECHO)
    assert key in crafted_run.sample, sorted(crafted_run.sample)
    reason = crafted_run.sample[key]
    assert case.reason in reason
    assert len(reason) <= MAX_REASON_LENGTH


def test_reasons_keys_and_log_lines_are_short_and_printable(crafted_run: CraftedRun) -> None:
    for key, reason in crafted_run.sample.items():
        assert len(key) <= MAX_KEY_ECHO
        assert len(reason) <= MAX_REASON_LENGTH
        assert "\x00" not in key + reason
    assert crafted_run.log_lines
    assert max(len(line) for line in crafted_run.log_lines) < 2 * MAX_REASON_LENGTH


def test_a_payload_too_deep_to_parse_fails_only_its_own_source(db_url: str, tmp_path: Path) -> None:
    deep = Case("deeper-than-the-decoder", "too-deep", _entry(rpm=_nested(5000, "1")), "")
    path = crafted_file(tmp_path / "prices.json", [deep])

    reports = sync(
        db_url, settings=settings_for(path), sources=["litellm", "genai-prices"], offline=True
    )

    by_source = {r.source: r for r in reports}
    assert by_source["litellm"].status == "failed"
    assert "nested too deeply for the JSON decoder" in (by_source["litellm"].error or "")
    assert by_source["genai-prices"].status == "succeeded", by_source["genai-prices"].error


# --- decode guards ---------------------------------------------------------------------


def test_decode_refuses_absurd_numbers_value_by_value() -> None:
    document = decode_json(
        '{"ok": 1.5e-07, "n": 42, "huge": 1e100000000, "tiny": 1e-999999999,'
        ' "long": ' + "1" * 101 + ', "longer": 0.' + "1" * 200 + ', "nan": NaN}',
        source="test",
        where="inline",
    )
    assert document["ok"] == Decimal("1.5e-07") and document["n"] == 42
    for name in ("huge", "tiny", "long", "longer"):
        assert isinstance(document[name], Refused), name
    assert "exponent beyond ±99" in document["huge"].reason
    assert "number literal of 101 characters" in document["long"].reason
    # NaN keeps its marker (the payload fingerprint tells it from null).
    assert isinstance(document["nan"], NonFiniteNumber)


def test_decode_cuts_nesting_deeper_than_the_bound() -> None:
    shallow = _nested(MAX_JSON_DEPTH - 1, "1")  # the root and 31 more levels
    document = decode_json(f'{{"a": {shallow}, "b": {_nested(600, "1")}}}', source="t", where="x")
    assert json.dumps(document["a"]) == shallow
    node, level = document["b"], 2  # the root object is level 1
    while isinstance(node, list):
        node, level = node[0], level + 1
    # Levels 1..32 are kept; what would have been level 33 is the marker.
    assert isinstance(node, Refused) and level == MAX_JSON_DEPTH + 1


def test_decode_of_nesting_beyond_the_decoder_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="nested too deeply for the JSON decoder"):
        decode_json(_nested(100_000, "1"), source="test", where="inline")


def test_an_absurd_number_costs_neither_memory_nor_time() -> None:
    started = time.perf_counter()
    for text in ("1e999999999", "1e100000000"):
        with pytest.raises(InvalidPrice, match="exponent beyond"):
            per_million(text)  # a string price (OpenRouter's style) is guarded as well
        (value,) = decode_json(f"[{text}]", source="t", where="x")
        with pytest.raises(InvalidPrice, match="exponent beyond"):
            per_million(value)
    with pytest.raises(InvalidPrice, match="bits is not a price"):
        per_million(10**5000)
    assert time.perf_counter() - started < 1


def test_a_mirror_path_with_a_nul_is_a_fetch_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError):
        fetch_json(str(tmp_path / "bad\x00name.json"), source="test")


# --- limits -------------------------------------------------------------------------------


def test_clip_keeps_start_end_and_the_original_length() -> None:
    text = "start " + "x" * 100_000 + " the problem"
    clipped = clip(text, 100)
    assert len(clipped) <= 100
    assert clipped.startswith("start ") and clipped.endswith("the problem")
    assert "100,018 characters" in clipped
    assert clip("short") == "short"
    assert clip("a\x00b\ud800") == "a\\x00b\\ud800"
    assert len(clip("\x00" * 400, 500)) <= 500
    assert len(echo("z" * 10**6)) <= 80
    assert echo(10**5000) == "<int too large to show>"


def test_rejected_rows_cap_their_key_and_reason() -> None:
    row = RejectedRow("k\x00" * 5000, "why " * 10**6)
    assert len(row.source_key) <= MAX_KEY_ECHO and "\x00" not in row.source_key
    assert len(row.reason) <= MAX_REASON_LENGTH and "4,000,000 characters" in row.reason


def _row(**changes: Any) -> PriceRow:
    info_changes = {
        k.removeprefix("model_"): changes.pop(k) for k in list(changes) if k.startswith("model_")
    }
    row = PriceRow(
        source_key="openai/gpt-4o",
        model=ModelInfo(source_model_id="gpt-4o"),
        provider_name="openai",
        provider_id="gpt-4o",
        input_price_per_million=Decimal(1),
        output_price_per_million=Decimal(2),
    )
    return replace(row, model=replace(row.model, **info_changes), **changes)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, None),
        ({"context_window": INT32_MAX}, None),
        ({"context_window": INT32_MAX + 1}, "context_window 2147483648 is more than"),
        ({"max_output_tokens": 10**12}, "max_output_tokens 1000000000000 is more than"),
        ({"model_context_window": 2**40}, "model context_window"),
        ({"provider_id": "a\x00b"}, "provider_id holds the character \\x00"),
        ({"deployment": "us\n"}, "deployment holds the character \\x0a"),
        ({"provider_name": "p" * 257}, "provider_name is 257 characters long (at most 256)"),
        ({"source_key": "k" * 256}, None),
        ({"model_display_name": "d" * 2000}, "display_name is 2,000 characters long"),
        ({"model_capabilities": {"vi\x00sion": True}}, "capability holds the character"),
        ({"provider_metadata": {"a": "\x00"}}, "provider_metadata holds a NUL character"),
        ({"provider_metadata": {"a": "\udcff"}}, "surrogates not allowed"),
        ({"provider_metadata": {"a": 2**64}}, "Integer exceeds 64-bit range"),
        ({"provider_metadata": {"a": [Refused("nested deeper than 32 levels")]}}, "nested deeper"),
        ({"provider_metadata": {"a": "x" * 70_000}}, "bytes of JSON (at most 65,536)"),
        ({"provider_metadata": {"price": Decimal("1.5")}}, None),
    ],
)
def test_row_limits(changes: dict[str, Any], problem: str | None) -> None:
    found = row_problem(_row(**changes))
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_identity_functions_are_total() -> None:
    pieces = [*"/:@.-_ ~*aZ09\x00\t\u00e9\ud800", "ft:", "models/", "bedrock/", "us.", "-v1:0"]
    pieces += [":free", "accounts/", "vertex_ai/", "anthropic.", "claude-", "llama3", "@default"]
    rng = random.Random(9)
    texts = ["", "/", "//", ":", "ft:", "models/", " ", "\x00", "x" * 9000]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(20_000)]
    for text in texts:
        identity.canonical_model_name(text)
        identity.canonical_model_name(text, source="fireworks")
        identity.variant_of(text)
        identity.canonical_provider(text)
        identity.author_of(text)
    assert identity.canonical_model_name("/") == ""


# --- the other collectors -----------------------------------------------------------------


def _reasons(resolved: ResolvedSource) -> dict[str, str]:
    return {r.source_key: r.reason for r in resolved.rejected}


def test_models_dev_rejects_bad_models_alone() -> None:
    payload = json.loads((DATA / "models_dev_api_sample.json").read_text())
    good = resolve(parse_models_dev(payload), source="models-dev")
    text = json.dumps(payload)
    long_id = "m" * 9000
    crafted = {
        "huge-context": '{"id": "huge-context", "limit": {"context": 1e999999999}, "cost": {}}',
        "deep-cost": '{"id": "deep-cost", "cost": {"input": ' + _nested(300, "1") + "}}",
        "nul-name": '{"id": "nul-name", "name": "a\\u0000b", "cost": {"input": 1}}',
        long_id: json.dumps({"id": long_id, "cost": {"input": 1}}),
    }
    extra = ", ".join(f"{json.dumps(k)}: {v}" for k, v in crafted.items())
    text = text.replace('"models": {', '"models": {' + extra + ", ", 1)

    resolved = resolve(parse_models_dev(decode_json(text, source="t", where="x")), source="t")

    provider = next(iter(payload))
    reasons = _reasons(resolved)
    assert "exponent beyond ±99" in reasons[f"{provider}/huge-context"]
    # Deep where a number belongs: rejected by the type check before the marker is reached.
    assert "cost.input: not a number: [[[...]]]" in reasons[f"{provider}/deep-cost"]
    # A display name is free text: cleaned (a NUL, a stray tab), never a reason to reject.
    assert f"{provider}/nul-name" not in reasons
    names = {m.display_name for m in resolved.models}
    assert "a b" in names
    assert not any(n and ("\x00" in n or "\t" in n) for n in names)
    long_reason = reasons[clip(f"{provider}/{long_id}", MAX_KEY_ECHO)]
    assert "source_key is 9,007 characters long" in long_reason
    assert len(long_reason) <= MAX_REASON_LENGTH
    assert len(resolved.prices) == len(good.prices) + 1  # nul-name


def test_openrouter_rejects_bad_models_alone_over_http() -> None:
    models = json.loads((DATA / "openrouter_models.json").read_text())
    good = len(models["data"])
    text = json.dumps(models)
    crafted = [
        '{"id": "x/huge", "name": "Huge", "pricing": {"prompt": 1e999999999, "completion": "0"}}',
        '{"id": "x/huge-text", "pricing": {"prompt": "1e999999999", "completion": "0"}}',
        '{"id": "x/long-literal", "pricing": {"prompt": 0.' + "1" * 500 + "}}",
        '{"id": "x/deep", "pricing": {"prompt": "0", "completion": "0", "extra": '
        + _nested(400, "1", key="a")
        + "}}",
        '{"id": "x/nul\\u0000", "pricing": {"prompt": "0", "completion": "0"}}',
    ]
    text = text.replace('"data": [', '"data": [' + ", ".join(crafted) + ", ", 1)

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/models"
        return httpx.Response(200, content=text.encode())

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        payload = fetch_openrouter(
            base_url="https://openrouter.test/api/v1",
            api_key=None,
            client=client,
            with_endpoints=False,
        )
    resolved = resolve(parse_fetched(payload), source="openrouter")

    reasons = _reasons(resolved)
    assert "exponent beyond ±99" in reasons["x/huge"]
    assert "exponent beyond ±99" in reasons["x/huge-text"]
    assert "number literal of 502 characters" in reasons["x/long-literal"]
    assert "extra: not a number: {'a': {'a': {...}}}" in reasons["x/deep"]
    assert "holds the character \\x00" in reasons["x/nul\\x00"]
    stored = {p.row.source_key for p in resolved.prices}
    assert len(stored) >= good - sum(1 for r in reasons if not r.startswith("x/"))
    assert not any(key.startswith("x/") for key in stored)


def test_genai_prices_rejects_bad_models_alone() -> None:
    payload = json.loads((DATA / "genai_prices_sample.json").read_text())
    good = resolve(parse_genai_prices(payload), source="genai-prices")
    text = json.dumps(payload)
    crafted = [
        '{"id": "huge", "match": {"equals": "huge"}, "prices": {"input_mtok": 1e100000000}}',
        '{"id": "deep", "match": '
        + _nested(200, '{"equals": "deep"}', key="not")
        + ', "prices": {"input_mtok": 1}}',
        '{"id": "wide", "match": {"equals": "wide"}, "context_window": 1000000000000,'
        ' "prices": {"input_mtok": 1}}',
    ]
    text = text.replace('"models": [', '"models": [' + ", ".join(crafted) + ", ", 1)

    parsed = parse_genai_prices(decode_json(text, source="t", where="x"))
    resolved = resolve(parsed, source="genai-prices")

    provider = payload[0]["id"]
    reasons = _reasons(resolved)
    assert "exponent beyond ±99" in reasons[f"{provider}/huge"]
    assert "nested deeper than 32 levels" in reasons[f"{provider}/deep"]
    assert "more than the 2,147,483,647" in reasons[f"{provider}/wide"]
    assert len(resolved.prices) == len(good.prices)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("DeepSeek R1 (Turbo)\t", "DeepSeek R1 (Turbo)"),  # as models.dev ships it
        ("Llama\n 3.2\x00 1B", "Llama 3.2 1B"),
        ("bad \ud800 half", "bad \ufffd half"),
        (" \t\n", None),
        (None, None),
    ],
)
def test_free_text_is_tidied_not_rejected(raw: str | None, stored: str | None) -> None:
    assert tidy(raw) == stored
