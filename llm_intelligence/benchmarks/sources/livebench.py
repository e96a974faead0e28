"""LiveBench (a dated table CSV and its categories JSON): monthly-refreshed questions
with objective answers, scored 0-100 per task.

One row per model and task (`livebench-<task>`), with LiveBench's own category in the
metadata (`livebench_category`) and the ranking category `CATEGORY_MAP` gives that
category (a task of a category it lacks is rejected, said once per run). Every task is
graded against a ground truth with free-form answers or partial credit, so chance is 0.
The release date in the file names is the test date.

The site publishes `table_<date>.csv` next to `categories_<date>.json` (its repository's
`public/` folder) and has no "latest" URL. Which release is read:

- `LLM_INTEL_LIVEBENCH_URL` set (a table's URL or file): that table, and the categories
  file of the same folder and date;
- offline (`LLM_INTEL_BENCHMARKS_DIR`): the newest date for which the mirror folder holds
  both `livebench_table_<date>.csv` and `livebench_categories_<date>.json`;
- otherwise the newest date for which GitHub's listing of the repository's `public/`
  folder shows both files (`GITHUB_TOKEN`, when set, is sent: unauthenticated calls are
  limited to 60 an hour). When that listing cannot be had or shows no complete pair, the
  pinned release (`DEFAULT_URL`) is read, with a warning naming the reason.

The run records which release was read and how it was found (`collector_runs.details`
-> `notes`: `release`, `release_found`, and `discovery_failed` with the reason).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from llm_intelligence.benchmarks.rows import (
    Benchmark,
    Category,
    ParsedLeaderboard,
    Scale,
    ScoreRow,
    score_value,
)
from llm_intelligence.collectors.fetch import (
    describe_location,
    fetch_bytes,
    fetch_json,
    is_remote,
)
from llm_intelligence.collectors.limits import clip
from llm_intelligence.collectors.rows import RejectedRow
from llm_intelligence.errors import AuthError, ConfigError, FetchError, PayloadError, SourceError

logger = logging.getLogger(__name__)

SOURCE = "livebench"
PINNED_RELEASE = "2026_01_08"
"""The release read when the newest one cannot be found (see `discover`)."""
DEFAULT_URL = f"https://livebench.ai/table_{PINNED_RELEASE}.csv"
CONTENTS_URL = "https://api.github.com/repos/LiveBench/livebench.github.io/contents/public"
"""GitHub's listing of the site repository's `public/` folder, where the dated files live."""
TOKEN_ENV = "GITHUB_TOKEN"
GITHUB_API_VERSION = "2022-11-28"
DISCOVERY_ATTEMPTS = 2
"""Few: a failed listing costs nothing but the newest release (the pinned one is read)."""
MIRROR_PREFIX = "livebench_"
ORGANIZATION = "LiveBench"
TABLE_RE = re.compile(r"table_(\d{4})_(\d{2})_(\d{2})\.csv$")
# A release's two files: `table_<date>.csv` and `categories_<date>.json`.
_RELEASE_FILE = re.compile(
    r"(?:(table)_(\d{4}_\d{2}_\d{2})\.csv|(categories)_(\d{4}_\d{2}_\d{2})\.json)"
)
CATEGORY_MAP = {
    "coding": Category.CODING,
    "agentic coding": Category.AGENTIC,
    "mathematics": Category.MATH,
    "math": Category.MATH,
    "reasoning": Category.REASONING,
    "data analysis": Category.REASONING,
    "language": Category.GENERAL,
    "if": Category.GENERAL,
    "instruction following": Category.GENERAL,
}


class Found(StrEnum):
    """How the release read was chosen (`notes.release_found` of the run)."""

    CONFIGURED = "configured"
    """LLM_INTEL_LIVEBENCH_URL names the table."""
    DISCOVERED = "discovered"
    """The newest complete pair in GitHub's listing of the site's `public/` folder."""
    FALLBACK = "fallback"
    """The pinned release: the listing failed or showed no complete pair."""
    MIRROR = "mirror"
    """The newest complete pair in the offline mirror folder."""


@dataclass(frozen=True, slots=True)
class Release:
    """One dated release: where its two files are, and how it was chosen."""

    table: str
    categories: str
    stamp: str | None
    """`2026_01_08` (None: a configured table whose name carries no date)."""
    found: Found
    reason: str | None = None
    """Why discovery failed (Found.FALLBACK only)."""

    @property
    def released(self) -> date | None:
        return stamp_date(self.stamp) if self.stamp is not None else None

    def notes(self) -> dict[str, str]:
        """What the run records about it."""
        notes = {"release": self.stamp or "unknown", "release_found": str(self.found)}
        if self.reason is not None:
            notes["discovery_failed"] = self.reason
        return notes

    def describe(self) -> str:
        how = f"{self.found}: {self.reason}" if self.reason else str(self.found)
        return f"release {self.stamp or 'unknown'}, {how}"


@dataclass(frozen=True, slots=True)
class Payload:
    table: str
    categories: dict[str, list[str]]
    release: Release
    """Part of the payload's fingerprint too: which release, and how it was found."""

    @property
    def released(self) -> date | None:
        return self.release.released


def categories_location(table_location: str) -> str:
    """`.../table_2026_01_08.csv` -> `.../categories_2026_01_08.json`."""
    head, sep, tail = table_location.rpartition("table_")
    if not sep:
        raise PayloadError(f"{SOURCE}: {table_location} is not a table_<date>.csv location")
    return f"{head}categories_{tail.removesuffix('.csv')}.json"


def stamp_date(stamp: str) -> date | None:
    """`2026_01_08` -> 2026-01-08; None when it is no calendar date."""
    try:
        year, month, day = (int(part) for part in stamp.split("_"))
        return date(year, month, day)
    except ValueError:
        return None


def release_of(location: str) -> date | None:
    m = TABLE_RE.search(urlsplit(location).path if "://" in location else location)
    return stamp_date(f"{m[1]}_{m[2]}_{m[3]}") if m else None


def newest_pair(names: Iterable[str], *, prefix: str = "") -> tuple[str, str, str] | None:
    """(date, table name, categories name) of the newest date for which both files are
    among `names` (each `<prefix>table_<date>.csv`, `<prefix>categories_<date>.json`);
    None when no date has both. A newer table without its categories file (a release
    being uploaded) is passed over, and said so."""
    tables: set[str] = set()
    categories: set[str] = set()
    for name in names:
        m = _RELEASE_FILE.fullmatch(name.removeprefix(prefix)) if name.startswith(prefix) else None
        if m is None or stamp_date(m[2] or m[4]) is None:
            continue
        if m[1]:
            tables.add(m[2])
        else:
            categories.add(m[4])
    complete = tables & categories
    if not complete:
        return None
    newest = max(complete)  # yyyy_mm_dd: text order is date order
    incomplete = sorted(d for d in tables ^ categories if d > newest)
    if incomplete:
        logger.info(
            "%s: release(s) %s newer than %s lack their table or categories file; not read",
            SOURCE,
            ", ".join(incomplete),
            newest,
        )
    return newest, f"{prefix}table_{newest}.csv", f"{prefix}categories_{newest}.json"


def configured_release(location: str) -> Release:
    """The table LLM_INTEL_LIVEBENCH_URL names, with the categories file next to it."""
    released = release_of(location)
    return Release(
        table=location,
        categories=categories_location(location),
        stamp=released.strftime("%Y_%m_%d") if released else None,
        found=Found.CONFIGURED,
    )


def pinned_release(reason: str) -> Release:
    return Release(
        table=DEFAULT_URL,
        categories=categories_location(DEFAULT_URL),
        stamp=PINNED_RELEASE,
        found=Found.FALLBACK,
        reason=reason,
    )


def mirror_release(folder: Path) -> Release:
    """The newest complete pair in the offline mirror folder."""
    try:
        names = [p.name for p in folder.iterdir()]
    except OSError as e:
        raise FetchError(f"{SOURCE}: cannot list the mirror folder {folder}: {e}") from e
    pair = newest_pair(names, prefix=MIRROR_PREFIX)
    if pair is None:
        raise FetchError(
            f"{SOURCE}: no {MIRROR_PREFIX}table_<date>.csv with its"
            f" {MIRROR_PREFIX}categories_<date>.json in {folder}"
        )
    released, table, categories = pair
    return Release(
        table=str(folder / table),
        categories=str(folder / categories),
        stamp=released,
        found=Found.MIRROR,
    )


def _listed_files(listing: Any) -> dict[str, str]:
    """name -> download URL of the files a contents-API listing shows (GitHub lists up to
    1,000 entries of a folder: public/ holds a few dozen)."""
    if not isinstance(listing, list):
        raise PayloadError(f"{SOURCE}: the listing of public/ is not a JSON array")
    files: dict[str, str] = {}
    for entry in listing:
        if not isinstance(entry, dict):
            raise PayloadError(f"{SOURCE}: the listing of public/ holds a non-object entry")
        name, url = entry.get("name"), entry.get("download_url")
        # Folders and links list no download_url; only files can be a release.
        if isinstance(name, str) and isinstance(url, str) and urlsplit(url).scheme == "https":
            files[name] = url
    return files


def discover(
    *,
    token: str | None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Release:
    """The newest release GitHub's listing of the site's `public/` folder shows complete,
    else the pinned release with the reason (logged as a warning): never an error."""
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": GITHUB_API_VERSION}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        files = _listed_files(
            fetch_json(
                CONTENTS_URL,
                source=SOURCE,
                client=client,
                headers=headers,
                max_attempts=DISCOVERY_ATTEMPTS,
                sleep=sleep,
                api_key_env=TOKEN_ENV,
            )
        )
        pair = newest_pair(files)
        if pair is None:
            raise PayloadError(
                f"{SOURCE}: the listing of public/ shows no table_<date>.csv with its"
                " categories_<date>.json"
            )
    except SourceError as e:
        reason = clip(str(e))
        if isinstance(e, AuthError) and not token:
            reason += f" (GitHub allows 60 unauthenticated calls an hour; set {TOKEN_ENV})"
        logger.warning(
            "%s: could not find the newest release (%s); reading the pinned release %s",
            SOURCE,
            reason,
            PINNED_RELEASE,
        )
        return pinned_release(reason)
    released, table, categories = pair
    logger.info("%s: newest release listed: %s", SOURCE, released)
    # The listed download_url (raw.githubusercontent.com), not livebench.ai/<name>: the
    # files come from the same branch the listing was read from, so a pair listed is a
    # pair that can be fetched, without waiting for the site to deploy it (a site answering
    # unknown paths with its index page would hand us HTML for a not-yet-deployed table).
    # Raw downloads do not count against the API's hourly limit either.
    return Release(
        table=files[table], categories=files[categories], stamp=released, found=Found.DISCOVERED
    )


def choose_release(
    *,
    configured: str | None,
    mirror: Path | None,
    offline: bool,
    token: str | None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Release:
    """Which release a sync reads (see the module docstring): a configured local file
    always; offline, the mirror's newest pair; online, the configured URL, else the
    newest release listed."""
    if configured is not None and not (offline and is_remote(configured)):
        return configured_release(configured)
    if offline:
        if mirror is None:
            raise ConfigError(
                f"{SOURCE}: no mirror folder (LLM_INTEL_BENCHMARKS_DIR) to read offline"
            )
        return mirror_release(mirror)
    return discover(token=token, client=client, sleep=sleep)


def read_release(release: Release, client: httpx.Client | None = None) -> Payload:
    """Fetch a release's two files; an error says which release and how it was chosen."""
    try:
        table = fetch_bytes(release.table, source=SOURCE, client=client)
        categories = fetch_json(release.categories, source=SOURCE, client=client)
        return load(table, categories, release=release)
    except SourceError as e:
        raise type(e)(f"{e} ({release.describe()})") from e


def fetch(
    *,
    configured: str | None,
    mirror: Path | None,
    offline: bool,
    token: str | None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Payload:
    """Choose the release (`choose_release`) and read it."""
    release = choose_release(
        configured=configured,
        mirror=mirror,
        offline=offline,
        token=token,
        client=client,
        sleep=sleep,
    )
    return read_release(release, client)


def load(table: bytes, categories: Any, *, release: Release) -> Payload:
    if not isinstance(categories, Mapping) or not all(
        isinstance(k, str) and isinstance(v, list) for k, v in categories.items()
    ):
        raise PayloadError(f"{SOURCE}: the categories file is not a mapping of category -> tasks")
    try:
        text = table.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        where = describe_location(release.table, source=SOURCE)
        raise PayloadError(f"{SOURCE}: {where} is not UTF-8 text: {e}") from e
    return Payload(
        table=text,
        categories={k: [str(t) for t in v] for k, v in categories.items()},
        release=release,
    )


def parse(payload: Payload) -> ParsedLeaderboard:
    parsed = ParsedLeaderboard(SOURCE, notes=payload.release.notes())
    reader = csv.DictReader(io.StringIO(payload.table))
    try:
        fieldnames = reader.fieldnames
        records = list(reader)
    except csv.Error as e:  # a field past csv's limit, an unclosed quote in strict mode
        raise PayloadError(
            f"{SOURCE}: the table is not a readable CSV after line {reader.line_num}: {e}"
        ) from e
    if not fieldnames or fieldnames[0] != "model":
        raise PayloadError(f"{SOURCE}: the table's first column is not `model`")
    task_category: dict[str, str] = {}
    for name, tasks in payload.categories.items():
        for task in tasks:
            task_category[task] = name
    benchmarks: dict[str, Benchmark] = {}
    for task in fieldnames[1:]:
        group = task_category.get(task)
        category = CATEGORY_MAP.get(group.lower()) if group else None
        if category is None:
            # A task no category lists (or a category we have no mapping for): kept out,
            # and said so once per run.
            parsed.rejected.append(
                RejectedRow(f"task {task}", f"task {task!r} has no known LiveBench category")
            )
            continue
        benchmarks[task] = Benchmark(f"livebench-{task.lower()}", category, "score", Scale.PERCENT)
    for line, record in enumerate(records, start=2):
        model = (record.get("model") or "").strip()
        if not model:
            parsed.rejected.append(RejectedRow(f"line {line}", "no model name"))
            continue
        for task, benchmark in benchmarks.items():
            raw = record.get(task)
            if raw is None or not raw.strip():
                continue  # not run on this task
            score = score_value(raw)
            key = f"{model}/{task}"
            if score is None:
                parsed.rejected.append(RejectedRow(key, f"{task} score {raw!r} is not a number"))
                continue
            parsed.add(
                ScoreRow(
                    source_key=key,
                    leaderboard_name=model,
                    benchmark=benchmark,
                    score=score,
                    source_organization=ORGANIZATION,
                    is_verified=True,
                    test_date=payload.released,
                    metadata={"livebench_category": task_category[task], "task": task},
                )
            )
    return parsed
