"""Leaderboard names to catalog models.

Leaderboards name models for people: `GPT 4o (Aug 2024)`, `Claude Sonnet 3.5 (June 2024)`,
`o3-mini (high)`, `claude-opus-4-1-20250805-thinking-16k`, `Qwen3 235B A22B diff, no think,
Alibaba API`. A name is read in two steps:

1. `parse_name` splits it into the model part and what the leaderboard says about how it
   ran: settings (reasoning effort, thinking budget, temperature; in parentheses, after
   commas or as a known suffix such as `-thinking-16k`, `-high-effort`, `-nothinking`),
   a month-year evaluation date (`(Aug 2024)`), a release stamp (`(0324)` ->
   `-0324`). What it cannot read (an unknown word in parentheses, two models joined by
   `+`) leaves the name unmatched, with the reason.
2. `Catalog.match` looks the model part up among the catalog's names and aliases (read
   from the database at write time) by `identity.model_key`, which already spells word
   orders (`Sonnet 3.5` and `3.5-sonnet`), separators, authors and date stamps alike. A
   key that two catalog models share is never used. A month-year date picks the vendor's
   newest dated snapshot released by the end of that month where the catalog has dated
   snapshots of that model (`GPT 4o (Aug 2024)` -> the `gpt-4o-2024-08-06` alias ->
   `gpt-4o`; `Claude Sonnet 3.5 (June 2024)` -> `claude-3.5-sonnet-20240620`); when every
   known snapshot is newer than the date, the name stays unmatched (it is some earlier
   model), and with no dated snapshot at all the undated model is taken.

Settings never pick another model: they become the score's `variant`
(`reasoning=high`, `thinking=16k`, `snapshot=2024-08-06`), so one model's scores under
several settings are all kept (see `benchmarks.writer` for which one the ranking uses).

Precision before recall: a name is left unmatched rather than matched to a model it may
not be (`tests/data/leaderboard_name_pairs.csv` and `bench/leaderboard_names_eval.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Final

from llm_intelligence import identity

__all__ = ["Catalog", "Match", "ParsedName", "parse_name", "variant_text"]

# Hosts where a bare open-weight name is the base checkpoint: identity's own rule for them.
_BASE_CHECKPOINT_HOST: Final = "replicate"

_MONTHS: Final = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_YEAR_RE: Final = re.compile(r"^(?P<month>[a-z]{3})[a-z]*\.?\s+(?P<year>20\d{2})$")
_ISO_DATE_RE: Final = re.compile(r"^20\d{2}-\d{2}-\d{2}$")
_RELEASE_STAMP_RE: Final = re.compile(r"^\d{4}$")
_PARENS_RE: Final = re.compile(r"\(([^()]*)\)")
_PLUS_RE: Final = re.compile(r"(?<=[a-z0-9])\+(?=$|-)", re.IGNORECASE)
_YY_MM_RE: Final = re.compile(r"-(2[3-9])\.(0[1-9]|1[0-2])$")
_EFFORT_RE: Final = re.compile(r"^(?:reasoning[ =:]*)?(minimal|low|medium|high|xhigh)(?: effort)?$")
_BUDGET_RE: Final = re.compile(r"^(\d+k)(?: (?:thinking|think|reasoning))?(?: tokens)?$")
_NO_THINKING_RE: Final = re.compile(r"^no[ -]?(?:think|thinking|reasoning)$")
_DEFAULT_RE: Final = re.compile(r"^default(?: think| thinking)?$")
_KEY_VALUE_RE: Final = re.compile(r"^([a-z_]+)\s*=\s*([\w.]+)$")
_API_RE: Final = re.compile(r"^([a-z0-9 .-]+) api$")
# Aider runs name their edit format in the model column too; the row states it anyway.
_EDIT_FORMATS: Final = frozenset({"whole", "diff", "diff-fenced", "udiff", "architect"})

# Settings written as suffixes of slug names (LMArena, LiveBench), tried in order, each
# removed from the end: `claude-opus-4-5-20251101-thinking-64k-high-effort`.
_SUFFIX_SETTINGS: Final[tuple[tuple[re.Pattern[str], str, str | None], ...]] = (
    (re.compile(r"-(minimal|low|medium|high|xhigh)-effort$"), "reasoning", None),
    (re.compile(r"-(high)thinking$"), "thinking", None),
    (re.compile(r"-(?:nothinking|no-thinking|non-thinking)$"), "thinking", "off"),
    (re.compile(r"-thinking-(\d+k)$"), "thinking", None),
    (re.compile(r"-thinking-(auto)$"), "thinking", None),
    (re.compile(r"-(bf16|fp16|fp8|int8|int4|awq|gptq)$"), "quantization", None),
)
# A bare effort word at the end (`o3-mini-high`, `gpt-5.1-high`) is a setting only after a
# version or a tier word: `mistral-medium` is a model.
_TRAILING_EFFORT_RE: Final = re.compile(r"-(minimal|low|medium|high|xhigh)$")
_TIER_WORDS: Final = frozenset(
    {"mini", "nano", "pro", "preview", "codex", "max", "flash", "lite", "fast", "beta", "exp"}
)


def _effort_may_follow(head: str) -> bool:
    last = head.rsplit("-", 1)[-1]
    return any(c.isdigit() for c in head) and (
        any(c.isdigit() for c in last) or last in _TIER_WORDS
    )


# Where dated snapshots live in catalog ids: a full date, or a four-digit YYMM release
# (`mistral-large-2402`); MMDD stamps (`deepseek-v3-0324`) carry no year and are skipped.
_FULL_STAMP_RE: Final = re.compile(r"[-@](20\d{2})-?(0[1-9]|1[0-2])-?([0-3]\d)(?:-v\d+(?::\d+)?)?$")
_YYMM_STAMP_RE: Final = re.compile(r"-(2[3-9])(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True)
class ParsedName:
    base: str
    """The model part: settings, dates and decoration removed."""
    settings: dict[str, str] = field(default_factory=dict)
    month: tuple[int, int] | None = None
    """(year, month) of a month-year date in the name."""
    unmatchable: str | None = None
    """Why the name must stay unmatched, or None."""


@dataclass(frozen=True, slots=True)
class Match:
    model_id: int | None
    model_name: str | None
    variant: str
    reason: str | None = None
    """Why it is unmatched (None when matched)."""


def _paren_settings(text: str) -> tuple[dict[str, str], tuple[int, int] | None, str | None, str]:
    """What one parenthesised (or comma-separated) part says: (settings, month, release
    stamp to append, unknown text)."""
    settings: dict[str, str] = {}
    month = None
    stamp = None
    unknown: list[str] = []
    for part in (p.strip() for p in text.lower().split(",")):
        if not part:
            continue
        if m := _MONTH_YEAR_RE.match(part):
            number = _MONTHS.get(m.group("month"))
            if number is None:
                unknown.append(part)
            else:
                month = (int(m.group("year")), number)
        elif _ISO_DATE_RE.match(part):
            settings["snapshot"] = part
        elif _RELEASE_STAMP_RE.match(part):
            stamp = part
        elif m := _EFFORT_RE.match(part):
            settings["reasoning"] = m.group(1)
        elif m := _BUDGET_RE.match(part):
            settings["thinking"] = m.group(1)
        elif _NO_THINKING_RE.match(part):
            settings["thinking"] = "off"
        elif _DEFAULT_RE.match(part):
            settings.setdefault("thinking", "default")
        elif part in ("reasoner", "w/ reasoning", "thinking"):
            settings["thinking"] = "on"
        elif part == "chat":
            settings["thinking"] = "off"
        elif part in ("prev", "previous"):
            settings["release"] = "previous"
        elif part == "reproduced":
            settings["run"] = "reproduced"
        elif part in _EDIT_FORMATS:
            settings["edit_format"] = part
        elif m := _KEY_VALUE_RE.match(part):
            key, value = m.groups()
            if key == "reasoning" and value.isdigit():
                settings["thinking"] = value  # a token budget (Claude)
            elif key in ("reasoning", "temperature", "length"):
                settings[key] = value
            else:
                unknown.append(part)
        elif m := _API_RE.match(part):
            settings["served_by"] = m.group(1).replace(" ", "-")
        else:
            unknown.append(part)
    return settings, month, stamp, ", ".join(unknown)


@lru_cache(maxsize=8192)
def _parse(name: str) -> ParsedName:
    text = " ".join(name.split())
    if " + " in text:
        return ParsedName(base=text, unmatchable="a combination of models (`+`)")
    settings: dict[str, str] = {}
    month: tuple[int, int] | None = None
    stamps: list[str] = []
    unknown: list[str] = []
    for group in _PARENS_RE.findall(text):
        found, found_month, stamp, rest = _paren_settings(group)
        settings |= found
        month = found_month or month
        if stamp:
            stamps.append(stamp)
        if rest:
            unknown.append(rest)
    base = _PARENS_RE.sub(" ", text)
    if "(" in base or ")" in base:
        return ParsedName(base=base.strip(), unmatchable="unbalanced parentheses")
    # `Qwen3 235B A22B diff, no think, Alibaba API`: settings after commas.
    head, *tails = base.split(",")
    for tail in tails:
        words = tail.strip().lower()
        found, found_month, stamp, rest = _paren_settings(words)
        # The first word after the model may be Aider's edit format glued on: `... diff`.
        settings |= found
        month = found_month or month
        if rest:
            unknown.append(rest)
    head_words = head.split()
    if len(head_words) > 1 and head_words[-1].lower() in _EDIT_FORMATS and tails:
        settings["edit_format"] = head_words.pop().lower()
    base = "-".join(head_words + stamps)
    # `Command R+` is Command R Plus; Mistral's `Codestral 25.01` is its YYMM release 2501.
    base = _PLUS_RE.sub("-plus", base)
    base = _YY_MM_RE.sub(r"-\1\2", base)
    if unknown:
        return ParsedName(
            base=base, settings=settings, month=month,
            unmatchable=f"unknown setting {'; '.join(unknown)!r}",
        )  # fmt: skip
    base, suffix_settings = _strip_setting_suffixes(base)
    return ParsedName(base=base, settings=suffix_settings | settings, month=month)


def _strip_setting_suffixes(base: str) -> tuple[str, dict[str, str]]:
    settings: dict[str, str] = {}
    lowered = base.lower()
    changed = True
    while changed:
        changed = False
        for pattern, key, value in _SUFFIX_SETTINGS:
            m = pattern.search(lowered)
            if m is not None and key not in settings:
                settings[key] = value or m.group(1)
                lowered = lowered[: m.start()]
                changed = True
        m = _TRAILING_EFFORT_RE.search(lowered)
        if m is not None and "reasoning" not in settings:
            head = lowered[: m.start()]
            if _effort_may_follow(head):
                settings["reasoning"] = m.group(1)
                lowered = head
                changed = True
    # LiveBench writes Claude without extended thinking as `...-base`: not a base checkpoint.
    if lowered.startswith("claude") and lowered.endswith("-base"):
        lowered = lowered.removesuffix("-base")
        settings.setdefault("thinking", "off")
    return (base[: len(lowered)] if lowered != base.lower() else base), settings


def parse_name(name: str) -> ParsedName:
    """The model part of a leaderboard name and the settings, date and release it states."""
    return _parse(name)


def variant_text(settings: Mapping[str, str]) -> str:
    """`benchmark_scores.variant`: the settings as `key=value`, sorted, comma-separated
    (`reasoning=high,thinking=16k`); '' for the default settings."""
    return ",".join(f"{key}={value}" for key, value in sorted(settings.items()) if value)


def _stamp_of(text: str) -> tuple[str, date] | None:
    """The date stamp ending a catalog id, as (id without it, the date), or None."""
    lowered = text.strip().lower().rsplit("/", 1)[-1]
    if m := _FULL_STAMP_RE.search(lowered):
        try:
            when = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
        return lowered[: m.start()], when
    if m := _YYMM_STAMP_RE.search(lowered):
        return lowered[: m.start()], date(2000 + int(m.group(1)), int(m.group(2)), 1)
    return None


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)  # the first day after the month


class Catalog:
    """The catalog's models, names and aliases, indexed for leaderboard names.

    Built from what the database holds at write time: `names` maps each model name to its
    id, `aliases` each alias to its model's id."""

    def __init__(self, *, names: Mapping[str, int], aliases: Mapping[str, int]) -> None:
        self._names = {model_id: name for name, model_id in names.items()}
        by_key: dict[str, set[int]] = {}
        claimed: dict[str, int] = {}
        for name, model_id in names.items():
            key = identity.model_key(name)
            if key in claimed and claimed[key] != model_id:
                by_key.setdefault(key, {claimed[key]}).add(model_id)
            claimed.setdefault(key, model_id)
        alias_keys: dict[str, set[int]] = {}
        for alias, model_id in aliases.items():
            alias_keys.setdefault(identity.model_key(alias), set()).add(model_id)
        self._ambiguous: set[str] = set()
        self._by_key: dict[str, int] = {}
        for key, model_id in claimed.items():
            shared = by_key.get(key)
            if shared is None:
                self._by_key[key] = model_id
                continue
            # Several catalog names with one key (a serving label the naming rule kept,
            # `duo-chat-haiku-4.5` next to `claude-haiku-4.5`): the name that is the
            # key's own spelling is the model; without one, the key matches nothing.
            spelled = names.get(identity.canonical_model_name(key))
            if spelled in shared:
                self._by_key[key] = spelled
            else:
                self._ambiguous.add(key)
        for key, ids in alias_keys.items():
            if key in claimed or key in self._ambiguous:
                continue  # a name's own key wins over what aliases say
            if len(ids) == 1:
                self._by_key[key] = next(iter(ids))
            else:
                self._ambiguous.add(key)
        self._snapshots: dict[str, dict[date, set[int]]] = {}
        for text, model_id in (*names.items(), *aliases.items()):
            stamped = _stamp_of(text)
            if stamped is None:
                continue
            undated, when = stamped
            self._snapshots.setdefault(identity.model_key(undated), {}).setdefault(when, set()).add(
                model_id
            )

    def name_of(self, model_id: int) -> str:
        return self._names[model_id]

    def lookup(self, text: str, *, bare_names_are_base: bool = False) -> int | None:
        """The one model whose name or alias has the key of `text`, or None."""
        source = _BASE_CHECKPOINT_HOST if bare_names_are_base else None
        return self._by_key.get(identity.model_key(text, source=source))

    def match(
        self,
        leaderboard_name: str,
        *,
        match_ids: Iterable[str] = (),
        settings: Mapping[str, str] | None = None,
        bare_names_are_base: bool = False,
    ) -> Match:
        """The catalog model a leaderboard entry names, with the variant it ran as.

        `match_ids` (a Hugging Face repo id) are tried before the name; `settings` are
        what the leaderboard states outside the name (they win over the name's)."""
        reason = "no catalog model has this name or alias"
        for text in (*match_ids, leaderboard_name):
            parsed = parse_name(text)
            if parsed.unmatchable is not None:
                reason = parsed.unmatchable
                continue
            found, why, snapshot = self._resolve(parsed, bare_names_are_base=bare_names_are_base)
            if found is None:
                reason = why or reason
                continue
            combined = dict(parsed.settings)
            if snapshot is not None:
                combined.setdefault("snapshot", snapshot)
            combined |= settings or {}
            return Match(found, self._names[found], variant_text(combined))
        return Match(None, None, variant_text(settings or {}), reason)

    def _resolve(
        self, parsed: ParsedName, *, bare_names_are_base: bool
    ) -> tuple[int | None, str | None, str | None]:
        """(model id, why not, the snapshot a dated name was read as)."""
        base = parsed.base
        source = _BASE_CHECKPOINT_HOST if bare_names_are_base else None
        key = identity.model_key(base, source=source)
        if key in self._ambiguous:
            return None, f"{key!r} names several catalog models", None
        if parsed.month is not None:
            return self._by_month(key, parsed.month)
        found = self._by_key.get(key)
        if found is None:
            return None, None, None
        snapshot = None
        stamped = _stamp_of(base)
        if stamped is not None and _FULL_STAMP_RE.search(base.lower()):
            # A dated snapshot read as its undated model: the date is the variant.
            snapshot = self._snapshot_variant(found, stamped[1])
        return found, None, snapshot

    def _by_month(
        self, key: str, month: tuple[int, int]
    ) -> tuple[int | None, str | None, str | None]:
        snapshots = self._snapshots.get(key, {})
        if not snapshots:
            found = self._by_key.get(key)
            return found, None, None
        end = _month_end(*month)
        released = sorted(when for when in snapshots if when < end)
        if not released:
            return (
                None,
                f"every dated snapshot of {key!r} is newer than {month[0]}-{month[1]:02d}",
                None,
            )
        newest = released[-1]
        ids = snapshots[newest]
        if len(ids) != 1:
            return None, f"{key!r} of {newest} names several catalog models", None
        found = next(iter(ids))
        return found, None, self._snapshot_variant(found, newest)

    def _snapshot_variant(self, model_id: int, when: date) -> str | None:
        """The snapshot date as a variant, unless the model is that snapshot itself
        (`claude-3.5-sonnet-20240620`)."""
        name = self._names[model_id]
        compact = name.replace("-", "").replace(".", "")
        if when.strftime("%Y%m%d") in compact or name.endswith(when.strftime("-%y%m")):
            return None
        return when.isoformat()
