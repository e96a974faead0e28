-- Model names as people type them (issue 10, item 3).
--
-- Canonical names now keep their dots (`gpt-4.1`, `claude-3.5-sonnet`); a sync renames a
-- model stored under its old name in place and keeps the old name as an alias
-- (llm_intelligence/collectors/renames.py), so nothing here rewrites data.
--
-- resolve_model finds what the Python name mapper finds for names people type: exact
-- name, exact alias, then case-insensitively (`Claude-3.5-Sonnet`), then by a separator-
-- and case-blind key (`claude opus 4.1`, `qwen2_5-72b-instruct`, `openai/GPT-4.1`) that
-- must point at one model. When nothing is found, the error names the closest canonical
-- names. No extension is needed: pg_trgm and fuzzystrmatch are not installed everywhere.

-- The lookup key: the last path segment, lower case, runs of anything but letters and
-- digits as one dash, at most 256 characters (ids are at most 256: the key fits a btree
-- index row). The only definition: names and aliases are indexed by it, input is keyed
-- by it.
create or replace function llm_intel_private.name_key(value text)
returns text
language sql
immutable
parallel safe
return pg_catalog.left(
  pg_catalog.btrim(
    pg_catalog.regexp_replace(
      pg_catalog.lower(pg_catalog.regexp_replace(value, '^.*/', '')),
      '[^a-z0-9]+', '-', 'g'),
    '-'),
  256);

create index if not exists models_name_key_idx
  on public.models (llm_intel_private.name_key(name));
create index if not exists model_aliases_name_key_idx
  on public.model_aliases (llm_intel_private.name_key(alias));

-- Up to three canonical names closest to what was typed: the longest shared key prefix
-- first (at least four characters), then the nearest length, active models first. Only
-- runs for an unknown name, so a scan of the models is fine.
create or replace function llm_intel_private.closest_model_names(model text)
returns text
language sql
stable
set search_path = ''
as $$
  with typed as (select pg_catalog.left(llm_intel_private.name_key(model), 64) as k),
  scored as (
    select m.name, m.is_active, nk,
      (select pg_catalog.max(i)
       from pg_catalog.generate_series(1, least(pg_catalog.length(t.k), pg_catalog.length(nk))) i
       where pg_catalog.left(t.k, i) = pg_catalog.left(nk, i)) as shared
    from typed t,
      lateral (select mm.name, mm.is_active, llm_intel_private.name_key(mm.name) as nk
               from public.models mm) m
    where pg_catalog.left(m.nk, 4) = pg_catalog.left(t.k, 4)
  ),
  best as (
    select s.name from scored s, typed t
    where s.shared >= 4
    order by s.shared desc, pg_catalog.abs(pg_catalog.length(s.nk) - pg_catalog.length(t.k)),
      s.is_active desc, s.name
    limit 3
  )
  select pg_catalog.string_agg(best.name, ', ') from best;
$$;

create or replace function public.resolve_model(model text)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
declare
  found_id bigint;
  typed_key text;
  closest text;
begin
  if model is null or pg_catalog.btrim(model) = '' then
    raise exception 'model must be a model name or alias, got %',
      coalesce(quote_literal(llm_intel_private.echo_arg(model)), 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  select m.id into found_id from public.models m where m.name = model;
  if found_id is null then
    select a.model_id into found_id from public.model_aliases a where a.alias = model;
  end if;
  if found_id is null then
    -- Canonical names are lower case.
    select m.id into found_id from public.models m
    where m.name = pg_catalog.lower(pg_catalog.btrim(model));
  end if;
  if found_id is null then
    -- Case-insensitive only when it is unambiguous.
    select min(a.model_id) into found_id
    from public.model_aliases a
    where pg_catalog.lower(a.alias) = pg_catalog.lower(model)
    having count(distinct a.model_id) = 1;
  end if;
  if found_id is null then
    -- Separators and case aside: a canonical name first, then an alias; one model only.
    typed_key := llm_intel_private.name_key(model);
    if typed_key <> '' then
      select min(m.id) into found_id
      from public.models m
      where llm_intel_private.name_key(m.name) = typed_key
      having count(*) = 1;
      if found_id is null then
        select min(a.model_id) into found_id
        from public.model_aliases a
        where llm_intel_private.name_key(a.alias) = typed_key
        having count(distinct a.model_id) = 1;
      end if;
    end if;
  end if;
  if found_id is null then
    closest := llm_intel_private.closest_model_names(model);
    raise exception 'unknown model: %',
      llm_intel_private.echo_arg(model)
        || coalesce('; did you mean ' || closest || '?', '')
      using errcode = 'no_data_found',
            hint = 'Use a canonical name from public.models or an alias from public.model_aliases.';
  end if;
  return found_id;
end;
$$;

-- Grants. create or replace keeps resolve_model's grants; the new functions are revoked
-- from PUBLIC and granted exactly. resolve_model runs as its caller and calls both.
revoke all on function llm_intel_private.name_key(text) from public;
grant execute on function llm_intel_private.name_key(text) to anon, authenticated, service_role;
revoke all on function llm_intel_private.closest_model_names(text) from public;
grant execute on function llm_intel_private.closest_model_names(text)
  to anon, authenticated, service_role;
