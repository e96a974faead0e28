"""The docs tell the truth: README's command table lists every command and option of the
CLI, and README's configuration table and `.env.example` list exactly the settings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from llm_intelligence.cli import app
from llm_intelligence.config import Settings
from llm_intelligence.sources import SOURCES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")
TEST_ONLY = {"LLM_INTEL_TEST_ADMIN_URL"}  # read by tests/conftest.py, not by Settings
_TYPER_OWN = {"help", "install_completion", "show_completion"}


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def _table_rows(section: str) -> list[str]:
    return [line for line in section.splitlines() if line.startswith("| `")]


def _cli_commands() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            found |= {f"{name} {sub}": c for sub, c in command.commands.items()}
        else:
            found[name] = command
    return found


def _documented_commands() -> dict[str, str]:
    """Command name -> its README row (`db stop` / `db status` share one row)."""
    documented: dict[str, str] = {}
    for row in _table_rows(_section("The command line")):
        cell = row.split("|")[1]
        for part in re.findall(r"`([^`]+)`", cell):
            words = part.removeprefix("llm-intel ").split()
            name = " ".join(words[:2]) if words[0] == "db" else words[0]
            documented[name] = row
    return documented


def test_command_table_lists_every_command() -> None:
    assert set(_documented_commands()) == set(_cli_commands())


@pytest.mark.parametrize("name", sorted(_cli_commands()))
def test_command_table_lists_every_option(name: str) -> None:
    row = _documented_commands()[name]
    for param in _cli_commands()[name].params:
        if param.param_type_name != "option" or param.name == "help":
            continue
        flag = max(param.opts, key=len)
        assert flag in row, f"README's row for `llm-intel {name}` does not mention {flag}"


def _settings_variables() -> set[str]:
    return {str(field.validation_alias) for field in Settings.model_fields.values()}


def _expand(name: str) -> set[str]:
    """`LLM_INTEL_SCHEDULE_<SOURCE>_MINUTES` stands for one variable per registry source."""
    if "<SOURCE>" not in name:
        return {name}
    return {name.replace("<SOURCE>", s.setting_stem.upper()) for s in SOURCES.values()}


def test_config_table_lists_exactly_the_settings() -> None:
    documented: set[str] = set()
    for row in _table_rows(_section("Configuration")):
        for name in re.findall(r"`([A-Z][A-Z0-9_<>]+)`", row.split("|")[1]):
            documented |= _expand(name)
    assert documented == _settings_variables() | TEST_ONLY


def test_env_example_lists_exactly_the_settings() -> None:
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, re.M))
    assert listed == _settings_variables() | TEST_ONLY


def test_every_source_is_in_the_docs() -> None:
    sync_row = _documented_commands()["sync"]
    for source in SOURCES.values():
        assert f"`{source.name}`" in sync_row
        assert source.url_env in README and source.url_env in ENV_EXAMPLE
        assert source.minutes_env in ENV_EXAMPLE


def test_global_options_are_documented() -> None:
    section = _section("The command line")
    for param in get_command(app).params:
        if param.param_type_name == "option" and param.name not in _TYPER_OWN:
            assert any(flag in section for flag in param.opts), param.opts
