"""Epoch AI's benchmarking hub (a zip of CSV files): benchmarks Epoch runs itself, one
harness per benchmark, on many models, so a score compares models, not set-ups.

`https://epoch.ai/data/benchmark_data.zip` has held two shapes, both read by header
names (case, spaces and underscores aside), never by position:

- per-benchmark files (the current zip): one CSV per benchmark Epoch runs
  (`gpqa_diamond.csv`, `math_level_5.csv`, `otis_mock_aime_2024_2025.csv`,
  `frontiermath*.csv`, `swe_bench_verified.csv`, ...) with `Model version`,
  `mean_score`, `Best score (across scorers)`, `stderr`, `Release date` (the model's),
  `Organization`, `Log viewer`, `Logs`, `Started at` (the run) and `id` (the run's log
  id); `benchmark_metadata.csv` names each file's benchmark (`source_file` ->
  `benchmark`) and its `scale` (1 = fraction, 0.01 = percent). The `*_external.csv`
  files are other leaderboards' published scores, collected by Epoch: not its runs, so
  never read (the run's notes count them);
- one combined runs file (`benchmarks_runs.csv`, earlier zips): `task`, `model`,
  `Best score (across scorers)`, `started_at`, `id`, ...

With per-benchmark files present the combined file is not read (it would repeat them).
With neither shape, the run fails naming the columns each CSV lacks. The shape read is in
the run's notes (`collector_runs.details` -> `notes`).

`TASKS` maps Epoch's task names (and file names) to a stored benchmark and a ranking
category; a task it does not list is not guessed into one: its rows are rejected with the
task's name (`llm-intel runs --rejected epoch`) and the run's notes count them per task.
The score is `Best score (across scorers)`; a fraction or a percent per file (the
metadata's `scale` where it gives one, else percent when a value exceeds 1 or carries
`%`), stored as published with its chance level on the same scale (GPQA Diamond is four
choices: 0.25; the math benchmarks and SWE-bench have free answers: 0).

The model is `Model version` (`model`): a provider id (`claude-3-5-sonnet-20241022`,
`gpt-4o-2024-08-06`, `DeepSeek-R1`) with Epoch's setting suffix, `_<effort>`
(`o3-2025-04-16_high`, `claude-opus-4-7_max`) or `_<N>K` (a thinking budget), read as the
row's settings; `_unknown` says the setting is not known and is dropped. A run without a
model version is counted unmatched with that reason. Same model, settings and benchmark
twice is a rerun (the writer keeps the best). `Started at` is the test date; the mean
score, standard error, log viewer, model release date and organization go into the
metadata. Epoch ran every row itself: `is_verified`.

The zip is opened in memory with bounds (`MAX_ARCHIVE_BYTES`, `MAX_MEMBERS`,
`MAX_MEMBER_BYTES`, `MAX_CSV_BYTES`, `MAX_ROWS`): only `.csv` members are decompressed,
each at most `MAX_MEMBER_BYTES` whatever its header claims, so a zip bomb, a payload that
is not a zip, or a CSV beyond the bounds fails the run with a message saying which.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any, Final

from llm_intelligence.benchmarks.rows import (
    Benchmark,
    Category,
    ParsedLeaderboard,
    Scale,
    ScoreRow,
    plain_number,
    published_date,
    score_value,
)
from llm_intelligence.collectors.limits import MAX_TEXT_LENGTH, clip, echo
from llm_intelligence.collectors.rows import RejectedRow
from llm_intelligence.errors import PayloadError

SOURCE = "epoch"
FILE = "epoch_benchmark_data.zip"
DEFAULT_URL = "https://epoch.ai/data/benchmark_data.zip"
ORGANIZATION = "Epoch AI"
METRIC = "best_score"

# Bounds on the archive (the real one: about 2.4 MB, 89 members, its largest CSV 370 kB
# and 2,900 rows).
MAX_ARCHIVE_BYTES: Final = 64 * 1024 * 1024
"""The zip as fetched."""
MAX_MEMBERS: Final = 2_000
"""Entries in the zip's directory."""
MAX_MEMBER_BYTES: Final = 16 * 1024 * 1024
"""One CSV, decompressed."""
MAX_CSV_BYTES: Final = 64 * 1024 * 1024
"""Every CSV together, decompressed."""
MAX_ROWS: Final = 200_000
"""Records in one CSV."""

RUNS_FILE: Final = "benchmarks_runs.csv"
METADATA_FILE: Final = "benchmark_metadata.csv"


@dataclass(frozen=True, slots=True)
class Task:
    """One benchmark Epoch runs, as stored: its name, category and chance (a fraction)."""

    name: str
    category: Category
    epoch_names: tuple[str, ...]
    """Epoch's task name (`task`, `benchmark_metadata.benchmark`), then its file's stem."""
    chance: Decimal = Decimal(0)

    def benchmark(self, scale: Scale) -> Benchmark:
        chance = self.chance * 100 if scale is Scale.PERCENT else self.chance
        return Benchmark(self.name, self.category, METRIC, scale, chance)


TASKS: Final[tuple[Task, ...]] = (
    Task(
        "epoch-gpqa-diamond", Category.REASONING, ("GPQA diamond", "gpqa_diamond"), Decimal("0.25")
    ),
    Task("epoch-math-level-5", Category.MATH, ("MATH level 5", "math_level_5")),
    Task(
        "epoch-otis-mock-aime-2024-2025",
        Category.MATH,
        ("OTIS Mock AIME 2024-2025", "otis_mock_aime_2024_2025"),
    ),
    Task(
        "epoch-frontiermath-2025-02-28-private",
        Category.MATH,
        ("FrontierMath-2025-02-28-Private", "frontiermath"),
    ),
    Task(
        "epoch-frontiermath-2025-02-28-public", Category.MATH, ("FrontierMath-2025-02-28-Public",)
    ),
    Task(
        "epoch-frontiermath-tiers-1-3-v2-private",
        Category.MATH,
        ("FrontierMath-Tiers-1-3-v2-Private", "frontiermath_tiers_1_3_v2"),
    ),
    Task(
        "epoch-frontiermath-tier-4-2025-07-01-private",
        Category.MATH,
        ("FrontierMath-Tier-4-2025-07-01-Private", "frontiermath_tier_4"),
    ),
    Task(
        "epoch-frontiermath-tier-4-2025-07-01-public",
        Category.MATH,
        ("FrontierMath-Tier-4-2025-07-01-Public",),
    ),
    Task(
        "epoch-frontiermath-tier-4-v2-private",
        Category.MATH,
        ("FrontierMath-Tier-4-v2-Private", "frontiermath_tier_4_v2"),
    ),
    # Epoch's own fixed scaffold on SWE-bench Verified: a model comparison, as SWE-bench's
    # bash-only board is (a separate benchmark: another harness).
    Task(
        "epoch-swe-bench-verified", Category.AGENTIC, ("SWE-Bench verified", "swe_bench_verified")
    ),
)
"""Epoch's tasks the catalog stores. Others (SimpleQA Verified, Chess Puzzles, OEIS,
FrontierMath Erdos, MirrorCode, ...) fit no ranking category as they are: rejected by
name, counted in the run."""


def _key(text: str) -> str:
    """`Started at`, `started_at` and `STARTED AT` are one column; `GPQA diamond` and
    `gpqa_diamond` one task."""
    return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


_TASKS_BY_KEY: Final[Mapping[str, Task]] = {
    _key(name): task for task in TASKS for name in task.epoch_names
}

# Columns, by `_key`.
SCORE: Final = "Best score (across scorers)"
_SCORE = _key(SCORE)
_MODEL_VERSION = _key("Model version")
_MODEL = _key("model")
_TASK = _key("task")
_STARTED = _key("Started at")
_RELEASE = (_key("Release date"), _key("Version release date"))
_NAME = (_key("Display name"), _key("Name"))

# Epoch's setting suffixes on model versions.
_EFFORT_SUFFIX: Final = re.compile(r"_(minimal|low|medium|high|xhigh|max|none)$", re.IGNORECASE)
_BUDGET_SUFFIX: Final = re.compile(r"_(\d{1,4})k$", re.IGNORECASE)
_UNKNOWN_SUFFIX: Final = re.compile(r"_unknown$", re.IGNORECASE)


# --- the archive -------------------------------------------------------------------------


def load(data: bytes, *, where: str) -> dict[str, Any]:
    """The archive's CSV files as text, by member name: `{"files": {name: text}}`.

    PayloadError when `data` is not a zip, or breaks a bound (see the module)."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise PayloadError(
            f"{SOURCE}: {where} is {len(data):,} bytes (at most {MAX_ARCHIVE_BYTES:,})"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as e:
        raise PayloadError(
            f"{SOURCE}: {where} is not a zip archive ({e}); starts with {echo(data[:16])}"
        ) from e
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise PayloadError(
                f"{SOURCE}: {where} lists {len(members):,} files (at most {MAX_MEMBERS:,})"
            )
        files: dict[str, str] = {}
        total = 0
        for info in members:
            if info.is_dir() or not info.filename.lower().endswith(".csv"):
                continue
            if info.filename.startswith("__MACOSX/"):
                continue
            text = _member_text(archive, info, where=where)
            total += len(text)
            if total > MAX_CSV_BYTES:
                raise PayloadError(
                    f"{SOURCE}: {where}: its CSV files hold more than {MAX_CSV_BYTES:,} bytes"
                )
            files[info.filename] = text
    return {"files": files}


def _member_text(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, where: str) -> str:
    name = clip(info.filename, 120)
    if info.file_size > MAX_MEMBER_BYTES:
        raise PayloadError(
            f"{SOURCE}: {where}: {name} is {info.file_size:,} bytes decompressed"
            f" (at most {MAX_MEMBER_BYTES:,})"
        )
    try:
        with archive.open(info) as member:
            # Read one byte past the bound: a header that understates the size (a zip
            # bomb) is caught by what was really inflated, not by what it claimed.
            body = member.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as e:
        # RuntimeError: encrypted; NotImplementedError: an unsupported compression.
        raise PayloadError(f"{SOURCE}: {where}: cannot read {name}: {clip(str(e), 200)}") from e
    if len(body) > MAX_MEMBER_BYTES:
        raise PayloadError(
            f"{SOURCE}: {where}: {name} inflates past {MAX_MEMBER_BYTES:,} bytes"
            " (its header claimed less)"
        )
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PayloadError(f"{SOURCE}: {where}: {name} is not UTF-8 text: {e}") from e


# --- the CSV files -----------------------------------------------------------------------


@dataclass(slots=True)
class _Table:
    member: str
    header: list[str]
    """Each column's `_key`."""
    rows: list[dict[str, str]]
    """Records by `_key` of their column (the first of two same-named columns wins)."""

    @property
    def stem(self) -> str:
        return PurePosixPath(self.member).stem

    def has(self, *columns: str) -> bool:
        return all(c in self.header for c in columns)


def _table(member: str, text: str) -> _Table:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_key(h) for h in next(reader, [])]
        rows: list[dict[str, str]] = []
        for record in reader:
            if len(rows) >= MAX_ROWS:
                raise PayloadError(
                    f"{SOURCE}: {clip(member, 120)} has more than {MAX_ROWS:,} records"
                )
            if not any(cell.strip() for cell in record):
                continue
            row: dict[str, str] = {}
            for column, cell in zip(header, record, strict=False):
                row.setdefault(column, cell)
            rows.append(row)
    except csv.Error as e:
        raise PayloadError(f"{SOURCE}: {clip(member, 120)} is not a readable CSV: {e}") from e
    return _Table(member, header, rows)


def _is_external(table: _Table) -> bool:
    return table.stem.lower().endswith("_external")


def _shape_error(tables: Iterable[_Table]) -> PayloadError:
    lines = []
    for table in tables:
        if _is_external(table):
            continue
        per_file = [repr(c) for c in ("Model version", SCORE) if _key(c) not in table.header]
        combined = [repr(c) for c in ("task", "model", SCORE) if _key(c) not in table.header]
        lines.append(
            f"{clip(table.member, 80)} lacks {', '.join(per_file)} (a per-benchmark file)"
            f" and {', '.join(combined)} (a combined runs file)"
        )
    seen = "; ".join(lines[:8]) or "no CSV file other than *_external.csv"
    return PayloadError(
        f"{SOURCE}: no Epoch-run results in the archive: expected per-benchmark CSVs with"
        f" columns 'Model version' and {SCORE!r}, or {RUNS_FILE} with 'task', 'model' and"
        f" {SCORE!r}. Found: {seen}"
    )


@dataclass(frozen=True, slots=True)
class _Source:
    """One CSV read, and what each of its rows is."""

    table: _Table
    task_of: Mapping[int, str]
    """Row index -> Epoch's task name (the file's own for a per-benchmark file)."""
    scale: Scale
    scale_from: str


def _metadata(tables: Mapping[str, _Table]) -> dict[str, tuple[str, str]]:
    """`benchmark_metadata.csv`: a file's name -> (benchmark, scale as written)."""
    table = next(
        (t for t in tables.values() if PurePosixPath(t.member).name.lower() == METADATA_FILE),
        None,
    )
    if table is None or not table.has("benchmark", "source file"):
        return {}
    out: dict[str, tuple[str, str]] = {}
    for row in table.rows:
        source_file = PurePosixPath(row.get("source file", "").strip()).name.lower()
        benchmark = row.get("benchmark", "").strip()
        if source_file and benchmark:
            out.setdefault(source_file, (benchmark, row.get("scale", "").strip()))
    return out


def _scale(table: _Table, stated: str | None) -> tuple[Scale, str]:
    """The file's scale: the metadata's `scale` (1 or 0.01), else from its values."""
    factor = score_value(stated) if stated else None
    if factor == Decimal(1):
        return Scale.FRACTION, "benchmark_metadata.csv"
    if factor == Decimal("0.01"):
        return Scale.PERCENT, "benchmark_metadata.csv"
    for row in table.rows:
        cell = row.get(_SCORE, "").strip()
        value = score_value(cell.rstrip("%"))
        if cell.endswith("%") or (value is not None and value > 1):
            return Scale.PERCENT, "values"
    return Scale.FRACTION, "values"


def _sources(tables: dict[str, _Table]) -> tuple[str, list[_Source], list[str]]:
    """(the shape read, the files to read, the CSVs not read)."""
    meta = _metadata(tables)
    per_file = [t for t in tables.values() if not _is_external(t) and t.has(_MODEL_VERSION, _SCORE)]
    combined = [t for t in tables.values() if not _is_external(t) and t.has(_TASK, _MODEL, _SCORE)]
    if per_file:
        shape, chosen = "per-benchmark files", per_file
    elif combined:
        shape, chosen = "combined runs file", combined
    else:
        raise _shape_error(tables.values())
    sources = []
    for table in chosen:
        stated = meta.get(PurePosixPath(table.member).name.lower())
        if table.has(_TASK):
            task_of = {i: row.get(_TASK, "").strip() for i, row in enumerate(table.rows)}
        else:
            # The metadata's name for the file, else Epoch's name for a file stem we know.
            known = _TASKS_BY_KEY.get(_key(table.stem))
            task = stated[0] if stated else known.epoch_names[0] if known else table.stem
            task_of = dict.fromkeys(range(len(table.rows)), task)
        scale, scale_from = _scale(table, stated[1] if stated else None)
        sources.append(_Source(table, task_of, scale, scale_from))
    read = {s.table.member for s in sources}
    return shape, sources, sorted(m for m in tables if m not in read)


# --- rows --------------------------------------------------------------------------------


def split_model_version(version: str) -> tuple[str, dict[str, str], str | None]:
    """(model, settings, the suffix as written): Epoch's `_<effort>`, `_<N>K` and
    `_unknown` suffixes; any other name is returned whole."""
    if m := _EFFORT_SUFFIX.search(version):
        return version[: m.start()], {"reasoning": m[1].lower()}, m[0]
    if m := _BUDGET_SUFFIX.search(version):
        return version[: m.start()], {"thinking": f"{int(m[1])}k"}, m[0]
    if m := _UNKNOWN_SUFFIX.search(version):
        return version[: m.start()], {}, m[0]
    return version, {}, None


def _text(row: Mapping[str, str], *columns: str) -> str | None:
    for column in columns:
        text = row.get(column, "").strip()
        if text:
            return clip(text, MAX_TEXT_LENGTH)
    return None


def _started(row: Mapping[str, str]) -> date | None:
    text = _text(row, _STARTED)
    return published_date(text[:10]) if text else None


def parse(payload: Any) -> ParsedLeaderboard:
    if not isinstance(payload, dict) or not isinstance(payload.get("files"), dict):
        raise PayloadError(f"{SOURCE}: expected {{'files': {{name: csv text}}}} (see load)")
    tables = {
        name: _table(name, text)
        for name, text in payload["files"].items()
        if isinstance(name, str) and isinstance(text, str)
    }
    shape, sources, unread = _sources(tables)
    parsed = ParsedLeaderboard(SOURCE)
    unmapped: Counter[str] = Counter()
    scales: list[str] = []
    for source in sources:
        table = source.table
        scales.append(f"{PurePosixPath(table.member).name}: {source.scale} ({source.scale_from})")
        for index, row in enumerate(table.rows):
            task_name = source.task_of.get(index, "")
            run_id = _text(row, "id")
            key = f"{task_name or table.stem}/{run_id or f'{table.stem}#{index}'}"
            task = _TASKS_BY_KEY.get(_key(task_name)) if task_name else None
            if task is None:
                unmapped[task_name or "(no task)"] += 1
                parsed.rejected.append(
                    RejectedRow(key, f"task {echo(task_name)} is not in the Epoch task table")
                )
                continue
            cell = row.get(_SCORE, "").strip()
            score = score_value(cell.rstrip("%"))
            if score is None:
                parsed.rejected.append(RejectedRow(key, f"no score ({echo(cell)})"))
                continue
            version = _text(row, _MODEL_VERSION, _MODEL)
            shown = _text(row, *_NAME)
            model: str | None = None
            settings: dict[str, str] = {}
            suffix: str | None = None
            if version is not None:
                model, settings, suffix = split_model_version(version)
            parsed.add(
                ScoreRow(
                    source_key=key,
                    leaderboard_name=model or shown or "(no model version)",
                    benchmark=task.benchmark(source.scale),
                    score=score,
                    source_organization=ORGANIZATION,
                    is_verified=True,
                    test_date=_started(row),
                    settings=settings,
                    unidentified=None if model else "no model version in the run",
                    metadata={
                        "task": task_name,
                        "file": PurePosixPath(table.member).name,
                        "model_version": version,
                        "setting_suffix": suffix,
                        "display_name": shown,
                        "published_scale": str(source.scale),
                        "mean_score": plain_number(row.get(_key("mean_score"))),
                        "stderr": plain_number(row.get("stderr")),
                        "model_release_date": _text(row, *_RELEASE),
                        "organization": _text(row, _key("Organization")),
                        "log_viewer": _text(row, _key("Log viewer")),
                        "run_id": run_id,
                        "started_at": _text(row, _STARTED),
                    },
                )
            )
    parsed.notes["shape"] = shape
    parsed.notes["files_read"] = str(len(sources))
    parsed.notes["scales"] = clip("; ".join(scales), 2000)
    external = [m for m in unread if _is_external(tables[m])]
    others = [PurePosixPath(m).name for m in unread if not _is_external(tables[m])]
    parsed.notes["not_read"] = clip(
        f"{len(external)} *_external.csv (other leaderboards' scores, not Epoch's runs)"
        + (f"; {', '.join(others)}" if others else ""),
        2000,
    )
    if unmapped:
        parsed.notes["unmapped_tasks"] = clip(
            "; ".join(f"{t}: {n} runs" for t, n in sorted(unmapped.items())), 2000
        )
    return parsed
