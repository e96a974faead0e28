"""Every bound an upstream value must fit before it reaches the catalog, in one place.

Upstream payloads are not trusted to be sane: one entry nested hundreds of levels deep,
a 14-byte number literal that expands to 100 MB, a NUL character or a 9,000-character
key must cost that entry alone (a `RejectedRow` with a short reason), never the run.

Where each bound is applied:
- fetch (`fetch.fetch_bytes` and the fetchers built on it): a payload larger than
  `MAX_PAYLOAD_BYTES` (or the `max_bytes=` its source passes) fails that source's run
  with a FetchError, checked while reading, so it is never held in memory whole;
- decode (`fetch.decode_json`): number literals longer than `MAX_NUMBER_LENGTH` or with
  an exponent beyond `MAX_EXPONENT`, and containers nested deeper than `MAX_JSON_DEPTH`,
  become a `Refused` marker in place of the value, so the entry holding them is rejected
  by its collector while the rest of the payload is kept;
- rows (`row_problem`, called by `resolve` for every row of every collector): ids and
  texts Postgres can store and index, integers that fit the `integer` columns, metadata
  the writer's JSON encoder and `jsonb` accept;
- reasons (`clip`, applied by `RejectedRow` itself): every stored or logged rejection
  reason and echoed key is printable and short, whatever the input was.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from llm_intelligence.collectors.rows import PriceRow

__all__ = [
    "INT32_MAX",
    "MAX_ECHO",
    "MAX_EXPONENT",
    "MAX_ID_LENGTH",
    "MAX_JSON_DEPTH",
    "MAX_KEY_ECHO",
    "MAX_METADATA_BYTES",
    "MAX_NUMBER_LENGTH",
    "MAX_PAYLOAD_BYTES",
    "MAX_REASON_LENGTH",
    "MAX_TEXT_LENGTH",
    "Refused",
    "clip",
    "echo",
    "id_problem",
    "metadata_problem",
    "refused_number",
    "row_problem",
]

MAX_PAYLOAD_BYTES = 256 * 1024 * 1024
"""Bytes of one fetched payload as it is held in memory: an HTTP body once its
Content-Encoding is decoded, a mirror file, a `.gz` once decompressed. Checked while
reading (a body or bomb beyond it is never read whole); a source whose payload needs
another bound passes `max_bytes=` to its fetch. The largest real payload, LiteLLM's price
map, is under 60 MB."""
MAX_JSON_DEPTH = 32
"""Containers nested deeper than this (from the payload's root) are refused. Real
payloads nest 6 levels at most; the writer's JSON encoder (orjson) gives up at 255."""
MAX_NUMBER_LENGTH = 100
"""Characters in one number literal. The longest in the four upstreams is 22."""
MAX_EXPONENT = 99
"""Largest decimal exponent (either sign) of a number: `1e100000000` is 14 bytes of JSON
but 100 MB of digits once written out positionally, as prices and metadata are."""
MAX_ID_LENGTH = 256
"""Characters in an id (source key, model/provider id, provider, deployment, canonical
name, alias). Ids are btree-indexed (at most ~2,700 bytes a row) and five of them go into
every price-change notification (pg_notify: under 8,000 bytes): 256 characters of up to 4
UTF-8 bytes each keep both far below their limit. The longest real id is 76."""
MAX_TEXT_LENGTH = 1024
"""Characters in a descriptive text (display name, model family, author, model type)."""
INT32_MAX = 2**31 - 1
"""The `integer` columns (context windows, output limits) hold at most this."""
MAX_METADATA_BYTES = 64 * 1024
"""A row's provider_metadata as JSON; real rows stay under 4 KB."""
MAX_REASON_LENGTH = 500
"""Characters in a stored or logged rejection reason."""
MAX_KEY_ECHO = 200
"""Characters of an upstream key kept in a RejectedRow."""
MAX_ECHO = 80
"""Characters of an upstream value quoted inside a reason."""


class Refused:
    """What the decoder puts in place of a value it would not build (a number too long or
    too large, a container nested too deep). Not a number, string or container, so every
    collector's validation rejects the entry holding it; `reason` says why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"<refused: {self.reason}>"

    __str__ = __repr__


# An exponent of 100 or more, leading zeros aside.
_HUGE_EXPONENT = re.compile(r"[eE][+-]?0*[1-9][0-9]{2,}")


def refused_number(text: str) -> Refused | None:
    """A `Refused` for a number literal that is too long or too large to build, else None."""
    if len(text) > MAX_NUMBER_LENGTH:
        return Refused(
            f"number literal of {len(text):,} characters (at most {MAX_NUMBER_LENGTH}):"
            f" {clip(text, 40)}"
        )
    if ("e" in text or "E" in text) and _HUGE_EXPONENT.search(text):
        return Refused(f"number {clip(text, 40)} has an exponent beyond ±{MAX_EXPONENT}")
    return None


# --- printable, bounded text ------------------------------------------------------------

# C0/C1 controls (NUL cannot be stored at all) and lone surrogates (not encodable as UTF-8,
# refused by jsonb even when escaped).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _printable(text: str) -> str:
    return _UNPRINTABLE.sub(_escape, text)


def clip(text: str, limit: int = MAX_REASON_LENGTH) -> str:
    """`text` made printable (control characters and lone surrogates escaped) and at most
    `limit` characters: a longer one keeps its start and its end, which usually names the
    problem, around a note with the original length. Cost is bounded by `limit`, not by
    the size of `text`."""
    if len(text) <= limit and _UNPRINTABLE.search(text) is None:
        return text
    size = len(text)
    head, tail = _printable(text[:limit]), _printable(text[-limit:] if size > limit else "")
    if size <= limit and len(head) <= limit:
        return head
    note = f" … [{size:,} characters, shortened] … "
    room = max(limit - len(note), 2)
    if not tail:  # short input that grew by escaping: its end is in `head`
        tail = head
    keep_head = room * 2 // 3
    return head[:keep_head] + note + tail[-(room - keep_head) :]


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = MAX_ECHO
_REPR.maxlevel = 2


def echo(value: object, limit: int = MAX_ECHO) -> str:
    """A short, printable repr of an upstream value for a reason or log line."""
    if isinstance(value, str):  # clipped whole, so the note gives its real length
        return f"'{clip(value, max(limit - 2, 1))}'"
    try:
        text = _REPR.repr(value)
    except ValueError:  # an int beyond Python's int-to-string digit limit
        text = f"<{type(value).__name__} too large to show>"
    return clip(text, limit)


# --- rows --------------------------------------------------------------------------------


def _text_problem(name: str, value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    if len(value) > limit:
        return f"{name} is {len(value):,} characters long (at most {limit}): {echo(value, 40)}"
    if (bad := _UNPRINTABLE.search(value)) is not None:
        return f"{name} holds the character {_escape(bad)}, not allowed here: {echo(value, 60)}"
    return None


def _count_problem(name: str, value: int | None) -> str | None:
    # Zero and negative limits are `resolve`'s to judge (a row's are refused, a model's
    # mean "unknown"); here only what the integer column cannot hold.
    if value is not None and value > INT32_MAX:
        return f"{name} {echo(value, 40)} is more than the {INT32_MAX:,} an integer column holds"
    return None


class _Unstorable(TypeError):
    pass


def _refuse_in_metadata(value: Any) -> Any:
    """orjson's `default`: Decimals and the like as text, as the writer stores them; a
    `Refused` marker is a reason to reject the row."""
    if isinstance(value, Refused):
        raise _Unstorable(value.reason)
    return str(value)


def metadata_problem(name: str, metadata: Mapping[str, Any]) -> str | None:
    """Why `metadata` cannot go into a jsonb column as the writer encodes it, or None."""
    try:
        encoded = orjson.dumps(metadata, default=_refuse_in_metadata)
    except TypeError as e:  # orjson.JSONEncodeError: surrogates, >64-bit ints, too deep
        cause = e.__cause__ if isinstance(e.__cause__, _Unstorable) else e
        return f"{name} cannot be stored as JSON: {cause}"
    if len(encoded) > MAX_METADATA_BYTES:
        return f"{name} is {len(encoded):,} bytes of JSON (at most {MAX_METADATA_BYTES:,})"
    if b"\\u0000" in encoded:  # jsonb cannot hold NUL
        return f"{name} holds a NUL character"
    return None


# Free text (names, families) is cleaned rather than judged: upstream display names carry
# stray tabs and newlines (models.dev: 'DeepSeek R1 (Turbo)\t'), which say nothing about
# the price the row carries.
_BLANKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def tidy(text: str | None) -> str | None:
    """Free text as stored: every run of whitespace or control characters becomes one
    space, the ends are stripped, lone surrogates become U+FFFD; None if nothing is left."""
    if text is None:
        return None
    cleaned = _SURROGATES.sub("\ufffd", _BLANKS.sub(" ", text)).strip()
    return cleaned or None


def _ids(row: PriceRow) -> Iterator[tuple[str, str | None]]:
    yield "source_key", row.source_key
    yield "model id", row.model.source_model_id
    yield "provider_id", row.provider_id
    yield "provider_name", row.provider_name
    yield "gateway", row.gateway
    yield "deployment", row.deployment


def _codes(row: PriceRow) -> Iterator[tuple[str, str | None]]:
    yield "author", row.model.author
    yield "model_type", row.model.model_type
    yield "quantization", row.quantization


def _free_texts(row: PriceRow) -> Iterator[tuple[str, str | None]]:
    yield "display_name", row.model.display_name
    yield "model_family", row.model.model_family


def row_problem(row: PriceRow) -> str | None:
    """The first reason the catalog could not store `row` as it is, or None.

    Checked for every row of every collector (in `resolve`), so a new collector cannot
    forget a limit. Prices and the other CHECK ranges are checked next to them in
    `resolve`; this covers what the column types, indexes and encoders impose.
    """
    for name, value in _ids(row):
        if problem := _text_problem(name, value, MAX_ID_LENGTH):
            return problem
    for name, value in _codes(row):
        if problem := _text_problem(name, value, MAX_TEXT_LENGTH):
            return problem
    for name, value in _free_texts(row):  # stored through `tidy`: only the length counts
        if value is not None and len(value) > MAX_TEXT_LENGTH:
            return f"{name} is {len(value):,} characters long (at most {MAX_TEXT_LENGTH})"
    for name, count in (
        ("context_window", row.context_window),
        ("max_output_tokens", row.max_output_tokens),
        ("model context_window", row.model.context_window),
        ("model max_output_tokens", row.model.max_output_tokens),
    ):
        if problem := _count_problem(name, count):
            return problem
    for flag in row.model.capabilities:
        if problem := _text_problem("capability", flag, MAX_ID_LENGTH):
            return problem
    return metadata_problem("provider_metadata", row.provider_metadata) or metadata_problem(
        "rate_limits", row.rate_limits
    )


def id_problem(name: str, value: str) -> str | None:
    """Why `value` cannot be an id (too long, a control character), or None."""
    return _text_problem(name, value, MAX_ID_LENGTH)
