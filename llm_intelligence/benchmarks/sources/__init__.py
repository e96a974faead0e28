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
from types import MappingProxyType
from typing import Any

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
from llm_intelligence.collectors.fetch import describe_location, fetch_bytes, fetch_json, is_remote
from llm_intelligence.config import Settings
from llm_intelligence.errors import ConfigError
from llm_intelligence.sources import SOURCES as REGISTRY
from llm_intelligence.sources import SourceKind, unknown_source_message
from llm_intelligence.sources import source_names as registry_names

__all__ = ["LEADERBOARDS", "Leaderboard", "get_leaderboard"]

BENCHMARKS_DIR_ENV = "LLM_INTEL_BENCHMARKS_DIR"


@dataclass(frozen=True, slots=True)
class Leaderboard:
    name: str
    mirror_file: str | None
    """Its file in the mirror folder; None where its module finds its files there
    (LiveBench: the newest dated pair, see `livebench.mirror_release`)."""
    fetch: Callable[[Settings, bool, httpx.Client | None], Any]
    """Read the payload (settings, offline, client): from the configured local file, the
    mirror folder offline, else the configured or published URL."""
    parse: Callable[[Any], ParsedLeaderboard]

    def skip_reason(self, settings: Settings, *, offline: bool) -> str | None:
        """Why a sync skips it (reported, not failed), or None: offline, no local file
        configured and no mirror folder, or a mirror folder without its file (a mirror
        made before the leaderboard was added)."""
        if not offline:
            return None
        configured = settings.source_location(self.name)
        if configured is not None and not is_remote(configured):
            return None
        folder = settings.benchmarks_dir
        if folder is not None:
            if self.mirror_file is None or (folder / self.mirror_file).exists():
                return None
            return (
                f"the mirror folder {folder} has no {self.mirror_file}; add it (or set"
                f" {REGISTRY[self.name].url_env} to a local file) to sync it offline"
            )
        return (
            f"no offline snapshot; set {BENCHMARKS_DIR_ENV} to a mirror folder (or"
            f" {REGISTRY[self.name].url_env} to a local file) to sync it offline"
        )


def _one_file(
    name: str,
    mirror_file: str,
    default_url: str,
    read: Callable[[str, httpx.Client | None], Any],
    parse: Callable[[Any], ParsedLeaderboard],
) -> Leaderboard:
    """A leaderboard published as one file at one URL, read by `read(location, client)`."""

    def fetch(settings: Settings, offline: bool, client: httpx.Client | None) -> Any:
        configured = settings.source_location(name)
        if configured is not None and not is_remote(configured):
            return read(configured, client)
        if offline:
            folder = settings.benchmarks_dir
            if folder is None:
                raise ConfigError(
                    f"{name}: no mirror folder ({BENCHMARKS_DIR_ENV}) to read offline"
                )
            return read(str(folder / mirror_file), client)
        return read(configured or default_url, client)

    return Leaderboard(name, mirror_file, fetch, parse)


def _read_aider(location: str, client: httpx.Client | None) -> Any:
    data = fetch_bytes(location, source=aider.SOURCE, client=client)
    return aider.load(data, where=describe_location(location, source=aider.SOURCE))


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
        "aider": _one_file("aider", aider.FILE, aider.DEFAULT_URL, _read_aider, aider.parse),
        "livebench": Leaderboard("livebench", None, _find_and_read_livebench, livebench.parse),
        "lmarena": _one_file(
            "lmarena",
            "lmarena_leaderboard_text.json",
            lmarena.DEFAULT_URL,
            _json_reader(lmarena.SOURCE),
            lmarena.parse,
        ),
        "evalplus": _one_file(
            "evalplus",
            "evalplus_results.json",
            evalplus.DEFAULT_URL,
            _json_reader(evalplus.SOURCE),
            evalplus.parse,
        ),
        "bigcodebench": _one_file(
            "bigcodebench",
            "bigcodebench_results.json",
            bigcodebench.DEFAULT_URL,
            _json_reader(bigcodebench.SOURCE),
            bigcodebench.parse,
        ),
        "swebench": _one_file(
            "swebench",
            swebench.FILE,
            swebench.DEFAULT_URL,
            _json_reader(swebench.SOURCE),
            swebench.parse,
        ),
        "epoch": _one_file("epoch", epoch.FILE, epoch.DEFAULT_URL, _read_epoch, epoch.parse),
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
