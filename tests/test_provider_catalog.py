"""The provider catalog, honest minimums, the price choice rule and the ranking constants
(issue 11, items 1, 2, 4 and 5 on the SQL side; issue 10, item 7), on a real Postgres."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from llm_intelligence import identity
from llm_intelligence.collectors.runner import sync
from tests.conftest import fresh_database
from tests.factories import add_model, add_price
from tests.test_sync import make_settings


@pytest.fixture(scope="module")
def offline_url(admin_url: str, template_url: str) -> Iterator[str]:
    """A catalog synced from the bundled offline snapshots (read only)."""
    with fresh_database(admin_url) as url:
        settings = make_settings(
            litellm_url=None, openrouter_url=None, models_dev_url=None, genai_prices_url=None
        )
        sync(url, settings=settings, offline=True)
        yield url


def _one(conn: psycopg.Connection[Any], statement: str, *params: Any) -> Any:
    row = conn.execute(statement, params).fetchone()
    assert row is not None
    return row[0]


def _minimums(conn: psycopg.Connection[Any], model: str) -> tuple[Any, ...]:
    row = conn.execute(
        "select min_input_cost, min_output_cost, price_basis from model_rankings where name = %s",
        (model,),
    ).fetchone()
    assert row is not None
    return tuple(row)


# --- the catalog ------------------------------------------------------------------------


def test_seed_classifies_providers_by_what_they_are(conn: psycopg.Connection[Any]) -> None:
    kinds = dict(conn.execute("select provider_name, kind from providers").fetchall())
    assert {kinds[p] for p in ("openai", "anthropic", "gemini", "mistral", "xai", "deepseek")} == {
        "model_vendor"
    }
    assert {kinds[p] for p in ("bedrock", "azure", "vertex_ai")} == {"cloud"}
    assert {kinds[p] for p in ("together_ai", "fireworks_ai", "deepinfra", "groq")} == {
        "inference_api"
    }
    assert {kinds[p] for p in ("openrouter", "vercel_ai_gateway", "poe")} == {"gateway"}
    assert {kinds[p] for p in ("nano-gpt", "qihang-ai")} == {"reseller"}
    assert {kinds[p] for p in ("github_copilot", "chatgpt")} == {"subscription"}
    assert {kinds[p] for p in ("ollama", "lmstudio")} == {"local_runtime"}
    tiers = dict(conn.execute("select provider_name, trust_tier from providers").fetchall())
    assert tiers["openai"] == tiers["bedrock"] == tiers["groq"] == "trusted"
    assert tiers["nano-gpt"] == "reseller" and tiers["openrouter"] == "gateway"
    assert tiers["apiserpent"] == "unrated"  # not classified: kind null
    # A new provider takes its kind's tier; without a kind it is unrated.
    conn.execute(
        "insert into providers (provider_name, display_name, kind) values ('x', 'X', 'cloud')"
    )
    conn.execute("insert into providers (provider_name, display_name) values ('y', 'Y')")
    assert _one(conn, "select trust_tier from providers where provider_name = 'x'") == "trusted"
    assert _one(conn, "select trust_tier from providers where provider_name = 'y'") == "unrated"


def test_one_provider_one_name_and_python_agrees(conn: psycopg.Connection[Any]) -> None:
    names = {r[0] for r in conn.execute("select provider_name from providers")}
    aliases = dict(conn.execute("select alias, provider_name from provider_aliases").fetchall())
    assert not names & set(aliases)
    # Where the sources spell one provider several ways, one name wins.
    assert aliases["qwencloud"] == aliases["qwen_ai_platform"] == "dashscope"
    assert aliases["stepfun-ai"] == "stepfun" and aliases["nova"] == "amazon_nova"
    assert aliases["meta"] == "meta_llama"
    # Every catalog name is its own canonical spelling in Python, and every target of
    # Python's alias map is in the catalog.
    assert {n for n in names if identity.canonical_provider(n) != n} == set()
    targets = {identity.canonical_provider(n) for n in identity._PROVIDER_ALIASES}
    assert targets <= names
    disagree = {a for a, p in aliases.items() if identity.canonical_provider(a) != p}
    assert not disagree, f"identity.canonical_provider and provider_aliases disagree on {disagree}"


def test_every_provider_the_snapshots_name_is_in_the_catalog(offline_url: str) -> None:
    with psycopg.connect(offline_url) as conn:
        unknown = conn.execute(
            "select distinct p.provider_name from provider_pricing p"
            " where not exists (select 1 from providers v where v.provider_name = p.provider_name)"
        ).fetchall()
        assert unknown == []
        # Resellers no longer set the minimum of a model a trusted provider sells.
        assert (
            _one(
                conn,
                "select count(*) from model_rankings r where r.price_basis = 'trusted'"
                " and exists (select 1 from current_pricing c where c.model_id = r.model_id"
                " and c.trust_tier = 'reseller' and not c.is_free_tier"
                " and c.input_price_per_million < r.min_input_cost)",
            )
            > 0
        )
        sonnet = conn.execute(
            "select min_input_cost, price_basis from model_rankings"
            " where name = 'claude-sonnet-4.5'"
        ).fetchone()
        assert sonnet is not None and sonnet[0] >= Decimal("2.9") and sonnet[1] == "trusted"


def test_existing_offers_are_relabelled_and_aliases_read_as_their_provider(
    conn: psycopg.Connection[Any],
) -> None:
    model_id = add_model(conn, "qwen-max", provider="qwen")
    add_price(conn, model_id, "qwencloud", "1.6", "6.4", source_key="a")
    add_price(conn, model_id, "dashscope", "1.6", "6.4", source="models-dev", source_key="b")
    # A writer that still sends an alias does not split the provider in two.
    rows = conn.execute(
        "select provider_name, source_count from current_pricing where model_id = %s",
        (model_id,),
    ).fetchall()
    assert rows == [("dashscope", 2)]
    assert _one(conn, "select provider_count from model_rankings where name = 'qwen-max'") == 1
    assert _one(
        conn, "select estimate_cost('qwen-max', 1000000, 0, provider_name => 'qwencloud')"
    ) == Decimal("1.6")


def test_anon_reads_the_catalog_and_cannot_write_it(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        for role in ("anon", "authenticated"):
            conn.execute(f"set local role {role}")
            assert _one(conn, "select count(*) from providers") > 100
            assert _one(conn, "select count(*) from provider_aliases") > 10
            for view in ("current_pricing", "source_offers", "price_conflicts", "price_outliers"):
                conn.execute(f"select * from {view} limit 1")  # noqa: S608
            assert _one(conn, "select categories from ranking_method()") == [
                "coding", "reasoning", "math", "general", "chat", "agentic"
            ]  # fmt: skip
            for statement in (
                "insert into providers (provider_name, display_name) values ('z', 'Z')",
                "update providers set trust_tier = 'trusted'",
                "delete from provider_aliases",
                "insert into llm_intel_private.ranking_categories values ('x', 9, 'x')",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
                conn.rollback()
                conn.execute(f"set local role {role}")
            conn.rollback()
        # The operator edits it, and the rankings follow.
        conn.execute("set local role service_role")
        conn.execute("update providers set trust_tier = 'reseller' where provider_name = 'groq'")
        conn.rollback()


def test_a_catalog_change_refreshes_the_rankings(conn: psycopg.Connection[Any]) -> None:
    model_id = add_model(conn, "m", provider="x")
    add_price(conn, model_id, "deepinfra", "1", source_key="a")
    add_price(conn, model_id, "nano-gpt", "0.1", source_key="b")
    assert _minimums(conn, "m")[:1] == (Decimal(1),)
    conn.execute("update providers set trust_tier = 'trusted' where provider_name = 'nano-gpt'")
    assert _minimums(conn, "m")[:1] == (Decimal("0.1"),)


# --- honest minimums --------------------------------------------------------------------


@pytest.fixture
def claude(conn: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    """A $3/$15 model at the vendor, a cloud and a gateway, and cheap at two resellers."""
    model_id = add_model(conn, "claude-x", provider="anthropic")
    add_price(conn, model_id, "anthropic", "3", "15", source_key="a")
    add_price(conn, model_id, "bedrock", "3", "15", source_key="b")
    add_price(conn, model_id, "openrouter", "3", "15", source_key="c")
    add_price(conn, model_id, "qihang-ai", "0.43", "2.14", source_key="d")
    add_price(conn, model_id, "nano-gpt", "2.9", "14.5", source_key="e")
    return conn


def test_minimums_use_trusted_offers(claude: psycopg.Connection[Any]) -> None:
    assert _minimums(claude, "claude-x") == (Decimal(3), Decimal(15), "trusted")
    assert _one(claude, "select estimate_cost('claude-x', 1000000, 0)") == Decimal(3)
    shares = dict(
        claude.execute(
            "select provider_name, selection_probability from provider_options('claude-x')"
        ).fetchall()
    )
    assert shares["anthropic"] == shares["bedrock"] == Decimal("0.5")
    assert shares["qihang-ai"] == shares["nano-gpt"] == shares["openrouter"] == 0
    basis = dict(
        claude.execute("select provider_name, price_basis from provider_options('claude-x')")
    )
    assert basis == {
        "anthropic": "trusted",
        "bedrock": "trusted",
        "openrouter": "excluded:gateway",
        "qihang-ai": "excluded:outlier",  # below half the $6 trusted median (blended)
        "nano-gpt": "excluded:reseller",
    }


def test_include_tiers_widens_the_pool_and_still_drops_outliers(
    claude: psycopg.Connection[Any],
) -> None:
    tiers = "array['trusted', 'reseller', 'gateway']"
    assert _one(
        claude, f"select estimate_cost('claude-x', 1000000, 0, include_tiers => {tiers})"
    ) == Decimal("2.9")
    shares = dict(
        claude.execute(
            "select provider_name, selection_probability"  # noqa: S608 - a constant
            f" from provider_options('claude-x', include_tiers => {tiers})"
        ).fetchall()
    )
    assert shares["nano-gpt"] > shares["anthropic"] > 0 and shares["qihang-ai"] == 0
    [row] = claude.execute(
        f"select min_input_cost, price_basis from rank_models(include_tiers => {tiers})"  # noqa: S608
    ).fetchall()
    assert row == (Decimal("2.9"), "trusted+reseller+gateway")
    [row] = claude.execute("select min_input_cost, price_basis from rank_models()").fetchall()
    assert row == (Decimal(3), "trusted")
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="unknown trust tier 'cheap'"):
        claude.execute("select * from provider_options('claude-x', array['cheap'])")


def test_minimums_fall_back_to_other_tiers_only_when_no_trusted_offer(
    conn: psycopg.Connection[Any],
) -> None:
    model_id = add_model(conn, "niche")
    add_price(conn, model_id, "nano-gpt", "0.5", source_key="a")
    add_price(conn, model_id, "openrouter", "0.8", source_key="b")
    add_price(conn, model_id, "some-new-host", "0.2", source_key="c")  # unrated
    # Gateways come before resellers; both come before nothing.
    assert _minimums(conn, "niche") == (Decimal("0.8"), Decimal("0.8"), "fallback:gateway")
    conn.execute("update provider_pricing set is_active = false where source_key = 'b'")
    # Unrated providers are treated like resellers.
    assert _minimums(conn, "niche") == (Decimal("0.2"), Decimal("0.2"), "fallback:reseller")
    assert _one(conn, "select estimate_cost('niche', 1000000, 0)") == Decimal("0.2")
    conn.execute("update provider_pricing set is_active = false where model_id = %s", (model_id,))
    add_price(conn, model_id, "openrouter", "0", is_free_tier=True, source_key="free")
    assert _minimums(conn, "niche") == (Decimal(0), Decimal(0), "free")


def test_unit_mistakes_are_quarantined(conn: psycopg.Connection[Any]) -> None:
    model_id = add_model(conn, "jais")
    for i, provider in enumerate(["azure", "deepinfra", "together_ai"]):
        add_price(conn, model_id, provider, "0.5", "1", source_key=f"ok{i}")
    add_price(conn, model_id, "bedrock", "3200", "9710", source_key="bad")
    flags = dict(
        conn.execute(
            "select provider_name, is_quarantined from current_pricing where model_id = %s",
            (model_id,),
        ).fetchall()
    )
    assert flags == {"azure": False, "deepinfra": False, "together_ai": False, "bedrock": True}
    assert _minimums(conn, "jais")[:2] == (Decimal("0.5"), Decimal(1))
    assert _one(conn, "select count(*) from price_outliers where flag = 'quarantined'") == 1
    [(share,)] = conn.execute(
        "select selection_probability from provider_options('jais') where provider_name = 'bedrock'"
    ).fetchall()
    assert share == 0


def test_a_quarantined_trusted_price_does_not_make_the_rest_outliers(
    conn: psycopg.Connection[Any],
) -> None:
    model_id = add_model(conn, "grok-fast")
    add_price(conn, model_id, "oci", "5", "25", source_key="oci")
    for i, provider in enumerate(["nano-gpt", "requesty", "zenmux", "openrouter"]):
        add_price(conn, model_id, provider, "0.2", "0.5", source_key=f"r{i}")
    assert _minimums(conn, "grok-fast") == (Decimal("0.2"), Decimal("0.5"), "fallback:gateway")


# --- free tiers, model types ------------------------------------------------------------


def test_free_tier_is_an_api_free_tier_not_a_subscription(conn: psycopg.Connection[Any]) -> None:
    bundled = add_model(conn, "bundled")
    add_price(conn, bundled, "openai", "2.5", "10", source_key="a")
    add_price(conn, bundled, "github_copilot", "0", is_free_tier=True, source_key="b")
    free = add_model(conn, "free-api")
    add_price(conn, free, "openrouter", "0", is_free_tier=True, source_key="c")
    add_price(conn, free, "groq", "0.1", source_key="d")
    rows = {
        r[0]: r[1:]
        for r in conn.execute(
            "select name, has_free_tier, has_subscription_access, min_input_cost"
            " from model_rankings"
        )
    }
    assert rows["bundled"] == (False, True, Decimal("2.5"))
    assert rows["free-api"] == (True, False, Decimal("0.1"))


def test_a_plans_zero_is_no_token_price(conn: psycopg.Connection[Any]) -> None:
    """A coding plan or a local runtime listing $0 sets no price (migration 1900): the model
    is ranked without cost credit instead of first; asked for, that tier counts again."""
    planned = add_model(conn, "plan-only")
    add_price(conn, planned, "zai-coding-plan", "0", source_key="p")
    local = add_model(conn, "local-only")
    add_price(conn, local, "ollama", "0", source_key="l")
    paid_plan = add_model(conn, "paid-plan")
    add_price(conn, paid_plan, "zai-coding-plan", "3", source_key="q")
    free = add_model(conn, "free-api")
    add_price(conn, free, "openrouter", "0", is_free_tier=True, source_key="f")
    rows = {
        r[0]: r[1:]
        for r in conn.execute(
            "select name, min_input_cost, price_basis, cost_efficiency_score,"
            " has_subscription_access from model_rankings"
        )
    }
    assert rows["plan-only"] == (None, None, Decimal(0), True)
    assert rows["local-only"] == (None, None, Decimal(0), False)
    assert rows["paid-plan"] == (Decimal(3), "fallback:subscription", rows["paid-plan"][2], True)
    assert rows["free-api"][:2] == (Decimal(0), "free")
    asked = conn.execute(
        "select min_input_cost, price_basis from rank_models("
        " include_tiers => array['trusted', 'subscription']) where name = 'plan-only'"
    ).fetchone()
    assert asked == (Decimal(0), "free")
    # Routing gives the plan no share of API traffic.
    options = conn.execute(
        "select selection_probability, price_basis from provider_options('plan-only')"
    ).fetchall()
    assert options == [(None, "excluded:subscription")]


@pytest.mark.parametrize(
    "model_type", ["embedding", "image_generation", "audio_speech", "rerank", "moderation", "music"]
)
def test_non_text_models_never_enter_the_rankings(
    conn: psycopg.Connection[Any], model_type: str
) -> None:
    add_price(conn, add_model(conn, "other", model_type=model_type), "openai", "0", source_key="o")
    add_price(conn, add_model(conn, "chatty"), "openai", "1", source_key="c")
    assert [r[0] for r in conn.execute("select name from model_rankings")] == ["chatty"]
    assert [r[0] for r in conn.execute("select name from rank_models()")] == ["chatty"]
    # The offer itself stays visible.
    assert _one(conn, "select count(*) from current_pricing") == 2


# --- which price an offer shows ---------------------------------------------------------


def test_first_party_data_wins_for_its_provider(conn: psycopg.Connection[Any]) -> None:
    model_id = add_model(conn, "m")
    add_price(
        conn, model_id, "openrouter", "2", gateway="openrouter", source="litellm", source_key="a"
    )
    add_price(
        conn, model_id, "openrouter", "3", gateway="openrouter", source="openrouter", source_key="b"
    )
    row = conn.execute(
        "select source, input_price_per_million, choice_rule from current_pricing"
    ).fetchone()
    assert row == ("openrouter", Decimal(3), "first party")


def test_agreement_beats_source_priority(conn: psycopg.Connection[Any]) -> None:
    model_id = add_model(conn, "grok-code-fast-1")
    add_price(conn, model_id, "xai", "1", "2", source="litellm", source_key="a")
    add_price(conn, model_id, "xai", "0.2", "1.5", source="genai-prices", source_key="b")
    add_price(conn, model_id, "xai", "0.2", "1.5", source="models-dev", source_key="c")
    row = conn.execute(
        "select input_price_per_million, output_price_per_million, choice_rule, source_count"
        " from current_pricing"
    ).fetchone()
    assert row is not None and row[:4] == (Decimal("0.2"), Decimal("1.5"), "agreement", 3)
    conflicts = conn.execute(
        "select source, input_price_per_million, is_chosen, chosen_source, input_spread_pct"
        " from price_conflicts order by source"
    ).fetchall()
    assert [(c[0], c[1], c[2]) for c in conflicts] == [
        ("genai-prices", Decimal("0.2"), conflicts[0][3] == "genai-prices"),
        ("litellm", Decimal(1), False),
        ("models-dev", Decimal("0.2"), conflicts[2][3] == "models-dev"),
    ]
    assert {c[3] for c in conflicts} <= {"genai-prices", "models-dev"}
    assert conflicts[0][4] == Decimal(80)


def test_freshest_then_priority(conn: psycopg.Connection[Any]) -> None:
    model_id = add_model(conn, "m")
    add_price(conn, model_id, "openai", "5", source="genai-prices", source_key="a")
    add_price(conn, model_id, "openai", "4", source="litellm", source_key="b")
    assert conn.execute("select source, choice_rule from current_pricing").fetchone() == (
        "litellm",
        "priority",
    )
    conn.execute(
        "alter table provider_pricing disable trigger provider_pricing_touch_updated_at;"
        "update provider_pricing set updated_at = updated_at - interval '3 days'"
        " where source = 'litellm';"
        "alter table provider_pricing enable trigger provider_pricing_touch_updated_at"
    )
    assert conn.execute("select source, choice_rule from current_pricing").fetchone() == (
        "genai-prices",
        "freshest",
    )
    # Agreeing sources are not a conflict.
    add_price(conn, model_id, "anthropic", "3", source="genai-prices", source_key="c")
    add_price(conn, model_id, "anthropic", "3.01", source="litellm", source_key="d")
    assert (
        _one(conn, "select choice_rule from current_pricing where provider_name = 'anthropic'")
        == "sources agree"
    )
    assert _one(conn, "select count(*) from price_conflicts where provider_name = 'anthropic'") == 0


def test_one_source_several_ids_prefers_the_plain_id_then_the_cheapest(
    conn: psycopg.Connection[Any],
) -> None:
    model_id = add_model(conn, "gpt-oss-120b")
    add_price(conn, model_id, "nano-gpt", "2", provider_id="TEE/gpt-oss-120b", source_key="a")
    add_price(conn, model_id, "nano-gpt", "0.05", provider_id="openai/gpt-oss-120b", source_key="b")
    add_price(conn, model_id, "openrouter", "0.5", provider_id="openai/gpt-oss-120b:batch",
              source_key="c")  # fmt: skip
    add_price(conn, model_id, "openrouter", "1", provider_id="openai/gpt-oss-120b", source_key="d")
    add_price(conn, model_id, "openai", "0.3", provider_id="gpt-oss-120b-2025", source_key="e")
    add_price(conn, model_id, "openai", "0.2", provider_id="gpt-oss-120b", source_key="f")
    chosen = dict(conn.execute("select provider_name, provider_id from current_pricing"))
    assert chosen == {
        "nano-gpt": "openai/gpt-oss-120b",
        "openrouter": "openai/gpt-oss-120b",
        "openai": "gpt-oss-120b",
    }


# --- ranking constants once -------------------------------------------------------------


def test_ranking_constants_live_in_one_place(conn: psycopg.Connection[Any]) -> None:
    categories, cost_weight, performance_weight, prior, weight = (
        conn.execute("select * from ranking_method()").fetchone() or (None,) * 5
    )
    assert categories == ["coding", "reasoning", "math", "general", "chat", "agentic"]
    assert (cost_weight, performance_weight, prior, weight) == (
        Decimal("0.4"), Decimal("0.6"), Decimal("0.10"), Decimal("0.25")
    )  # fmt: skip
    # benchmark_scores' categories are the table's rows.
    model_id = add_model(conn, "m")
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="benchmark_category"):
        conn.execute(
            "insert into benchmark_scores (model_id, benchmark_name, benchmark_category,"
            " source_organization, score) values (%s, 'b', 'poetry', 't', 0.5)",
            (model_id,),
        )
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="expected coding, reasoning"):
        conn.execute("select * from rank_models(category => 'poetry')")
    # The stored composite uses the constants: the default call reads it from an index.
    add_price(conn, model_id, "openai", "1")
    conn.execute(
        "insert into benchmark_scores (model_id, benchmark_name, benchmark_category,"
        " source_organization, score) values (%s, 'b', 'coding', 't', 0.5)",
        (model_id,),
    )
    stored = _one(conn, "select composite_score from model_rankings")
    called = _one(conn, "select composite_score from rank_models()")
    explicit = _one(
        conn, "select composite_score from rank_models(cost_weight => 4, performance_weight => 6)"
    )
    assert stored == called == explicit


def test_model_rankings_has_the_columns_of_every_category(conn: psycopg.Connection[Any]) -> None:
    categories = _one(conn, "select categories from ranking_method()")
    columns = {
        r[0]
        for r in conn.execute(
            "select attname from pg_attribute where attrelid = 'public.model_rankings'::regclass"
            " and attnum > 0 and not attisdropped"
        )
    }
    ranked = {
        r[0]
        for r in conn.execute(
            "select attname from pg_attribute where attrelid ="
            " (select typrelid from pg_type where oid = 'public.ranked_model'::regtype)"
        )
    }
    for category in categories:
        wanted = {f"{category}{suffix}" for suffix in ("_score", "_coverage", "_cost_credit",
                                                        "_composite")}  # fmt: skip
        assert wanted <= columns, category
        assert wanted <= ranked, category
    for category in categories:
        conn.execute("select * from rank_models(category => %s)", (category,))
        conn.execute(
            "select * from rank_models(category => %s, include_tiers => array['trusted'])",
            (category,),
        )
