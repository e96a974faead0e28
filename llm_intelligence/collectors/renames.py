"""Rename models in place when the naming rule changes, keeping every old name as an alias.

A catalog synced before canonical names kept their dots holds `gpt-4-1` where the rule now
says `gpt-4.1`. Inserting a second model would split prices, benchmark scores and usage
stats between two rows, so before a source's models are written, each model the source
now names differently is found under its old name and renamed: its id stays (everything
attached to it stays attached) and the old name becomes an alias, so whatever resolved
before still resolves.

The old name is derivable: it is the model's key (`identity.model_key`, the dashed rule
names were spelled with), or the model an alias of one of the source's ids points to.
A model is renamed only when exactly one old model is found, no model holds the new name
yet, and the old name read by today's rule is the new name (a new spelling of the same
model, not an id that now resolves to another model); anything else is left for the
writer's ordinary merge.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import psycopg

from llm_intelligence import identity
from llm_intelligence.collectors.resolve import ResolvedSource

# Old names are recorded as aliases from this source, so they are told apart from ids.
RENAME_SOURCE = "rename"

_NAMES = "select name, id from public.models where name = any(%s)"
_ALIASES = "select alias, model_id from public.model_aliases where alias = any(%s)"
_RENAME = "update public.models set name = %s where id = %s"
_KEEP_OLD_NAME = """
insert into public.model_aliases (alias, model_id, source) values (%s, %s, %s)
on conflict (alias) do update set model_id = excluded.model_id
"""


def rename_models(conn: psycopg.Connection[Any], resolved: ResolvedSource) -> int:
    """Rename the models this source now names differently; returns how many were renamed.

    Runs inside the writer's transaction, under its lock, before models are written.
    """
    wanted = {model.name for model in resolved.models}
    missing = wanted - set(_pairs(conn, _NAMES, sorted(wanted)))
    if not missing:
        return 0
    old_names: dict[str, set[str]] = defaultdict(set)  # new name -> the old rule's names
    ids_of: dict[str, set[str]] = defaultdict(set)  # new name -> the source's ids for it
    for name in missing:
        old_names[name].add(identity.model_key(name))
    for alias, name in resolved.aliases.items():
        if name in missing:
            ids_of[name].add(alias)
            old_names[name].add(identity.model_key(alias, source=resolved.source))
    by_name = _pairs(conn, _NAMES, sorted({old for olds in old_names.values() for old in olds}))
    by_alias = _pairs(conn, _ALIASES, sorted({a for ids in ids_of.values() for a in ids}))
    claims: dict[int, set[str]] = defaultdict(set)  # old model id -> new names claiming it
    for name in missing:
        found = {by_name[old] for old in old_names[name] if old in by_name}
        found |= {by_alias[alias] for alias in ids_of[name] if alias in by_alias}
        if len(found) == 1:
            claims[found.pop()].add(name)
    current = {
        model_id: name
        for name, model_id in _pairs(
            conn, "select name, id from public.models where id = any(%s)", sorted(claims)
        ).items()
    }
    renames = [
        (names.pop(), model_id, current[model_id])
        for model_id, names in sorted(claims.items())
        # One claim only, the old model is not itself a model under the new rule, and the
        # old name, read by today's rule, is the new name: a new spelling, not an id that
        # now resolves to another model (`deploy-1` moving from gpt-4o to gpt-4o-mini).
        if len(names) == 1
        and model_id in current
        and current[model_id] not in wanted
        and identity.canonical_model_name(current[model_id]) == next(iter(names))
    ]
    if renames:
        with conn.cursor() as cur:
            cur.executemany(_RENAME, [(new, model_id) for new, model_id, _ in renames])
            cur.executemany(
                _KEEP_OLD_NAME, [(old, model_id, RENAME_SOURCE) for _, model_id, old in renames]
            )
    return len(renames)


def _pairs(conn: psycopg.Connection[Any], query: str, values: list[Any]) -> dict[Any, Any]:
    if not values:
        return {}
    return dict(conn.execute(query, (values,)).fetchall())
