"""The shared fetch layer: retries, Retry-After, errors, files, and the async twin."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import math
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from llm_intelligence.collectors.fetch import (
    MAX_RETRY_AFTER_SECONDS,
    NonFiniteNumber,
    decide_retry,
    fetch_bytes,
    fetch_json,
    fetch_json_async,
    parse_retry_after,
    redact_url,
)
from llm_intelligence.collectors.limits import MAX_PAYLOAD_BYTES
from llm_intelligence.errors import AuthError, FetchError, PayloadError, SourceError

URL = "https://prices.example.test/v1/models.json"
BODY = b'{"data": [{"id": "m", "input_cost_per_token": 3e-06}]}'

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that replays scripted responses and keeps the requests."""

    def __init__(self, *steps: httpx.Response | Exception) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        return step


def client_for(handler: Handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def ok(body: bytes = BODY, **headers: str) -> httpx.Response:
    return httpx.Response(200, content=body, headers=headers)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


# --- success ---------------------------------------------------------------------------


def test_returns_json_with_exact_decimals_and_sends_the_given_headers() -> None:
    recorder = Recorder(ok())
    sleeps = Sleeps()
    with client_for(recorder) as client:
        data = fetch_json(
            URL, source="test", client=client, headers={"X-Token": "abc"}, sleep=sleeps
        )
    assert data == {"data": [{"id": "m", "input_cost_per_token": Decimal("0.000003")}]}
    assert isinstance(data["data"][0]["input_cost_per_token"], Decimal)
    assert [str(r.url) for r in recorder.requests] == [URL]
    assert recorder.requests[0].method == "GET"
    assert recorder.requests[0].headers["X-Token"] == "abc"
    assert sleeps == []


def test_parse_float_can_be_float() -> None:
    with client_for(Recorder(ok())) as client:
        data = fetch_json(URL, source="test", client=client, parse_float=float)
    assert data["data"][0]["input_cost_per_token"] == 3e-06


def test_nan_and_infinity_are_marked_floats() -> None:
    body = b'{"a": NaN, "b": -Infinity, "c": 1.5}'
    with client_for(Recorder(httpx.Response(200, content=body))) as client:
        data = fetch_json(URL, source="test", client=client)
    assert isinstance(data["a"], NonFiniteNumber) and math.isnan(data["a"])
    assert isinstance(data["b"], NonFiniteNumber) and data["b"] == -math.inf
    assert data["c"] == Decimal("1.5")


# --- retries -------------------------------------------------------------------------


def test_429_honours_retry_after_seconds() -> None:
    recorder = Recorder(httpx.Response(429, headers={"Retry-After": "7"}), ok())
    sleeps = Sleeps()
    with client_for(recorder) as client:
        data = fetch_json(URL, source="test", client=client, sleep=sleeps)
    assert data["data"][0]["id"] == "m"
    assert sleeps == [7.0]
    assert len(recorder.requests) == 2


def test_retry_after_is_capped() -> None:
    recorder = Recorder(httpx.Response(503, headers={"Retry-After": "3600"}), ok())
    sleeps = Sleeps()
    with client_for(recorder) as client:
        fetch_json(URL, source="test", client=client, sleep=sleeps)
    assert sleeps == [MAX_RETRY_AFTER_SECONDS]


def test_500_then_success_backs_off_with_jitter() -> None:
    recorder = Recorder(httpx.Response(500), ok())
    sleeps = Sleeps()
    with client_for(recorder) as client:
        fetch_json(URL, source="test", client=client, sleep=sleeps, backoff_base=0.5)
    assert len(sleeps) == 1
    assert 0.25 <= sleeps[0] < 0.75  # base 0.5 spread over 0.5x..1.5x
    assert len(recorder.requests) == 2


def test_timeout_every_time_fails_after_max_attempts() -> None:
    recorder = Recorder(httpx.ReadTimeout("The read operation timed out"))
    sleeps = Sleeps()
    with client_for(recorder) as client, pytest.raises(FetchError) as caught:
        fetch_json(URL, source="litellm", client=client, sleep=sleeps, max_attempts=3)
    assert len(recorder.requests) == 3
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] < 0.75 and 0.5 <= sleeps[1] < 1.5  # the step doubles
    message = str(caught.value)
    assert "litellm" in message and URL in message and "3 attempt" in message
    assert "ReadTimeout" in message
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


def test_connect_error_is_retried() -> None:
    recorder = Recorder(httpx.ConnectError("Connection refused"), ok())
    sleeps = Sleeps()
    with client_for(recorder) as client:
        assert fetch_json(URL, source="test", client=client, sleep=sleeps)["data"]
    assert len(sleeps) == 1


def test_last_5xx_is_reported_with_its_status() -> None:
    recorder = Recorder(httpx.Response(502))
    with client_for(recorder) as client, pytest.raises(FetchError, match=r"test: .* HTTP 502"):
        fetch_json(URL, source="test", client=client, sleep=Sleeps(), max_attempts=2)
    assert len(recorder.requests) == 2


def test_retries_are_logged_without_header_values_or_query_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder(httpx.Response(503), ok())
    caplog.set_level(logging.WARNING, logger="llm_intelligence.collectors.fetch")
    with client_for(recorder) as client:
        fetch_json(
            URL + "?key=sekrit-query",
            source="openrouter",
            client=client,
            headers={"Authorization": "Bearer sk-or-v1-sekrit"},
            sleep=Sleeps(),
        )
    assert len(caplog.records) == 1
    record = caplog.records[0]
    assert record.levelno == logging.WARNING
    text = record.getMessage()
    assert "openrouter" in text and "HTTP 503" in text and URL + "?key=***" in text
    assert "sekrit" not in caplog.text


# --- no retries ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_are_not_retried_and_name_the_env_var(status: int) -> None:
    recorder = Recorder(httpx.Response(status, json={"error": {"message": "No auth"}}))
    sleeps = Sleeps()
    key = "sk-or-v1-0123456789abcdef"
    with client_for(recorder) as client, pytest.raises(AuthError) as caught:
        fetch_json(
            URL,
            source="openrouter",
            client=client,
            headers={"Authorization": f"Bearer {key}"},
            sleep=sleeps,
            api_key_env="OPENROUTER_API_KEY",
        )
    message = str(caught.value)
    assert f"HTTP {status}" in message
    assert "openrouter" in message and "OPENROUTER_API_KEY" in message
    assert key not in message
    assert len(recorder.requests) == 1
    assert sleeps == []
    assert isinstance(caught.value, SourceError)


def test_other_4xx_is_a_fetch_error_naming_source_and_status() -> None:
    recorder = Recorder(httpx.Response(404))
    with client_for(recorder) as client, pytest.raises(FetchError) as caught:
        fetch_json(URL, source="litellm", client=client, sleep=Sleeps())
    assert "litellm" in str(caught.value) and "HTTP 404" in str(caught.value)
    assert not isinstance(caught.value, AuthError)
    assert len(recorder.requests) == 1


def test_truncated_body_is_a_payload_error() -> None:
    recorder = Recorder(ok(BODY[: len(BODY) // 2]))
    with client_for(recorder) as client, pytest.raises(PayloadError) as caught:
        fetch_json(URL, source="litellm", client=client, sleep=Sleeps())
    assert "litellm" in str(caught.value) and "not valid JSON" in str(caught.value)
    assert isinstance(caught.value.__cause__, json.JSONDecodeError)


def test_html_error_page_is_a_payload_error() -> None:
    recorder = Recorder(ok(b"<html><body>Service moved</body></html>"))
    with client_for(recorder) as client, pytest.raises(PayloadError, match="test"):
        fetch_json(URL, source="test", client=client)


def test_gzipped_object_over_http_is_decompressed() -> None:
    recorder = Recorder(ok(gzip.compress(BODY)))
    with client_for(recorder) as client:
        data = fetch_json(URL + ".gz", source="test", client=client)
    assert data["data"][0]["id"] == "m"


# --- files ---------------------------------------------------------------------------


def test_file_path_file_url_and_gz(tmp_path: Path) -> None:
    plain = tmp_path / "prices.json"
    plain.write_bytes(BODY)
    packed = tmp_path / "prices.json.gz"
    packed.write_bytes(gzip.compress(BODY))
    expected = {"data": [{"id": "m", "input_cost_per_token": Decimal("0.000003")}]}
    assert fetch_json(str(plain), source="test") == expected
    assert fetch_json(plain.as_uri(), source="test") == expected
    assert fetch_json(str(packed), source="test") == expected
    assert fetch_json(packed.as_uri(), source="test") == expected


def test_missing_file_is_a_fetch_error_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "prices.json"
    with pytest.raises(FetchError) as caught:
        fetch_json(str(missing), source="litellm")
    assert str(missing) in str(caught.value) and "litellm" in str(caught.value)
    assert isinstance(caught.value.__cause__, FileNotFoundError)


def test_corrupt_gzip_and_truncated_file_are_payload_errors(tmp_path: Path) -> None:
    corrupt = tmp_path / "prices.json.gz"
    corrupt.write_bytes(gzip.compress(BODY)[:20])
    with pytest.raises(PayloadError, match="gzip"):
        fetch_json(str(corrupt), source="test")
    truncated = tmp_path / "prices.json"
    truncated.write_bytes(BODY[:-3])
    with pytest.raises(PayloadError, match=str(truncated)):
        fetch_json(str(truncated), source="test")


def test_unsupported_scheme_is_refused() -> None:
    with pytest.raises(FetchError, match="unsupported location"):
        fetch_json("ftp://mirror.example.test/prices.json", source="test")


# --- payload size ----------------------------------------------------------------------

MIB = 1024 * 1024
CHUNK = 64 * 1024


class Stream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body produced as it is read (as from a socket), counting what it gave."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = iter(chunks)
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.sent += len(chunk)
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def zeros(total: int, chunk: int = CHUNK) -> Iterator[bytes]:
    for start in range(0, total, chunk):
        yield bytes(min(chunk, total - start))


def gzip_bomb(total: int) -> Iterator[bytes]:
    """gzip of `total` zero bytes, compressed lazily: ~1,000x smaller than `total`."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for piece in zeros(total, MIB):
        if out := packer.compress(piece):
            yield out
    yield packer.flush()


def streamed(stream: Stream, **headers: str) -> httpx.Response:
    return httpx.Response(200, stream=stream, headers=headers)


def test_a_content_length_over_the_default_limit_is_refused_unread() -> None:
    stream = Stream(zeros(MIB))
    recorder = Recorder(streamed(stream, **{"Content-Length": str(10 * 1024**3)}))
    with client_for(recorder) as client, pytest.raises(FetchError) as caught:
        fetch_bytes(URL, source="litellm", client=client, sleep=Sleeps())
    assert MAX_PAYLOAD_BYTES == 256 * MIB
    assert str(caught.value) == (
        f"litellm: {URL} is larger than the 256 MiB limit (Content-Length: 10240 MiB; not read)"
    )
    assert stream.sent == 0
    assert len(recorder.requests) == 1


def test_a_streamed_body_stops_just_past_the_limit_and_is_not_retried() -> None:
    stream = Stream(zeros(64 * MIB))  # no Content-Length: chunked, as a server streams it
    recorder = Recorder(streamed(stream))
    sleeps = Sleeps()
    with client_for(recorder) as client, pytest.raises(FetchError) as caught:
        fetch_json(URL, source="litellm", client=client, sleep=sleeps, max_bytes=MIB)
    assert MIB < stream.sent <= MIB + CHUNK
    assert str(caught.value) == (
        f"litellm: {URL} is larger than the 1 MiB limit (read 1.1 MiB before stopping)"
    )
    assert len(recorder.requests) == 1 and sleeps == []


def test_a_gzip_content_encoding_bomb_is_stopped_while_inflating() -> None:
    stream = Stream(gzip_bomb(1024 * MIB))  # 1 GiB of zeros in about 1 MB
    recorder = Recorder(streamed(stream, **{"Content-Encoding": "gzip"}))
    with client_for(recorder) as client, pytest.raises(FetchError) as caught:
        fetch_bytes(URL, source="test", client=client, sleep=Sleeps(), max_bytes=4 * MIB)
    message = str(caught.value)
    assert message.startswith(f"test: {URL} is larger than the 4 MiB limit (read ")
    read = float(message.split("(read ")[1].split(" MiB")[0])
    assert 4.0 <= read <= 5.0  # at most one inflate step past the limit
    assert stream.sent < 64 * 1024  # a few kB of the ~1 MB bomb were read
    assert len(recorder.requests) == 1


def test_a_gzip_content_encoding_within_the_limit_is_decoded() -> None:
    recorder = Recorder(
        streamed(Stream([gzip.compress(BODY)]), **{"Content-Encoding": "gzip"}),
    )
    with client_for(recorder) as client:
        assert fetch_bytes(URL, source="test", client=client, max_bytes=len(BODY)) == BODY
    corrupt = Recorder(streamed(Stream([b"not gzip"]), **{"Content-Encoding": "gzip"}))
    with client_for(corrupt) as client, pytest.raises(FetchError, match="DecodingError"):
        fetch_bytes(URL, source="test", client=client)
    assert len(corrupt.requests) == 1  # as httpx's own decoder failed: not retried


def test_a_gz_file_or_object_bomb_fails_naming_the_decompressed_size(tmp_path: Path) -> None:
    bomb = b"".join(gzip_bomb(64 * MIB))
    packed = tmp_path / "prices.json.gz"
    packed.write_bytes(bomb)
    with pytest.raises(FetchError) as caught:
        fetch_json(str(packed), source="litellm", max_bytes=4 * MIB)
    assert str(caught.value).startswith(
        f"litellm: {packed} is larger than the 4 MiB limit (decompressed "
    )
    recorder = Recorder(ok(bomb))
    with client_for(recorder) as client, pytest.raises(FetchError, match=r"decompressed 5\.0 MiB"):
        fetch_bytes(URL + ".gz", source="test", client=client, max_bytes=4 * MIB)
    assert len(recorder.requests) == 1


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    sparse = tmp_path / "prices.json"
    with sparse.open("wb") as file:
        file.truncate(MAX_PAYLOAD_BYTES + 1)  # no disk used; reading it would take 256 MiB
    with pytest.raises(FetchError) as caught:
        fetch_json(str(sparse), source="litellm")
    assert str(caught.value) == (
        f"litellm: {sparse} is larger than the 256 MiB limit (256.0 MiB on disk; not read)"
    )
    small = tmp_path / "small.json"
    small.write_bytes(BODY)
    with pytest.raises(FetchError, match="larger than the 10 bytes limit"):
        fetch_json(small.as_uri(), source="test", max_bytes=10)


def test_a_payload_exactly_at_the_limit_is_accepted(tmp_path: Path) -> None:
    size = MIB + 123
    exact = tmp_path / "exact.bin"
    exact.write_bytes(bytes(size))
    assert len(fetch_bytes(str(exact), source="t", max_bytes=size)) == size
    with pytest.raises(FetchError, match=r"\(1.0 MiB on disk; not read\)"):
        fetch_bytes(str(exact), source="t", max_bytes=size - 1)

    packed = tmp_path / "exact.bin.gz"
    packed.write_bytes(gzip.compress(bytes(size)))
    assert len(fetch_bytes(str(packed), source="t", max_bytes=size)) == size
    with pytest.raises(FetchError, match="decompressed"):
        fetch_bytes(str(packed), source="t", max_bytes=size - 1)

    for limit, fits in ((size, True), (size - 1, False)):
        stream = Stream(zeros(size))
        with client_for(Recorder(streamed(stream))) as client:
            if fits:
                assert len(fetch_bytes(URL, source="t", client=client, max_bytes=limit)) == size
            else:
                with pytest.raises(FetchError, match=r"read 1\.0 MiB before stopping"):
                    fetch_bytes(URL, source="t", client=client, max_bytes=limit)
        length = str(size)
        with client_for(Recorder(ok(bytes(size), **{"Content-Length": length}))) as client:
            if fits:
                assert len(fetch_bytes(URL, source="t", client=client, max_bytes=limit)) == size
            else:
                with pytest.raises(FetchError, match="Content-Length"):
                    fetch_bytes(URL, source="t", client=client, max_bytes=limit)


def test_max_bytes_overrides_the_default_both_ways(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b'{"pad": "' + b"x" * (MAX_PAYLOAD_BYTES // 64) + b'"}')
    with pytest.raises(FetchError, match="larger than the 1 MiB limit"):
        fetch_json(str(big), source="t", max_bytes=MIB)
    assert len(fetch_json(str(big), source="t")["pad"]) == MAX_PAYLOAD_BYTES // 64
    with pytest.raises(ValueError, match="max_bytes"):
        fetch_bytes(str(big), source="t", max_bytes=0)


def test_epoch_fetches_its_archive_within_its_own_bound() -> None:
    from llm_intelligence.benchmarks.sources import _read_epoch
    from llm_intelligence.benchmarks.sources.epoch import MAX_ARCHIVE_BYTES

    stream = Stream(zeros(MAX_ARCHIVE_BYTES + 1))
    recorder = Recorder(streamed(stream, **{"Content-Length": str(MAX_ARCHIVE_BYTES + 1)}))
    with client_for(recorder) as client, pytest.raises(FetchError, match="the 64 MiB limit"):
        _read_epoch("https://epoch.example.test/benchmark_data.zip", client)
    assert stream.sent == 0


def test_an_error_page_is_judged_unread_and_retried() -> None:
    error_page = Stream(zeros(64 * MIB))
    recorder = Recorder(httpx.Response(503, stream=error_page), ok())
    sleeps = Sleeps()
    with client_for(recorder) as client:
        fetch_json(URL, source="test", client=client, sleep=sleeps, max_bytes=MIB)
    assert error_page.sent == 0 and len(sleeps) == 1 and len(recorder.requests) == 2


def test_async_bounds_bodies_and_files_alike(tmp_path: Path) -> None:
    async def run(response: httpx.Response, location: str = URL) -> Any:
        recorder = Recorder(response)
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as client:
            try:
                return await fetch_json_async(
                    location, source="t", client=client, sleep=AsyncSleeps(), max_bytes=MIB
                )
            finally:
                assert len(recorder.requests) <= 1

    stream = Stream(zeros(64 * MIB))
    with pytest.raises(FetchError, match=r"1 MiB limit \(read 1.1 MiB before stopping\)"):
        asyncio.run(run(streamed(stream)))
    assert stream.sent <= MIB + CHUNK
    bomb = Stream(gzip_bomb(1024 * MIB))
    with pytest.raises(FetchError, match="1 MiB limit"):
        asyncio.run(run(streamed(bomb, **{"Content-Encoding": "gzip"})))
    assert bomb.sent < 64 * 1024
    packed = tmp_path / "m.json.gz"
    packed.write_bytes(b"".join(gzip_bomb(16 * MIB)))
    with pytest.raises(FetchError, match="decompressed"):
        asyncio.run(run(ok(), packed.as_uri()))
    gzipped = streamed(Stream([gzip.compress(BODY)]), **{"Content-Encoding": "gzip"})
    assert asyncio.run(run(gzipped))["data"][0]["id"] == "m"


# --- the shared decision -------------------------------------------------------------

NOW = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)


def decide(outcome: httpx.Response | httpx.RequestError, attempt: int = 1) -> Any:
    return decide_retry(
        outcome,
        source="s",
        url=URL,
        attempt=attempt,
        max_attempts=4,
        backoff_base=0.5,
        jitter=0.5,
        now=NOW,
    )


def test_retry_after_http_date() -> None:
    response = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT"})
    assert decide(response).delay == 30.0


def test_parse_retry_after_edge_cases() -> None:
    assert parse_retry_after("0", now=NOW) == 0.0
    assert parse_retry_after("1.5", now=NOW) == 1.5
    assert parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now=NOW) == 0.0  # past
    assert parse_retry_after("soon", now=NOW) is None
    assert parse_retry_after("nan", now=NOW) is None
    assert parse_retry_after("", now=NOW) is None
    assert parse_retry_after(None, now=NOW) is None


def test_backoff_doubles_per_attempt_and_stops_at_the_last() -> None:
    delays = [decide(httpx.Response(503), attempt).delay for attempt in (1, 2, 3)]
    assert delays == [0.5, 1.0, 2.0]  # jitter 0.5 is the middle of the spread
    last = decide(httpx.Response(503), 4)
    assert last.delay is None and isinstance(last.error, FetchError)


def test_decision_kinds() -> None:
    assert decide(httpx.Response(200)).done
    assert isinstance(decide(httpx.Response(301)).error, FetchError)
    assert isinstance(decide(httpx.Response(400)).error, FetchError)
    assert isinstance(decide(httpx.Response(401)).error, AuthError)
    assert decide(httpx.Response(408)).delay is not None
    assert decide(httpx.RemoteProtocolError("peer closed connection")).delay is not None
    assert isinstance(decide(httpx.UnsupportedProtocol("gopher")).error, FetchError)


def test_redact_url() -> None:
    assert (
        redact_url("https://user:pw@h.test:8443/p?key=1&b=2")
        == "https://h.test:8443/p?key=***&b=***"
    )
    assert redact_url("https://h.test/p") == "https://h.test/p"


# --- async twin ----------------------------------------------------------------------


class AsyncSleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_async_shares_the_retry_policy() -> None:
    recorder = Recorder(
        httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(500), ok()
    )
    sleeps = AsyncSleeps()

    async def run() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(recorder)) as client:
            return await fetch_json_async(URL, source="test", client=client, sleep=sleeps)

    data = asyncio.run(run())
    assert data["data"][0]["input_cost_per_token"] == Decimal("0.000003")
    assert len(recorder.requests) == 3
    assert sleeps[0] == 3.0 and 0.5 <= sleeps[1] < 1.5


def test_async_errors_match_the_sync_ones(tmp_path: Path) -> None:
    async def run(handler: Handler, location: str = URL) -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await fetch_json_async(
                location,
                source="openrouter",
                client=client,
                sleep=AsyncSleeps(),
                max_attempts=2,
                api_key_env="OPENROUTER_API_KEY",
            )

    with pytest.raises(AuthError, match="OPENROUTER_API_KEY"):
        asyncio.run(run(Recorder(httpx.Response(401))))
    with pytest.raises(FetchError, match="2 attempt"):
        asyncio.run(run(Recorder(httpx.ReadTimeout("slow"))))
    with pytest.raises(PayloadError):
        asyncio.run(run(Recorder(ok(b'{"data": ['))))
    packed = tmp_path / "m.json.gz"
    packed.write_bytes(gzip.compress(BODY))
    assert asyncio.run(run(Recorder(ok()), packed.as_uri()))["data"][0]["id"] == "m"
