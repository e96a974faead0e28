"""The one fetch layer for every collector: an HTTP(S) GET with retries, or a local file.

    fetch_json(location, source=...)          sync, over httpx.Client
    fetch_json_async(location, source=...)    async, over httpx.AsyncClient
    fetch_bytes(location, source=...)         the body itself (YAML, CSV), same policy
      http(s) URL     GET with a timeout; connect/read errors, 408, 425, 429 and 5xx are
                      retried with exponential backoff and jitter, or after the server's
                      Retry-After (seconds or HTTP-date, capped at 60 s)
      path, file://   a mirror for air-gapped installs; `*.gz` is decompressed
      -> the JSON document, floats parsed as Decimal (money stays exact)

Every payload is bounded while it is read: at most `limits.MAX_PAYLOAD_BYTES` (or the
call's `max_bytes=`), counted after decompression. An HTTP body is streamed (refused
before reading when its Content-Length is already too large; a gzip Content-Encoding and
a `.gz` payload are inflated a step at a time), a file is measured before it is read, and
the read stops as soon as the bound is passed: a FetchError naming the source, the
location, the limit and how far it got, never retried (a retry would read it again).

`decode_json` is the one JSON decoder (the models.dev snapshot loader uses it too). It
never builds an absurd value: a number literal too long or with a huge exponent, or a
container nested deeper than `limits.MAX_JSON_DEPTH`, is replaced by a `limits.Refused`
marker, so the one entry holding it is rejected with that reason and the rest is kept.
Only a document nested beyond what the decoder can parse at all (about 1,000 levels,
Python's recursion limit) fails as a whole, with a PayloadError saying so.

Both loops ask the same pure function, `decide_retry`, what to do with each outcome.

Errors (see `llm_intelligence.errors`), each naming the source:
    AuthError      401/403: never retried; the message names the env var of the key
    FetchError     other 4xx, retries exhausted, missing/unreadable file, too large, a
                   corrupt gzip Content-Encoding (as httpx reports it)
    PayloadError   a truncated or non-JSON body, a corrupt .gz payload (no partial data)

Header values (API keys) are never logged, and URLs are logged without query values.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import math
import os
import random
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit
from urllib.request import url2pathname

import httpx

from llm_intelligence.collectors.limits import (
    MAX_JSON_DEPTH,
    MAX_PAYLOAD_BYTES,
    Refused,
    refused_number,
)
from llm_intelligence.errors import AuthError, FetchError, PayloadError, SourceError

__all__ = [
    "MAX_BACKOFF_SECONDS",
    "MAX_RETRY_AFTER_SECONDS",
    "USER_AGENT",
    "Decision",
    "decide_retry",
    "decode_json",
    "describe_location",
    "fetch_bytes",
    "fetch_json",
    "fetch_json_async",
    "new_client",
    "parse_retry_after",
    "redact_url",
]

logger = logging.getLogger(__name__)

USER_AGENT = "llm-intelligence/0.1 (+httpx)"
MAX_RETRY_AFTER_SECONDS = 60.0
"""A Retry-After longer than this is shortened: a sync run should not stall for hours."""
MAX_BACKOFF_SECONDS = 30.0

# 408/425 are the server asking for a retry; every 5xx is retried as well.
_RETRY_STATUSES = frozenset({408, 425, 429})
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib reads the gzip header and checks its trailer
_INFLATE_STEP = 1024 * 1024
"""Most bytes one zlib call may inflate: how far past the limit a gzip bomb gets."""
_MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do after one attempt. Neither field set: the response is good."""

    delay: float | None = None
    """Retry after this many seconds."""
    error: SourceError | None = None
    """Give up and raise this."""
    reason: str = ""
    """What went wrong (for the retry log line)."""

    @property
    def done(self) -> bool:
        return self.delay is None and self.error is None


def redact_url(url: str) -> str:
    """The URL without credentials and with query values masked, for logs and messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    query = "&".join(f"{name}=***" for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def _checked_url(location: str, *, source: str) -> str:
    """The redacted URL, or a FetchError naming the source when it cannot be parsed."""
    try:
        httpx.URL(location)
        return redact_url(location)
    except (ValueError, httpx.InvalidURL) as e:
        # Not the URL itself in the message: it may carry credentials.
        raise FetchError(f"{source}: the configured URL is malformed: {e}") from e


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), if valid."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _backoff(attempt: int, *, backoff_base: float, jitter: float) -> float:
    """Exponential backoff, spread by jitter in [0, 1) over 0.5x..1.5x of the step."""
    step = min(MAX_BACKOFF_SECONDS, backoff_base * 2.0 ** (attempt - 1))
    return step * (0.5 + jitter)


def decide_retry(
    outcome: httpx.Response | httpx.RequestError,
    *,
    source: str,
    url: str,
    attempt: int,
    max_attempts: int,
    backoff_base: float,
    jitter: float,
    now: datetime,
    api_key_env: str | None = None,
) -> Decision:
    """The retry policy shared by the sync and async loops (pure: no I/O, no clock).

    `attempt` counts from 1; `jitter` is a random number in [0, 1); `url` is already
    redacted. Errors name the source and the URL, never a header.
    """
    if isinstance(outcome, httpx.Response):
        status = outcome.status_code
        if 200 <= status < 300:
            return Decision()
        what = f"HTTP {status} ({outcome.reason_phrase or 'no reason'})"
        if status < 400:
            return Decision(
                error=FetchError(f"{source}: {url} answered {what}, a redirect not followed"),
                reason=what,
            )
        if status in (401, 403):
            hint = f"; set {api_key_env} to a valid key" if api_key_env else ""
            return Decision(
                error=AuthError(
                    f"{source}: {url} answered {what}: the API key is missing, invalid "
                    f"or not allowed here{hint}"
                ),
                reason=what,
            )
        if status not in _RETRY_STATUSES and status < 500:
            return Decision(error=FetchError(f"{source}: {url} answered {what}"), reason=what)
        server_delay = parse_retry_after(outcome.headers.get("retry-after"), now=now)
    elif isinstance(
        outcome, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
    ):
        what = f"{type(outcome).__name__}: {outcome}"
        server_delay = None
    else:
        # Redirect loops, unsupported schemes, proxy and local protocol errors: retrying
        # cannot help.
        what = f"{type(outcome).__name__}: {outcome}"
        return Decision(error=FetchError(f"{source}: {url} failed: {what}"), reason=what)

    if attempt >= max_attempts:
        return Decision(
            error=FetchError(f"{source}: {url} failed after {attempt} attempt(s): {what}"),
            reason=what,
        )
    if server_delay is not None:
        delay = min(server_delay, MAX_RETRY_AFTER_SECONDS)
    else:
        delay = _backoff(attempt, backoff_base=backoff_base, jitter=jitter)
    return Decision(delay=delay, reason=what)


def is_remote(location: str) -> bool:
    """Whether a location is an http(s) URL (fetched over the network) rather than a file
    path or file:// URL (read from disk): the one test every source uses."""
    return urlsplit(location).scheme.lower() in ("http", "https")


def _local_path(location: str, *, source: str) -> Path | None:
    """The file a location names, or None for an http(s) URL."""
    if is_remote(location):
        return None
    parts = urlsplit(location)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise FetchError(f"{source}: remote file URL is not supported: {location}")
        return Path(url2pathname(unquote(parts.path)))
    if "://" in location:
        raise FetchError(f"{source}: unsupported location {redact_url(location)!r}")
    return Path(location).expanduser()


def _size(count: int) -> str:
    """A byte count for a message: `256 MiB`, `256.0 MiB`, `1,000 bytes`."""
    if count < _MIB:
        return f"{count:,} bytes"
    return f"{count // _MIB} MiB" if count % _MIB == 0 else f"{count / _MIB:.1f} MiB"


def _too_large(source: str, where: str, limit: int, *, got: str) -> FetchError:
    return FetchError(f"{source}: {where} is larger than the {_size(limit)} limit ({got})")


def _check_max_bytes(max_bytes: int) -> None:
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be at least 1, got {max_bytes}")


class _Capped:
    """Bytes gathered chunk by chunk, failing as soon as they pass `limit`."""

    def __init__(self, *, source: str, where: str, limit: int, verb: str = "read") -> None:
        self.source, self.where, self.limit, self.verb = source, where, limit, verb
        self.data = bytearray()

    def add(self, chunk: bytes) -> None:
        self.data += chunk
        if len(self.data) > self.limit:
            got = f"{self.verb} {len(self.data) / _MIB:.1f} MiB before stopping"
            if len(self.data) < _MIB:
                got = f"{self.verb} {len(self.data):,} bytes before stopping"
            raise _too_large(self.source, self.where, self.limit, got=got)

    def result(self) -> bytes:
        return bytes(self.data)


class _Inflater:
    """gzip decompressed as its bytes arrive, at most `_INFLATE_STEP` bytes per zlib call,
    so whoever collects the output can stop a bomb early.

    `every_member`: read concatenated members and zero padding as `gzip.decompress` does
    (a `.gz` payload); else stop after the first member, as httpx decodes a gzip
    Content-Encoding. zlib checks each member's CRC and length."""

    def __init__(self, *, every_member: bool) -> None:
        self.every_member = every_member
        self.zlib = zlib.decompressobj(wbits=_GZIP_WBITS)
        self.ended = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while not self.ended:
            if self.zlib.eof:
                if not self.every_member:
                    self.ended = True
                    return
                data = data.lstrip(b"\x00")
                if not data:
                    return
                self.zlib = zlib.decompressobj(wbits=_GZIP_WBITS)
            piece = self.zlib.decompress(data, _INFLATE_STEP)
            if piece:
                yield piece
            data = self.zlib.unused_data if self.zlib.eof else self.zlib.unconsumed_tail
            # Input used up and output not cut at the step: nothing more until more input.
            if not data and (self.zlib.eof or len(piece) < _INFLATE_STEP):
                return

    @property
    def complete(self) -> bool:
        return self.zlib.eof


def _gunzip(data: bytes, *, source: str, where: str, limit: int) -> bytes:
    inflater = _Inflater(every_member=True)
    out = _Capped(source=source, where=where, limit=limit, verb="decompressed")
    try:
        for piece in inflater.feed(data):
            out.add(piece)
    except zlib.error as e:
        raise PayloadError(f"{source}: {where} is not a complete gzip file: {e}") from e
    if not inflater.complete:
        raise PayloadError(
            f"{source}: {where} is not a complete gzip file: it ends before the end of "
            "its compressed stream"
        )
    return out.result()


def _read_file(path: Path, *, source: str, limit: int) -> bytes:
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > limit:
                raise _too_large(source, str(path), limit, got=f"{_size(size)} on disk; not read")
            # At most limit + 1 bytes, whatever the file became since fstat (or a FIFO).
            data = file.read(size + 1)
            if len(data) > size:
                data += file.read(limit - len(data) + 1)
    except FileNotFoundError as e:
        raise FetchError(f"{source}: no such file: {path}") from e
    except OSError as e:
        raise FetchError(f"{source}: cannot read {path}: {e.strerror or e}") from e
    except ValueError as e:  # a NUL in the path (a mirror path built from an upstream id)
        raise FetchError(f"{source}: cannot read {path!r}: {e}") from e
    if len(data) > limit:
        raise _too_large(source, str(path), limit, got=f"read {_size(len(data))} before stopping")
    if path.suffix == ".gz":
        return _gunzip(data, source=source, where=str(path), limit=limit)
    return data


def _content_length(response: httpx.Response) -> int | None:
    try:
        return int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None


class _BodyReader:
    """The body of a good streamed response, read up to a limit.

    Refused unread when an unencoded body's Content-Length passes the limit. A gzip
    Content-Encoding is inflated here, a step at a time, from the raw stream (as httpx
    would: the first member, a truncated stream kept as far as it goes, a corrupt one an
    httpx.DecodingError); other encodings are left to httpx, checked chunk by chunk. A
    response already read (built from bytes, as tests do) is already decoded."""

    def __init__(self, response: httpx.Response, *, source: str, url: str, limit: int) -> None:
        self.response = response
        self.out = _Capped(source=source, where=url, limit=limit)
        codings = [
            c.strip().lower() for c in response.headers.get("content-encoding", "").split(",")
        ]
        codings = [c for c in codings if c and c != "identity"]
        decoded = response.is_stream_consumed
        gzipped = codings == ["gzip"] and not decoded
        self.inflater = _Inflater(every_member=False) if gzipped else None
        self.raw = not decoded and (gzipped or not codings)
        length = _content_length(response)
        if not codings and length is not None and length > limit:
            raise _too_large(source, url, limit, got=f"Content-Length: {_size(length)}; not read")

    def add(self, chunk: bytes) -> None:
        if self.inflater is None:
            self.out.add(chunk)
            return
        try:
            for piece in self.inflater.feed(chunk):
                self.out.add(piece)
        except zlib.error as e:
            raise httpx.DecodingError(str(e), request=self.response.request) from e

    def result(self) -> bytes:
        return self.out.result()


def _read_body(response: httpx.Response, *, source: str, url: str, limit: int) -> bytes:
    reader = _BodyReader(response, source=source, url=url, limit=limit)
    for chunk in response.iter_raw() if reader.raw else response.iter_bytes():
        reader.add(chunk)
    return reader.result()


async def _aread_body(response: httpx.Response, *, source: str, url: str, limit: int) -> bytes:
    reader = _BodyReader(response, source=source, url=url, limit=limit)
    chunks: AsyncIterator[bytes] = response.aiter_raw() if reader.raw else response.aiter_bytes()
    async for chunk in chunks:
        reader.add(chunk)
    return reader.result()


def _unpack(data: bytes, *, source: str, url: str, limit: int) -> bytes:
    # A `.gz` object served without Content-Encoding arrives still compressed; with
    # Content-Encoding: gzip it has already been decoded.
    if urlsplit(url).path.endswith(".gz") and data[:2] == _GZIP_MAGIC:
        return _gunzip(data, source=source, where=url, limit=limit)
    return data


class NonFiniteNumber(float):
    """NaN or +-Infinity as a payload wrote it: not JSON, but Python's parser accepts them.
    A float in every way, only marked: the payload fingerprint must tell NaN from null, and
    the fast encoder it uses writes a plain NaN as null."""


def _guarded_float(parse_float: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        refused = refused_number(text)
        return parse_float(text) if refused is None else refused

    return parse


def _guarded_int(text: str) -> Any:
    # Also keeps Python's int-string limit (4,300 digits) from failing the whole payload.
    refused = refused_number(text)
    return int(text) if refused is None else refused


def _cut_deep(document: Any) -> Any:
    """Replace, in place, every container nested deeper than MAX_JSON_DEPTH levels with a
    Refused marker. Iterative: the nesting it cuts is what recursion cannot afford."""
    if not isinstance(document, dict | list):
        return document
    stack: list[tuple[dict[Any, Any] | list[Any], int]] = [(document, 1)]
    while stack:
        container, depth = stack.pop()
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, value in items:
            if isinstance(value, dict | list):
                if depth >= MAX_JSON_DEPTH:
                    # Assigning to an existing key or index: safe while iterating.
                    container[key] = Refused(f"nested deeper than {MAX_JSON_DEPTH} levels")
                else:
                    stack.append((value, depth + 1))
    return document


def decode_json(
    data: bytes | str, *, source: str, where: str, parse_float: Callable[[str], Any] = Decimal
) -> Any:
    """Parse a JSON document (floats with `parse_float`, NaN/Infinity as NonFiniteNumber),
    refusing absurd numbers and nesting value by value (see the module docstring)."""
    try:
        document = json.loads(
            data,
            parse_float=_guarded_float(parse_float),
            parse_int=_guarded_int,
            parse_constant=NonFiniteNumber,
        )
    except RecursionError as e:
        raise PayloadError(
            f"{source}: {where} is nested too deeply for the JSON decoder (about "
            "1,000 levels); no entry of it was read"
        ) from e
    except ValueError as e:
        # JSONDecodeError (truncated/not JSON) and UnicodeDecodeError.
        raise PayloadError(
            f"{source}: {where} is not valid JSON (truncated or not JSON): {e}"
        ) from e
    return _cut_deep(document)


def _check_attempts(max_attempts: int) -> None:
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")


def _log_retry(
    decision: Decision, *, source: str, url: str, attempt: int, max_attempts: int
) -> None:
    logger.warning(
        "%s: GET %s failed (%s); retry %d of %d in %.2f s",
        source,
        url,
        decision.reason,
        attempt,
        max_attempts - 1,
        decision.delay,
    )


def _retry_policy(
    *, source: str, url: str, max_attempts: int, backoff_base: float, api_key_env: str | None
) -> Generator[float, httpx.Response | httpx.RequestError, None]:
    """The retry loop without I/O, shared by the sync and async fetchers. Prime it with
    next(), then send each attempt's outcome: it yields the delay before the next attempt,
    returns when the response is good (its body already read by the loop), or raises the
    error that ends the fetch."""
    outcome = yield 0.0
    attempt = 1
    while True:
        decision = decide_retry(
            outcome,
            source=source,
            url=url,
            attempt=attempt,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            jitter=random.random(),
            now=datetime.now(UTC),
            api_key_env=api_key_env,
        )
        if decision.error is not None:
            raise decision.error from (outcome if isinstance(outcome, Exception) else None)
        if isinstance(outcome, httpx.Response) and decision.done:
            return
        _log_retry(decision, source=source, url=url, attempt=attempt, max_attempts=max_attempts)
        outcome = yield decision.delay or 0.0
        attempt += 1


def fetch_json(
    location: str,
    *,
    source: str,
    client: httpx.Client | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    max_attempts: int = 4,
    backoff_base: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    api_key_env: str | None = None,
    parse_float: Callable[[str], Any] = Decimal,
    max_bytes: int = MAX_PAYLOAD_BYTES,
) -> Any:
    """GET `location` (http(s) URL, file path or file:// URL) and return its JSON.

    `source` names the upstream in errors and logs. `client` is reused when given (and
    left open), else one is made and closed. `api_key_env` is the environment variable
    an AuthError tells the user to set. Floats are parsed with `parse_float` (Decimal by
    default, so prices stay exact). `max_bytes` bounds the payload (decompressed).
    """
    data = fetch_bytes(
        location,
        source=source,
        client=client,
        headers=headers,
        timeout=timeout,
        max_attempts=max_attempts,
        backoff_base=backoff_base,
        sleep=sleep,
        api_key_env=api_key_env,
        max_bytes=max_bytes,
    )
    return decode_json(
        data,
        source=source,
        where=describe_location(location, source=source),
        parse_float=parse_float,
    )


def describe_location(location: str, *, source: str) -> str:
    """How errors name a location: the file path, or the URL without secrets."""
    path = _local_path(location, source=source)
    return str(path) if path is not None else redact_url(location)


def fetch_bytes(
    location: str,
    *,
    source: str,
    client: httpx.Client | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    max_attempts: int = 4,
    backoff_base: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    api_key_env: str | None = None,
    max_bytes: int = MAX_PAYLOAD_BYTES,
) -> bytes:
    """The body at `location` (http(s) URL, file path or file:// URL), with the same
    retries, errors, gzip handling and size bound as `fetch_json`: for payloads that are
    not JSON (the leaderboards' YAML and CSV)."""
    _check_attempts(max_attempts)
    _check_max_bytes(max_bytes)
    path = _local_path(location, source=source)
    if path is not None:
        return _read_file(path, source=source, limit=max_bytes)

    url = _checked_url(location, source=source)
    policy = _retry_policy(
        source=source,
        url=url,
        max_attempts=max_attempts,
        backoff_base=backoff_base,
        api_key_env=api_key_env,
    )
    next(policy)
    http = client if client is not None else new_client(timeout=timeout)
    try:
        while True:
            outcome: httpx.Response | httpx.RequestError
            body = b""
            try:
                with http.stream("GET", location, headers=headers, timeout=timeout) as response:
                    # Only a good response's body is read, and only up to the limit: an
                    # error page is judged by its status and headers alone.
                    if response.is_success:
                        body = _read_body(response, source=source, url=url, limit=max_bytes)
                    outcome = response
            except httpx.RequestError as e:
                outcome = e
            try:
                delay = policy.send(outcome)
            except StopIteration:
                return _unpack(body, source=source, url=url, limit=max_bytes)
            sleep(delay)
    finally:
        if client is None:
            http.close()


async def fetch_json_async(
    location: str,
    *,
    source: str,
    client: httpx.AsyncClient | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    max_attempts: int = 4,
    backoff_base: float = 0.5,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    api_key_env: str | None = None,
    parse_float: Callable[[str], Any] = Decimal,
    max_bytes: int = MAX_PAYLOAD_BYTES,
) -> Any:
    """The async twin of `fetch_json` (same policy, same errors, same bound) over
    httpx.AsyncClient."""
    _check_attempts(max_attempts)
    _check_max_bytes(max_bytes)
    path = _local_path(location, source=source)
    if path is not None:
        data = await asyncio.to_thread(_read_file, path, source=source, limit=max_bytes)
        return decode_json(data, source=source, where=str(path), parse_float=parse_float)

    url = _checked_url(location, source=source)
    policy = _retry_policy(
        source=source,
        url=url,
        max_attempts=max_attempts,
        backoff_base=backoff_base,
        api_key_env=api_key_env,
    )
    next(policy)
    http = client if client is not None else _new_async_client(timeout)
    try:
        while True:
            outcome: httpx.Response | httpx.RequestError
            body = b""
            try:
                async with http.stream(
                    "GET", location, headers=headers, timeout=timeout
                ) as response:
                    if response.is_success:
                        body = await _aread_body(response, source=source, url=url, limit=max_bytes)
                    outcome = response
            except httpx.RequestError as e:
                outcome = e
            try:
                delay = policy.send(outcome)
            except StopIteration:
                data = _unpack(body, source=source, url=url, limit=max_bytes)
                return decode_json(data, source=source, where=url, parse_float=parse_float)
            await sleep(delay)
    finally:
        if client is None:
            await http.aclose()


def new_client(*, timeout: float = 30.0, max_connections: int = 10) -> httpx.Client:
    """The client `fetch_json` makes for itself, for callers that reuse one across requests."""
    return httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=max_connections),
    )


def _new_async_client(timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}
    )
