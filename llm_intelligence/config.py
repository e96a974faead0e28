"""Settings, read once from the environment (and a `.env` file in the working directory).

Every setting is documented in `.env.example` and the README's configuration table.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from llm_intelligence.errors import ConfigError


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("llm-intelligence", appauthor=False))


class Settings(BaseSettings):
    """All configuration of llm-intelligence in one object."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: SecretStr | None = Field(default=None, validation_alias="DATABASE_URL")
    """Postgres to use (hosted Supabase or any PG >= 15). Unset: the embedded server."""

    home: Path = Field(default_factory=_default_home, validation_alias="LLM_INTEL_HOME")
    """Where the embedded server keeps its data directory."""

    supabase_url: str | None = Field(default=None, validation_alias="SUPABASE_URL")
    supabase_key: SecretStr | None = Field(default=None, validation_alias="SUPABASE_KEY")

    litellm_url: str | None = Field(default=None, validation_alias="LLM_INTEL_LITELLM_URL")
    openrouter_url: str | None = Field(default=None, validation_alias="LLM_INTEL_OPENROUTER_URL")
    models_dev_url: str | None = Field(default=None, validation_alias="LLM_INTEL_MODELS_DEV_URL")
    genai_prices_url: str | None = Field(
        default=None, validation_alias="LLM_INTEL_GENAI_PRICES_URL"
    )
    openrouter_api_key: SecretStr | None = Field(
        default=None, validation_alias="OPENROUTER_API_KEY"
    )

    # The scheduler (`llm-intel schedule`): minutes between syncs of each source; 0 disables
    # that source. OpenRouter changes prices most often; the others publish a few times a day.
    schedule_openrouter_minutes: int = Field(
        default=60, ge=0, validation_alias="LLM_INTEL_SCHEDULE_OPENROUTER_MINUTES"
    )
    schedule_litellm_minutes: int = Field(
        default=360, ge=0, validation_alias="LLM_INTEL_SCHEDULE_LITELLM_MINUTES"
    )
    schedule_models_dev_minutes: int = Field(
        default=360, ge=0, validation_alias="LLM_INTEL_SCHEDULE_MODELS_DEV_MINUTES"
    )
    schedule_genai_prices_minutes: int = Field(
        default=360, ge=0, validation_alias="LLM_INTEL_SCHEDULE_GENAI_PRICES_MINUTES"
    )
    schedule_jitter_seconds: int = Field(
        default=120, ge=0, validation_alias="LLM_INTEL_SCHEDULE_JITTER_SECONDS"
    )
    """Up to this many seconds are added at random to each scheduled run (at most half the
    source's interval), so many installs do not hit the upstreams at the same second."""
    schedule_offline: bool = Field(default=False, validation_alias="LLM_INTEL_SCHEDULE_OFFLINE")
    """Scheduled syncs read the bundled snapshots (and local mirror files): air-gapped installs."""

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"


def load_settings() -> Settings:
    """Read settings from the environment now (no module-level cache: tests change env).

    A malformed variable is a ConfigError that names it."""
    try:
        return Settings()
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in e.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from e
