"""Settings, read once from the environment (and a `.env` file in the working directory).

Every setting is documented in `.env.example` and the README's configuration table.
"""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs
import psycopg
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from llm_intelligence.errors import ConfigError
from llm_intelligence.sources import SOURCES

_PORTS = re.compile(r"^\d{1,5}(,\d{1,5})*$")


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("llm-intelligence", appauthor=False))


class Settings(BaseSettings):
    """All configuration of llm-intelligence in one object."""

    # env_ignore_empty: `DATABASE_URL=` (an empty value) means unset, as in most tools.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, env_ignore_empty=True
    )

    database_url: SecretStr | None = Field(default=None, validation_alias="DATABASE_URL")
    """Postgres to use (hosted Supabase or any PG >= 15). Unset: the embedded server."""

    @field_validator("database_url")
    @classmethod
    def _database_url_parses(cls, value: SecretStr | None) -> SecretStr | None:
        # Checked here, so every command says so in one line; libpq's own message quotes
        # the string, password included, so it is not repeated.
        if value is None:
            return None
        example = "postgresql://user:password@host:5432/dbname"
        try:
            info = psycopg.conninfo.conninfo_to_dict(value.get_secret_value())
        except psycopg.Error:
            raise ValueError(f"not a Postgres connection URL or string (like {example})") from None
        port = info.get("port")
        if port is not None and not _PORTS.match(str(port)):
            raise ValueError(f"its port is not a number (like {example})")
        return value

    home: Path = Field(default_factory=_default_home, validation_alias="LLM_INTEL_HOME")
    """Where the embedded server keeps its data directory."""

    supabase_url: str | None = Field(default=None, validation_alias="SUPABASE_URL")
    supabase_key: SecretStr | None = Field(default=None, validation_alias="SUPABASE_KEY")

    # Each source's location (an http(s) URL or a local mirror); names from the registry.
    litellm_url: str | None = Field(default=None, validation_alias=SOURCES["litellm"].url_env)
    openrouter_url: str | None = Field(default=None, validation_alias=SOURCES["openrouter"].url_env)
    models_dev_url: str | None = Field(default=None, validation_alias=SOURCES["models-dev"].url_env)
    genai_prices_url: str | None = Field(
        default=None, validation_alias=SOURCES["genai-prices"].url_env
    )
    github_models_url: str | None = Field(
        default=None, validation_alias=SOURCES["github-models"].url_env
    )
    # The leaderboards (benchmark sources): URL or local file each, and the offline mirror.
    aider_url: str | None = Field(default=None, validation_alias=SOURCES["aider"].url_env)
    livebench_url: str | None = Field(default=None, validation_alias=SOURCES["livebench"].url_env)
    """The dated table (`.../table_<date>.csv`); its categories file is read next to it."""
    lmarena_url: str | None = Field(default=None, validation_alias=SOURCES["lmarena"].url_env)
    evalplus_url: str | None = Field(default=None, validation_alias=SOURCES["evalplus"].url_env)
    bigcodebench_url: str | None = Field(
        default=None, validation_alias=SOURCES["bigcodebench"].url_env
    )
    swebench_url: str | None = Field(default=None, validation_alias=SOURCES["swebench"].url_env)
    epoch_url: str | None = Field(default=None, validation_alias=SOURCES["epoch"].url_env)
    """Epoch AI's `benchmark_data.zip` (URL or local file)."""
    benchmarks_dir: Path | None = Field(default=None, validation_alias="LLM_INTEL_BENCHMARKS_DIR")
    """A folder with the leaderboards' files under their published names: what
    `sync --offline` reads them from (without it, an offline sync skips a leaderboard
    unless its own URL setting names a local file)."""

    # Credentials: never printed or logged (SecretStr).
    openrouter_api_key: SecretStr | None = Field(
        default=None, validation_alias="OPENROUTER_API_KEY"
    )
    """Optional: OpenRouter works without a key; with one, requests are authenticated."""
    github_token: SecretStr | None = Field(default=None, validation_alias="GITHUB_TOKEN")
    """Required by the `github-models` source (GitHub Models' catalog API); unset, that
    source is skipped. The other price sources read raw files and do not use it."""
    google_api_key: SecretStr | None = Field(default=None, validation_alias="GOOGLE_API_KEY")
    """Accepted for a Google AI (Gemini API) source; no current source uses it."""

    # The scheduler (`llm-intel schedule`). Per source: minutes between syncs, 0 disables
    # it; unset: LLM_INTELLIGENCE_REFRESH_INTERVAL, else the registry's default
    # (`default_minutes` in llm_intelligence/sources.py; `llm-intel schedule --dry-run`
    # prints each source's cadence).
    schedule_litellm_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["litellm"].minutes_env
    )
    schedule_openrouter_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["openrouter"].minutes_env
    )
    schedule_models_dev_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["models-dev"].minutes_env
    )
    schedule_genai_prices_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["genai-prices"].minutes_env
    )
    schedule_github_models_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["github-models"].minutes_env
    )
    schedule_aider_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["aider"].minutes_env
    )
    schedule_livebench_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["livebench"].minutes_env
    )
    schedule_lmarena_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["lmarena"].minutes_env
    )
    schedule_evalplus_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["evalplus"].minutes_env
    )
    schedule_bigcodebench_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["bigcodebench"].minutes_env
    )
    schedule_swebench_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["swebench"].minutes_env
    )
    schedule_epoch_minutes: int | None = Field(
        default=None, ge=0, validation_alias=SOURCES["epoch"].minutes_env
    )
    refresh_interval: int | None = Field(
        default=None, ge=60, validation_alias="LLM_INTELLIGENCE_REFRESH_INTERVAL"
    )
    """Seconds between syncs of every source with no cadence of its own (the seed's
    setting); unset: each source's default."""
    schedule_jitter_seconds: int = Field(
        default=120, ge=0, validation_alias="LLM_INTEL_SCHEDULE_JITTER_SECONDS"
    )
    """Up to this many seconds are added at random to each scheduled run (at most half the
    source's interval), so many installs do not hit the upstreams at the same second."""
    schedule_offline: bool = Field(default=False, validation_alias="LLM_INTEL_SCHEDULE_OFFLINE")
    """Scheduled syncs read the bundled snapshots (and local mirror files): air-gapped installs."""

    enable_real_time_updates: bool = Field(
        default=True, validation_alias="ENABLE_REAL_TIME_UPDATES"
    )
    """false: the realtime subscribers (`llm_intelligence.realtime`, `llm-intel watch`)
    poll price_changes on an interval instead of listening (the database sends its
    notifications whatever this says)."""
    enable_benchmark_collection: bool = Field(
        default=True, validation_alias="ENABLE_BENCHMARK_COLLECTION"
    )
    """false: the leaderboards (benchmark sources) are neither scheduled nor part of a
    `sync` without named sources (naming one still syncs it)."""

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    def source_location(self, source: str) -> str | None:
        """The configured location of a registry source (None: its default URL)."""
        value: str | None = getattr(self, f"{SOURCES[source].setting_stem}_url")
        return value

    def source_minutes(self, source: str) -> int | None:
        """The cadence set for a registry source, in minutes (None: not set)."""
        value: int | None = getattr(self, f"schedule_{SOURCES[source].setting_stem}_minutes")
        return value


def load_settings() -> Settings:
    """Read settings from the environment now (no module-level cache: tests change env).

    A malformed variable is a ConfigError that names it."""
    try:
        return Settings()
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: "
            + error["msg"].removeprefix("Value error, ")
            for error in e.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from e
