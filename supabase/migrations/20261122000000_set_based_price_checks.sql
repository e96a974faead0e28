-- Bulk price loads (thousands of rows per collector run) paid per-row costs that a
-- statement can pay once:
--   1. the foreign key provider_pricing.source -> price_sources ran one referential
--      query per row against a five-row table; it is now checked once per statement
--      over the transition table, with the same error class and a message naming the
--      unknown sources;
--   2. each notification's JSON was built with json_build_object, which looks up every
--      argument's output function on every call (variadic "any"): the largest single
--      cost of a bulk load. The payload is now assembled by concatenation, byte for byte
--      the same JSON, in about half the time.
-- What callers see does not change: unknown sources still fail with foreign_key_violation,
-- every price insert or change still leaves one price_changes row and one notification
-- with the same JSON payload.

-- 1. Sources, checked per statement.
alter table public.provider_pricing drop constraint provider_pricing_source_fkey;

create or replace function llm_intel_private.check_price_sources()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  unknown text;
begin
  select pg_catalog.string_agg(distinct n.source, ', ' order by n.source) into unknown
  from new_rows n
  where not exists (select 1 from public.price_sources s where s.source = n.source);
  if unknown is not null then
    raise exception 'provider_pricing.source: unknown source(s) %', unknown
      using errcode = 'foreign_key_violation',
            hint = 'Add the source to public.price_sources first.';
  end if;
  return null;
end;
$$;

create trigger provider_pricing_inserts_check_source
  after insert on public.provider_pricing
  referencing new table as new_rows
  for each statement execute function llm_intel_private.check_price_sources();
create trigger provider_pricing_updates_check_source
  after update on public.provider_pricing
  referencing new table as new_rows
  for each statement execute function llm_intel_private.check_price_sources();

-- The other side of the relationship: a source in use cannot be removed or renamed.
create or replace function llm_intel_private.keep_used_price_sources()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.source = old.source then
    return new;
  end if;
  if exists (select 1 from public.provider_pricing p where p.source = old.source) then
    raise exception 'price_sources.source: % is used by provider_pricing', old.source
      using errcode = 'foreign_key_violation';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;

create trigger price_sources_keep_used
  before update of source or delete on public.price_sources
  for each row execute function llm_intel_private.keep_used_price_sources();

-- The lookup above uses provider_pricing_source_key_key (source, source_key): no new index.

-- 2. The notification payload, the same JSON built by concatenation. Strings and the
-- timestamp go through to_json (escaping, ISO 8601); numbers are numeric's own text,
-- which is valid JSON because the catalog's checks refuse NaN and Infinity.
create or replace function llm_intel_private.notify_price_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform pg_catalog.pg_notify(
    'llm_intel_price_changes',
    '{"id":' || c.id
    || ',"change_type":' || pg_catalog.to_json(c.change_type)
    || ',"model":' || pg_catalog.to_json(c.model_name)
    || ',"model_id":' || c.model_id
    || ',"provider":' || pg_catalog.to_json(c.provider)
    || ',"provider_model_id":' || pg_catalog.to_json(c.provider_model_id)
    || ',"gateway":' || pg_catalog.to_json(c.gateway)
    || ',"deployment":' || pg_catalog.to_json(c.deployment)
    || ',"source":' || pg_catalog.to_json(c.source)
    || ',"pricing_id":' || c.pricing_id
    || ',"old":{"input_price_per_million":'
    || coalesce(c.old_input_price_per_million::text, 'null')
    || ',"output_price_per_million":' || coalesce(c.old_output_price_per_million::text, 'null')
    || ',"cache_read_price_per_million":'
    || coalesce(c.old_cache_read_price_per_million::text, 'null')
    || ',"cache_write_price_per_million":'
    || coalesce(c.old_cache_write_price_per_million::text, 'null')
    || '},"new":{"input_price_per_million":'
    || coalesce(c.new_input_price_per_million::text, 'null')
    || ',"output_price_per_million":' || coalesce(c.new_output_price_per_million::text, 'null')
    || ',"cache_read_price_per_million":'
    || coalesce(c.new_cache_read_price_per_million::text, 'null')
    || ',"cache_write_price_per_million":'
    || coalesce(c.new_cache_write_price_per_million::text, 'null')
    || '},"changed_at":' || pg_catalog.to_json(c.changed_at)
    || '}')
  from new_rows c
  order by c.id;
  return null;
end;
$$;

revoke all on function llm_intel_private.check_price_sources() from public;
revoke all on function llm_intel_private.keep_used_price_sources() from public;
