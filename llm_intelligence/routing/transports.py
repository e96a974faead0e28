"""Two ways to read the SQL API, one interface: psycopg and PostgREST.

Both return plain rows (dicts keyed by column name, numerics as Decimal) from the same
public tables, views and functions, so the snapshot built on top is the same object
whichever transport read it. Columns are read by name: a column added to `model_rankings`
or `rank_models` later simply appears in the rows.

- `PsycopgTransport`: DATABASE_URL, or the embedded default (`llm_intelligence.db`).
- `PostgrestTransport`: SUPABASE_URL + SUPABASE_KEY, Supabase's REST API
  (`/rest/v1/<table>`, `/rest/v1/rpc/<function>`), spoken with httpx directly as
  `llm_intelligence.realtime.supabase` does: postgrest-py (supabase-py's table client)
  decodes JSON numbers as floats, and money must stay exact, so bodies are parsed here
  with `parse_float=Decimal`. Supabase caps a response at 1000 rows by default: lists
  are read in pages. `record_usage` needs the service-role key (anon may not write).

The transports are synchronous; the async API runs their calls in a worker thread
(`asyncio.to_thread`): the calls that reach the database are the snapshot loads,
custom-weight rankings and usage flushes, none of them on a routing decision's path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

import httpx
import psycopg
from psycopg.rows import dict_row

from llm_intelligence.errors import DatabaseError, UnknownModelError
from llm_intelligence.routing.types import UsageRecord

Row = dict[str, Any]

_PAGE = 1000


class Transport(Protocol):
    """What the snapshot and the routing core need from the database."""

    name: str

    def categories(self) -> tuple[str, ...]:
        """`ranking_method().categories`, in order."""
        ...

    def rankings(self) -> list[Row]:
        """Every row of `model_rankings`, all columns."""
        ...

    def rank_models(
        self,
        *,
        category: str | None,
        cost_weight: Decimal | None = None,
        performance_weight: Decimal | None = None,
        max_results: int,
    ) -> list[Row]:
        """`rank_models(...)` rows in rank order."""
        ...

    def provider_options(self, models: Sequence[str]) -> dict[str, list[Row]]:
        """`provider_options(model)` for each model name, keyed by that name."""
        ...

    def offers(self) -> list[Row]:
        """`current_pricing`'s per-offer facts the options lack (kind, latency, context)."""
        ...

    def model_aliases(self) -> list[tuple[str, int]]:
        """(alias, model_id) of every alias."""
        ...

    def provider_aliases(self) -> list[tuple[str, str]]:
        """(alias, provider_name) of every provider alias."""
        ...

    def usage_today(self) -> list[Row] | None:
        """Today's (UTC) `model_usage_stats` rows; None when the role may not read them."""
        ...

    def resolve_model(self, model: str) -> int:
        """`resolve_model(model)`: the model id; UnknownModelError when unknown."""
        ...

    def record_usage(self, records: Sequence[UsageRecord]) -> None:
        """`record_usage(...)` once per record, all in one transaction where possible."""
        ...

    def close(self) -> None: ...


# --- psycopg ---------------------------------------------------------------------------


class PsycopgTransport:
    """The SQL API over psycopg: one short connection per load or flush."""

    name = "postgres"

    def __init__(self, url: str) -> None:
        self._url = url

    def _connect(self) -> psycopg.Connection[Row]:
        from llm_intelligence.db.connection import connect

        conn = connect(self._url)
        conn.row_factory = dict_row  # type: ignore[assignment]
        return conn  # type: ignore[return-value]

    def _all(self, query: str, params: Any = None) -> list[Row]:
        try:
            with self._connect() as conn:
                return conn.execute(query, params).fetchall()
        except psycopg.Error as e:
            raise DatabaseError(f"routing read failed: {_one_line(e)}") from e

    def categories(self) -> tuple[str, ...]:
        rows = self._all("select categories from public.ranking_method()")
        return tuple(rows[0]["categories"])

    def rankings(self) -> list[Row]:
        return self._all("select * from public.model_rankings order by model_id")

    def rank_models(
        self,
        *,
        category: str | None,
        cost_weight: Decimal | None = None,
        performance_weight: Decimal | None = None,
        max_results: int,
    ) -> list[Row]:
        from llm_intelligence import rankings

        try:
            with self._connect() as conn:
                return rankings.rank_models(
                    conn,
                    category=category,
                    cost_weight=cost_weight,
                    performance_weight=performance_weight,
                    max_results=max_results,
                )
        except psycopg.Error as e:
            raise DatabaseError(f"rank_models failed: {_one_line(e)}") from e

    def provider_options(self, models: Sequence[str]) -> dict[str, list[Row]]:
        rows = self._all(
            "select wanted.name as requested_model, po.*"
            " from unnest(%s::text[]) wanted(name)"
            " cross join lateral public.provider_options(wanted.name) po",
            (list(models),),
        )
        found: dict[str, list[Row]] = {name: [] for name in models}
        for row in rows:
            found[row.pop("requested_model")].append(row)
        return found

    def offers(self) -> list[Row]:
        return self._all(
            "select pricing_id, provider_kind, latency_ms, context_window, deployment"
            " from public.current_pricing"
        )

    def model_aliases(self) -> list[tuple[str, int]]:
        rows = self._all("select alias, model_id from public.model_aliases")
        return [(r["alias"], r["model_id"]) for r in rows]

    def provider_aliases(self) -> list[tuple[str, str]]:
        rows = self._all("select alias, provider_name from public.provider_aliases")
        return [(r["alias"], r["provider_name"]) for r in rows]

    def usage_today(self) -> list[Row] | None:
        try:
            with self._connect() as conn:
                return conn.execute(
                    "select model_id, provider_name, total_requests, success_count,"
                    " latency_ms_sum, updated_at from public.model_usage_stats"
                    " where date = (now() at time zone 'utc')::date"
                ).fetchall()
        except psycopg.errors.InsufficientPrivilege:
            return None
        except psycopg.Error as e:
            raise DatabaseError(f"reading model_usage_stats failed: {_one_line(e)}") from e

    def resolve_model(self, model: str) -> int:
        try:
            with self._connect() as conn:
                row = conn.execute("select public.resolve_model(%s) as id", (model,)).fetchone()
        except psycopg.errors.NoDataFound as e:
            raise UnknownModelError(_one_line(e)) from e
        except psycopg.Error as e:
            raise DatabaseError(f"resolve_model({model!r}) failed: {_one_line(e)}") from e
        assert row is not None
        return int(row["id"])

    def record_usage(self, records: Sequence[UsageRecord]) -> None:
        try:
            with self._connect() as conn, conn.cursor() as cur:
                cur.executemany(
                    "select public.record_usage(%s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            r.model,
                            r.provider_name,
                            r.input_tokens,
                            r.output_tokens,
                            r.cost,
                            r.latency_ms,
                            r.success,
                        )
                        for r in records
                    ],
                )
        except psycopg.Error as e:
            raise DatabaseError(
                f"record_usage failed for {len(records)} records: {_one_line(e)}"
            ) from e

    def close(self) -> None:
        return None


# --- PostgREST -------------------------------------------------------------------------


class PostgrestTransport:
    """The SQL API over Supabase's REST API (PostgREST), exact decimals."""

    name = "postgrest"

    def __init__(
        self,
        url: str,
        key: str,
        *,
        http_transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        concurrency: int = 8,
    ) -> None:
        self._client = httpx.Client(
            base_url=f"{url.rstrip('/')}/rest/v1",
            headers={
                "apikey": key,
                "Authorization": f"Bearer {key}",
                "Accept": "application/json",
            },
            transport=http_transport,
            timeout=timeout,
        )
        self._concurrency = concurrency

    def _decode(self, response: httpx.Response, what: str) -> Any:
        if response.status_code >= 400:
            raise _postgrest_error(response, what)
        try:
            return json.loads(response.content, parse_float=Decimal)
        except ValueError as e:
            raise DatabaseError(f"PostgREST {what}: the body is not JSON") from e

    def _get(self, path: str, params: dict[str, str]) -> list[Row]:
        """Every row, read in pages of 1000 (Supabase's default max_rows)."""
        rows: list[Row] = []
        offset = 0
        while True:
            page_params = {**params, "limit": str(_PAGE), "offset": str(offset)}
            try:
                response = self._client.get(path, params=page_params)
            except httpx.HTTPError as e:
                raise DatabaseError(f"PostgREST GET {path} failed: {e}") from e
            page = self._decode(response, f"GET {path}")
            rows.extend(page)
            if len(page) < _PAGE:
                return rows
            offset += _PAGE

    def _rpc(self, function: str, arguments: dict[str, Any]) -> Any:
        path = f"/rpc/{function}"
        try:
            response = self._client.post(
                path,
                content=json.dumps(arguments, default=_json_default),
                headers={"Content-Type": "application/json"},
            )
        except httpx.HTTPError as e:
            raise DatabaseError(f"PostgREST POST {path} failed: {e}") from e
        return self._decode(response, f"POST {path}")

    def categories(self) -> tuple[str, ...]:
        rows = self._rpc("ranking_method", {})
        return tuple(rows[0]["categories"])

    def rankings(self) -> list[Row]:
        return self._get("/model_rankings", {"select": "*", "order": "model_id.asc"})

    def rank_models(
        self,
        *,
        category: str | None,
        cost_weight: Decimal | None = None,
        performance_weight: Decimal | None = None,
        max_results: int,
    ) -> list[Row]:
        arguments: dict[str, Any] = {"max_results": max_results}
        if category is not None:
            arguments["category"] = category
        if cost_weight is not None:
            arguments["cost_weight"] = cost_weight
        if performance_weight is not None:
            arguments["performance_weight"] = performance_weight
        rows: list[Row] = self._rpc("rank_models", arguments)
        return rows

    def provider_options(self, models: Sequence[str]) -> dict[str, list[Row]]:
        # PostgREST cannot join a function laterally: one call per model, a few at a time.
        def one(model: str) -> list[Row]:
            rows: list[Row] = self._rpc("provider_options", {"model": model})
            return rows

        with ThreadPoolExecutor(max_workers=self._concurrency) as pool:
            return dict(zip(models, pool.map(one, models), strict=True))

    def offers(self) -> list[Row]:
        return self._get(
            "/current_pricing",
            {
                "select": "pricing_id,provider_kind,latency_ms,context_window,deployment",
                "order": "pricing_id.asc",
            },
        )

    def model_aliases(self) -> list[tuple[str, int]]:
        rows = self._get("/model_aliases", {"select": "alias,model_id", "order": "alias.asc"})
        return [(r["alias"], int(r["model_id"])) for r in rows]

    def provider_aliases(self) -> list[tuple[str, str]]:
        rows = self._get(
            "/provider_aliases", {"select": "alias,provider_name", "order": "alias.asc"}
        )
        return [(r["alias"], r["provider_name"]) for r in rows]

    def usage_today(self) -> list[Row] | None:
        today = datetime.now(UTC).date().isoformat()
        try:
            return self._get(
                "/model_usage_stats",
                {
                    "select": "model_id,provider_name,total_requests,success_count,"
                    "latency_ms_sum,updated_at",
                    "date": f"eq.{today}",
                    "order": "model_id.asc,provider_name.asc",
                },
            )
        except _PermissionDenied:
            return None

    def resolve_model(self, model: str) -> int:
        try:
            return int(self._rpc("resolve_model", {"model": model}))
        except _NoData as e:
            raise UnknownModelError(str(e)) from e

    def record_usage(self, records: Sequence[UsageRecord]) -> None:
        for r in records:
            self._rpc(
                "record_usage",
                {
                    "model": r.model,
                    "provider_name": r.provider_name,
                    "input_tokens": r.input_tokens,
                    "output_tokens": r.output_tokens,
                    "cost": r.cost,
                    "latency_ms": r.latency_ms,
                    "success": r.success,
                },
            )

    def close(self) -> None:
        self._client.close()


class _PermissionDenied(DatabaseError):
    """PostgREST answered 42501 (the key's role may not read it)."""


class _NoData(DatabaseError):
    """PostgREST relayed SQL's no_data_found (P0002): an unknown model."""


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        # As a string: PostgREST hands arguments to SQL as JSON, and a JSON string casts to
        # numeric exactly (a float would not survive json.dumps unrounded).
        return format(value, "f")
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def _postgrest_error(response: httpx.Response, what: str) -> DatabaseError:
    try:
        body = response.json()
        code = body.get("code")
        message = body.get("message") or response.text
    except ValueError:
        code, message = None, response.text[:200]
    text = f"PostgREST {what} answered {response.status_code}: {message}"
    if code == "42501" or response.status_code == 401:
        return _PermissionDenied(text)
    if code == "P0002":
        return _NoData(message)
    return DatabaseError(text)


def _one_line(error: Exception) -> str:
    """The error's own message on one line: for a database error its primary message
    (the server's HINT and PL/pgSQL CONTEXT lines are for logs, not for callers)."""
    text = str(error)
    if isinstance(error, psycopg.Error) and error.diag.message_primary:
        text = error.diag.message_primary
    return " ".join(text.split())


def unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order, once each."""
    return list(dict.fromkeys(values))
