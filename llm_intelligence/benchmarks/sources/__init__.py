"""How each leaderboard of the registry (`llm_intelligence.sources`, kind `benchmarks`) is
fetched and parsed; refuses to import when it and the registry disagree.

Where a leaderboard is read from:

- its variable (`LLM_INTEL_<NAME>_URL`) set to a local file: that file, online or offline;
- offline (`sync --offline`): the mirror folder `LLM_INTEL_BENCHMARKS_DIR`, which holds
  the upstream files under their published names (`aider_polyglot_leaderboard.yml`,
  `livebench_table_<date>.csv` + `livebench_categories_<date>.json` (the newest date
  with both),
  `lmarena_leaderboard_text.json`, `evalplus_results.json`, `bigcodebench_results.json`,
  `swebench_leaderboards.json`, `epoch_benchmark_data.zip`); without it, or without the
  leaderboard's file in it, the leaderboard is skipped, saying so;
- online: its variable's URL, else the upstream's published URL (LiveBench: its newest
  release, found in GitHub's listing of the site's files; see its module).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import httpx

from llm_intelligence.benchmarks.rows import ParsedLeaderboard
from llm_intelligence.benchmarks.sources import (
    aider,
    bigcodebench,
    epoch,
    evalplus,
    livebench,
    lmarena,
    swebench,
)
from llm_intelligence.collectors.fetch import describe_location, fetch_bytes, fetch_json
from llm_intelligence.config import Settings
from llm_intelligence.errors import ConfigError, FetchError
from llm_intelligence.sources import SOURCES as REGISTRY
from llm_intelligence.sources import SourceKind, unknown_source_message
from llm_intelligence.sources import source_names as registry_names

__all__ = ["LEADERBOARDS", "Leaderboard", "get_leaderboard"]

BENCHMARKS_DIR_ENV = "LLM_INTEL_BENCHMARKS_DIR"


@dataclass(frozen=True, slots=True)
class Leaderboard:
    name: str
    mirror_file: str
    """Its file in the mirror folder (a glob for LiveBench's dated tables)."""
    default_url: str
    read: Callable[[str, httpx.Client | None], Any]
    """Read the payload at a location (URL or file)."""
    parse: Callable[[Any], ParsedLeaderboard]
    find_and_read: Callable[[Settings, bool, httpx.Client | None], Any] | None = None
    """Where finding the file takes more than `location` (LiveBench: the newest dated
    release): fetches in place of `read(location(...))`."""

    def location(self, settings: Settings, *, offline: bool) -> str:
        configured = settings.source_location(self.name)
        if configured is not None and not _is_remote(configured):
            return configured
        if offline:
            folder = settings.benchmarks_dir
            if folder is None:
                raise ConfigError(self.skip_reason(settings, offline=True) or "no mirror")
            return str(_mirror_file(folder, self.mirror_file, source=self.name))
        return configured or self.default_url

    def skip_reason(self, settings: Settings, *, offline: bool) -> str | None:
        """Why a sync skips it (reported, not failed), or None: offline, no local file
        configured and no mirror folder, or a mirror folder without its file (a mirror
        made before the leaderboard was added)."""
        if not offline:
            return None
        configured = settings.source_location(self.name)
        if configured is not None and not _is_remote(configured):
            return None
        folder = settings.benchmarks_dir
        if folder is not None:
            if "*" in self.mirror_file or (folder / self.mirror_file).exists():
                return None
            return (
                f"the mirror folder {folder} has no {self.mirror_file}; add it (or set"
                f" {REGISTRY[self.name].url_env} to a local file) to sync it offline"
            )
        return (
            f"no offline snapshot; set {BENCHMARKS_DIR_ENV} to a mirror folder (or"
            f" {REGISTRY[self.name].url_env} to a local file) to sync it offline"
        )

    def fetch(self, settings: Settings, offline: bool, client: httpx.Client | None) -> Any:
        if self.find_and_read is not None:
            return self.find_and_read(settings, offline, client)
        return self.read(self.location(settings, offline=offline), client)


def _is_remote(location: str) -> bool:
    return urlsplit(location).scheme.lower() in ("http", "https")


def _mirror_file(folder: Path, pattern: str, *, source: str) -> Path:
    if "*" not in pattern:
        return folder / pattern
    found = sorted(folder.glob(pattern))  # dated names sort by date
    if not found:
        raise FetchError(f"{source}: no {pattern} in {folder}")
    return found[-1]


def _read_aider(location: str, client: httpx.Client | None) -> Any:
    data = fetch_bytes(location, source=aider.SOURCE, client=client)
    return aider.load(data, where=describe_location(location, source=aider.SOURCE))


def _read_livebench(location: str, client: httpx.Client | None) -> Any:
    return livebench.read_release(livebench.configured_release(location), client)


def _find_and_read_livebench(settings: Settings, offline: bool, client: httpx.Client | None) -> Any:
    token = settings.github_token
    return livebench.fetch(
        configured=settings.source_location(livebench.SOURCE),
        mirror=settings.benchmarks_dir,
        offline=offline,
        token=token.get_secret_value() if token is not None else None,
        client=client,
    )


def _read_epoch(location: str, client: httpx.Client | None) -> Any:
    data = fetch_bytes(
        location, source=epoch.SOURCE, client=client, max_bytes=epoch.MAX_ARCHIVE_BYTES
    )
    return epoch.load(data, where=describe_location(location, source=epoch.SOURCE))


def _json_reader(source: str) -> Callable[[str, httpx.Client | None], Any]:
    def read(location: str, client: httpx.Client | None) -> Any:
        return fetch_json(location, source=source, client=client)

    return read


LEADERBOARDS: Mapping[str, Leaderboard] = MappingProxyType(
    {
        "aider": Leaderboard("aider", aider.FILE, aider.DEFAULT_URL, _read_aider, aider.parse),
        "livebench": Leaderboard(
            "livebench",
            "livebench_table_*.csv",
            livebench.DEFAULT_URL,
            _read_livebench,
            livebench.parse,
            _find_and_read_livebench,
        ),
        "lmarena": Leaderboard(
            "lmarena",
            "lmarena_leaderboard_text.json",
            lmarena.DEFAULT_URL,
            _json_reader(lmarena.SOURCE),
            lmarena.parse,
        ),
        "evalplus": Leaderboard(
            "evalplus",
            "evalplus_results.json",
            evalplus.DEFAULT_URL,
            _json_reader(evalplus.SOURCE),
            evalplus.parse,
        ),
        "bigcodebench": Leaderboard(
            "bigcodebench",
            "bigcodebench_results.json",
            bigcodebench.DEFAULT_URL,
            _json_reader(bigcodebench.SOURCE),
            bigcodebench.parse,
        ),
        "swebench": Leaderboard(
            "swebench",
            swebench.FILE,
            swebench.DEFAULT_URL,
            _json_reader(swebench.SOURCE),
            swebench.parse,
        ),
        "epoch": Leaderboard("epoch", epoch.FILE, epoch.DEFAULT_URL, _read_epoch, epoch.parse),
    }
)
if list(LEADERBOARDS) != registry_names(SourceKind.BENCHMARKS):  # pragma: no cover
    raise ImportError(
        f"benchmarks.sources binds {list(LEADERBOARDS)} but the registry lists "
        f"{registry_names(SourceKind.BENCHMARKS)}"
    )


def get_leaderboard(name: str) -> Leaderboard:
    try:
        return LEADERBOARDS[name]
    except KeyError:
        raise ConfigError(unknown_source_message(name)) from None
