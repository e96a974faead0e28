-- The catalog: models, every id any source uses for them, what each provider charges,
-- how they score, how they behave in the user's own traffic, and every collector run.
-- Money is numeric USD per million tokens; constraint names carry the column they guard
-- so that a rejected write names what was wrong.

create or replace function llm_intel_private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end;
$$;

-- Which source wins when several report the same provider price (lower wins).
create table public.price_sources (
  source text primary key,
  priority smallint not null unique,
  description text not null
);

insert into public.price_sources (source, priority, description) values
  ('manual',       0,  'Operator overrides entered by hand'),
  ('openrouter',   10, 'OpenRouter API: models and per-provider endpoints (live)'),
  ('litellm',      20, 'LiteLLM model_prices_and_context_window.json'),
  ('models-dev',   30, 'models.dev api.json'),
  ('genai-prices', 40, 'pydantic genai-prices data');

create table public.models (
  id bigint generated always as identity primary key,
  name text not null,
  display_name text,
  provider text,
  family text,
  model_type text not null default 'chat',
  context_window integer,
  max_tokens integer,
  capabilities jsonb not null default '{}'::jsonb,
  release_date date,
  deprecation_date date,
  open_weights boolean,
  is_active boolean not null default true,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint models_name_key unique (name),
  constraint models_name_not_blank check (btrim(name) <> ''),
  constraint models_context_window_positive check (context_window > 0),
  constraint models_max_tokens_positive check (max_tokens > 0),
  constraint models_capabilities_is_object check (jsonb_typeof(capabilities) = 'object'),
  constraint models_metadata_is_object check (jsonb_typeof(metadata) = 'object')
);
comment on column public.models.provider is 'Who made the model (author), not who serves it.';
comment on column public.models.capabilities is 'Boolean flags: function_calling, vision, reasoning, prompt_caching, ...';

create table public.model_aliases (
  alias text primary key,
  model_id bigint not null references public.models (id) on delete cascade,
  source text not null,
  created_at timestamptz not null default now(),
  constraint model_aliases_alias_not_blank check (btrim(alias) <> '')
);
-- No index on lower(alias): the case-insensitive fallback in resolve_model runs only when
-- the exact lookups miss, and an extra index would slow every bulk alias load.
create index model_aliases_model_id_idx on public.model_aliases (model_id);

create table public.provider_pricing (
  id bigint generated always as identity primary key,
  model_id bigint not null references public.models (id) on delete cascade,
  source text not null references public.price_sources (source),
  source_key text not null,
  provider text not null,
  provider_model_id text not null,
  gateway text not null default '',
  deployment text not null default '',
  input_price_per_million numeric,
  output_price_per_million numeric,
  cache_read_price_per_million numeric,
  cache_write_price_per_million numeric,
  batch_input_price_per_million numeric,
  batch_output_price_per_million numeric,
  is_free_tier boolean not null default false,
  context_window integer,
  max_output_tokens integer,
  quantization text,
  uptime_pct numeric,
  latency_ms numeric,
  throughput_tps numeric,
  rate_limits jsonb not null default '{}'::jsonb,
  metadata jsonb not null default '{}'::jsonb,
  is_active boolean not null default true,
  first_seen_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deactivated_at timestamptz,
  constraint provider_pricing_source_key_key unique (source, source_key),
  constraint provider_pricing_provider_not_blank check (btrim(provider) <> ''),
  -- "between" is false for NaN and Infinity, so these also reject them. $100k per
  -- million tokens is far above any real price: larger values are unit mistakes.
  constraint provider_pricing_input_price_per_million_valid
    check (input_price_per_million between 0 and 100000),
  constraint provider_pricing_output_price_per_million_valid
    check (output_price_per_million between 0 and 100000),
  constraint provider_pricing_cache_read_price_per_million_valid
    check (cache_read_price_per_million between 0 and 100000),
  constraint provider_pricing_cache_write_price_per_million_valid
    check (cache_write_price_per_million between 0 and 100000),
  constraint provider_pricing_batch_input_price_per_million_valid
    check (batch_input_price_per_million between 0 and 100000),
  constraint provider_pricing_batch_output_price_per_million_valid
    check (batch_output_price_per_million between 0 and 100000),
  constraint provider_pricing_free_tier_costs_nothing
    check (not is_free_tier
           or (coalesce(input_price_per_million, 0) = 0
               and coalesce(output_price_per_million, 0) = 0)),
  constraint provider_pricing_context_window_positive check (context_window > 0),
  constraint provider_pricing_max_output_tokens_positive check (max_output_tokens > 0),
  constraint provider_pricing_uptime_pct_valid check (uptime_pct between 0 and 100),
  constraint provider_pricing_latency_ms_valid check (latency_ms between 0 and 86400000),
  constraint provider_pricing_throughput_tps_valid check (throughput_tps between 0 and 10000000),
  constraint provider_pricing_metadata_is_object check (jsonb_typeof(metadata) = 'object'),
  constraint provider_pricing_rate_limits_is_object check (jsonb_typeof(rate_limits) = 'object')
);
comment on column public.provider_pricing.provider is
  'Serving provider slug in LiteLLM''s vocabulary (bedrock, azure, vertex_ai, deepinfra, ...).';
comment on column public.provider_pricing.gateway is
  '''openrouter'' when this is the price of serving through OpenRouter, else empty.';
comment on column public.provider_pricing.deployment is
  'Region or profile that carries its own price (us, eu, global, us-east-1, ...), else empty.';
create index provider_pricing_model_id_idx on public.provider_pricing (model_id) where is_active;

create table public.benchmark_scores (
  id bigint generated always as identity primary key,
  model_id bigint not null references public.models (id) on delete cascade,
  benchmark text not null,
  category text not null,
  metric text not null default 'accuracy',
  variant text not null default '',
  source text not null,
  raw_score numeric not null,
  scale text not null default 'fraction',
  chance_score numeric not null default 0,
  ceiling_score numeric,
  elo_reference numeric,
  -- Chance-adjusted and clipped to 0..1; Elo becomes the win rate against a fixed
  -- reference rating. No min-max over the population: adding a model never moves
  -- another model's score.
  normalized_score numeric generated always as (
    case
      when scale = 'elo' then
        1 / (1 + power(10::numeric, (coalesce(elo_reference, 1000) - raw_score) / 400))
      else
        greatest(0::numeric, least(1::numeric,
          (raw_score - chance_score)
          / nullif(coalesce(ceiling_score, case when scale = 'percent' then 100 else 1 end)
                   - chance_score, 0)))
    end
  ) stored,
  measured_on date,
  verified boolean not null default false,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint benchmark_scores_identity_key unique (model_id, benchmark, metric, variant, source),
  constraint benchmark_scores_category_valid
    check (category in ('coding', 'reasoning', 'math', 'general')),
  constraint benchmark_scores_scale_valid check (scale in ('fraction', 'percent', 'elo')),
  constraint benchmark_scores_raw_score_finite check (raw_score between -1000000 and 1000000),
  constraint benchmark_scores_ceiling_above_chance
    check (ceiling_score is null or ceiling_score > chance_score),
  constraint benchmark_scores_metadata_is_object check (jsonb_typeof(metadata) = 'object')
);
create index benchmark_scores_model_id_idx on public.benchmark_scores (model_id);

-- Sums, not averages: concurrent increments add exactly; averages are derived.
create table public.model_usage_stats (
  model_id bigint not null references public.models (id) on delete cascade,
  provider text not null,
  day date not null,
  request_count bigint not null default 0,
  success_count bigint not null default 0,
  input_tokens bigint not null default 0,
  output_tokens bigint not null default 0,
  total_cost numeric not null default 0,
  latency_ms_sum bigint not null default 0,
  success_rate numeric generated always as (
    case when request_count > 0 then success_count::numeric / request_count end
  ) stored,
  avg_latency_ms numeric generated always as (
    case when request_count > 0 then latency_ms_sum::numeric / request_count end
  ) stored,
  updated_at timestamptz not null default now(),
  primary key (model_id, provider, day),
  constraint model_usage_stats_request_count_valid check (request_count >= 0),
  constraint model_usage_stats_success_count_valid check (success_count between 0 and request_count),
  constraint model_usage_stats_input_tokens_valid check (input_tokens >= 0),
  constraint model_usage_stats_output_tokens_valid check (output_tokens >= 0),
  constraint model_usage_stats_total_cost_valid check (total_cost between 0 and 1000000000000),
  constraint model_usage_stats_latency_ms_sum_valid check (latency_ms_sum >= 0)
);

create table public.collector_runs (
  id bigint generated always as identity primary key,
  source text not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running',
  rows_seen integer not null default 0,
  rows_inserted integer not null default 0,
  rows_updated integer not null default 0,
  rows_unchanged integer not null default 0,
  rows_rejected integer not null default 0,
  rows_deactivated integer not null default 0,
  error text,
  details jsonb not null default '{}'::jsonb,
  constraint collector_runs_status_valid
    check (status in ('running', 'succeeded', 'failed', 'refused')),
  constraint collector_runs_finished_after_start
    check (finished_at is null or finished_at >= started_at)
);
create index collector_runs_source_started_idx on public.collector_runs (source, started_at desc);

create trigger models_touch_updated_at before update on public.models
  for each row execute function llm_intel_private.touch_updated_at();
create trigger provider_pricing_touch_updated_at before update on public.provider_pricing
  for each row execute function llm_intel_private.touch_updated_at();
create trigger benchmark_scores_touch_updated_at before update on public.benchmark_scores
  for each row execute function llm_intel_private.touch_updated_at();
create trigger model_usage_stats_touch_updated_at before update on public.model_usage_stats
  for each row execute function llm_intel_private.touch_updated_at();

-- Row level security on every table. Reading the catalog is public; usage stats and
-- collector runs are private. Writes are for service_role (bypasses RLS) and the owner.
alter table public.price_sources enable row level security;
alter table public.models enable row level security;
alter table public.model_aliases enable row level security;
alter table public.provider_pricing enable row level security;
alter table public.benchmark_scores enable row level security;
alter table public.model_usage_stats enable row level security;
alter table public.collector_runs enable row level security;

create policy price_sources_public_read on public.price_sources
  for select to anon, authenticated using (true);
create policy models_public_read on public.models
  for select to anon, authenticated using (true);
create policy model_aliases_public_read on public.model_aliases
  for select to anon, authenticated using (true);
create policy provider_pricing_public_read on public.provider_pricing
  for select to anon, authenticated using (true);
create policy benchmark_scores_public_read on public.benchmark_scores
  for select to anon, authenticated using (true);

-- Older Supabase projects grant everything on new public tables by default privileges:
-- revoke first, then grant exactly what each role needs.
revoke all on table public.price_sources, public.models, public.model_aliases,
  public.provider_pricing, public.benchmark_scores, public.model_usage_stats,
  public.collector_runs
  from anon, authenticated;

grant select on table public.price_sources to anon, authenticated;
grant select on table public.models to anon, authenticated;
grant select on table public.model_aliases to anon, authenticated;
grant select on table public.provider_pricing to anon, authenticated;
grant select on table public.benchmark_scores to anon, authenticated;

grant all on table public.price_sources, public.models, public.model_aliases,
  public.provider_pricing, public.benchmark_scores, public.model_usage_stats,
  public.collector_runs
  to service_role;
