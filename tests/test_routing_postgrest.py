"""The PostgREST transport at the HTTP level (issue 13 item 3).

httpx.MockTransport stands in for Supabase's REST API: it records every request (the
exact paths, query strings, bodies and apikey/Authorization headers are asserted) and
answers it by running the same query as role `anon` on the real test Postgres, which
proves the grants a Supabase anon key needs. Numbers go back as JSON numbers with every
digit (as PostgREST sends numeric), so the Decimal parsing is exercised too. The
snapshot built over PostgREST must equal the one built over psycopg.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import httpx
import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from llm_intelligence import Router
from llm_intelligence.errors import UnknownModelError
from llm_intelligence.routing.snapshot import load_snapshot
from llm_intelligence.routing.transports import PostgrestTransport, PsycopgTransport
from tests.test_routing import small_url  # noqa: F401 (a fixture)
from tests.test_sync import make_settings

KEY = "anon-key-for-tests"
BASE = "http://supabase.test"


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"@@{value}@@"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _json(value: Any) -> bytes:
    # JSON numbers with the numeric's exact digits, the way PostgREST prints numeric.
    return re.sub(r'"@@(.*?)@@"', r"\1", json.dumps(value, default=_encode)).encode()


class AnonPostgrest:
    """A PostgREST stand-in: GET tables/views and POST rpc, run as `anon`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.headers["apikey"] == KEY
        assert request.headers["authorization"] == f"Bearer {KEY}"
        path = request.url.path.removeprefix("/rest/v1/")
        with psycopg.connect(self.url, row_factory=dict_row) as conn:
            conn.execute("set role anon")
            try:
                if path.startswith("rpc/"):
                    return self._rpc(conn, path.removeprefix("rpc/"), json.loads(request.content))
                return self._get(conn, path, dict(parse_qsl(request.url.query.decode())))
            except psycopg.Error as e:
                code = e.sqlstate or ""
                status = 403 if code == "42501" else 400
                return httpx.Response(status, json={"code": code, "message": str(e)})

    def _get(self, conn: psycopg.Connection[Any], table: str, q: dict[str, str]) -> httpx.Response:
        columns = q.pop("select")
        order = [part.split(".") for part in q.pop("order").split(",")]
        limit, offset = int(q.pop("limit")), int(q.pop("offset"))
        filters = {column: value.removeprefix("eq.") for column, value in q.items()}
        query = sql.SQL("select {} from public.{} {} order by {} limit {} offset {}").format(
            sql.SQL("*")
            if columns == "*"
            else sql.SQL(", ").join(map(sql.Identifier, columns.split(","))),
            sql.Identifier(table),
            sql.SQL("where ")
            + sql.SQL(" and ").join(
                sql.SQL("{} = {}").format(sql.Identifier(c), sql.Literal(v))
                for c, v in filters.items()
            )
            if filters
            else sql.SQL(""),
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(d)) for c, d in order
            ),
            sql.Literal(limit),
            sql.Literal(offset),
        )
        return httpx.Response(200, content=_json(conn.execute(query).fetchall()))

    def _rpc(
        self, conn: psycopg.Connection[Any], function: str, args: dict[str, Any]
    ) -> httpx.Response:
        call = sql.SQL("select * from public.{}({})").format(
            sql.Identifier(function),
            sql.SQL(", ").join(
                sql.SQL("{} => {}").format(sql.Identifier(k), sql.Literal(v))
                for k, v in args.items()
            ),
        )
        rows = conn.execute(call).fetchall()
        if function == "resolve_model":  # a scalar function: PostgREST returns the value
            return httpx.Response(200, content=_json(rows[0]["resolve_model"]))
        return httpx.Response(200, content=_json(rows))


def test_snapshot_over_postgrest_equals_psycopg(small_url: str) -> None:  # noqa: F811
    server = AnonPostgrest(small_url)
    rest = PostgrestTransport(BASE, KEY, http_transport=httpx.MockTransport(server))
    over_rest = load_snapshot(rest)
    over_pg = load_snapshot(PsycopgTransport(small_url))
    assert over_rest.models == over_pg.models
    assert over_rest.orders == over_pg.orders
    assert over_rest.aliases == over_pg.aliases
    assert over_rest.provider_aliases == over_pg.provider_aliases
    # anon may not read model_usage_stats: no usage health, said so.
    assert over_rest.usage_readable is False and over_pg.usage_readable is True
    option = over_rest.models["m-vision"].options[0]
    assert option.input_price_per_million == Decimal(5)
    assert isinstance(option.selection_probability, Decimal)

    seen = [(r.method, r.url.path, r.url.query.decode()) for r in server.requests]
    assert seen[0] == ("POST", "/rest/v1/rpc/ranking_method", "")
    assert seen[1] == (
        "GET",
        "/rest/v1/model_rankings",
        "select=%2A&order=model_id.asc&limit=1000&offset=0",
    )
    options = [r for r in server.requests if r.url.path == "/rest/v1/rpc/provider_options"]
    assert sorted(json.loads(r.content)["model"] for r in options) == [
        "m-big",
        "m-one",
        "m-vision",
    ]
    assert all(r.headers["content-type"] == "application/json" for r in options)
    ranks = [json.loads(r.content) for r in server.requests if r.url.path.endswith("rank_models")]
    assert {"max_results": 1000} in ranks
    assert {
        "category": "coding",
        "cost_weight": "0",
        "performance_weight": "1",
        "max_results": 1000,
    } in ranks
    assert (
        "GET",
        "/rest/v1/current_pricing",
        "select=pricing_id%2Cprovider_kind%2Clatency_ms%2Ccontext_window%2Cdeployment"
        "&order=pricing_id.asc&limit=1000&offset=0",
    ) in seen
    assert any(path == "/rest/v1/model_usage_stats" for _, path, _ in seen)


def test_router_over_postgrest(small_url: str) -> None:  # noqa: F811
    server = AnonPostgrest(small_url)
    rest = PostgrestTransport(BASE, KEY, http_transport=httpx.MockTransport(server))
    with Router(settings=make_settings(), transport=rest, realtime=False, seed=2) as r:
        assert r.get_optimal_provider("m-one").provider_name in {"one", "two", "three"}
        assert r.estimate_cost("m-vision", 1000, 1000) == Decimal("0.020")
        before = len(server.requests)
        r.route("Write a haiku about databases")
        assert len(server.requests) == before  # decisions make no round trip
        # What the snapshot cannot match is asked of resolve_model (separators: SQL only).
        assert r.get_model_pricing("m_one").model == "m-one"
        assert server.requests[-1].url.path == "/rest/v1/rpc/resolve_model"
        with pytest.raises(UnknownModelError, match="unknown model"):
            r.get_optimal_provider("nothing-like-it")


def test_pages_of_a_thousand_rows(small_url: str) -> None:  # noqa: F811
    with psycopg.connect(small_url, autocommit=True) as conn:
        conn.execute(
            "insert into model_aliases (alias, model_id, source)"
            " select 'alias-' || i, (select id from models where name = 'm-one'), 'litellm'"
            " from generate_series(1, 1500) i"
        )
    server = AnonPostgrest(small_url)
    rest = PostgrestTransport(BASE, KEY, http_transport=httpx.MockTransport(server))
    aliases = rest.model_aliases()
    assert len([a for a, _ in aliases if a.startswith("alias-")]) == 1500
    pages = [
        r.url.params["offset"] for r in server.requests if r.url.path.endswith("model_aliases")
    ]
    assert pages == ["0", "1000"]
