-- Append-only price history, written by trigger for every price insert or change, and
-- announced on one channel. Set-based: statement triggers with transition tables, so a
-- bulk upsert of thousands of rows costs one insert ... select, not one per row.

-- No foreign keys: history is self-describing (names are copied in) and a per-row
-- referential check would double the cost of a bulk price load.
create table public.price_changes (
  id bigint generated always as identity primary key,
  pricing_id bigint not null,
  model_id bigint not null,
  model_name text not null,
  provider text not null,
  provider_model_id text not null,
  gateway text not null,
  deployment text not null,
  source text not null,
  change_type text not null,
  old_input_price_per_million numeric,
  new_input_price_per_million numeric,
  old_output_price_per_million numeric,
  new_output_price_per_million numeric,
  old_cache_read_price_per_million numeric,
  new_cache_read_price_per_million numeric,
  old_cache_write_price_per_million numeric,
  new_cache_write_price_per_million numeric,
  changed_at timestamptz not null default now(),
  constraint price_changes_change_type_valid check (change_type in ('insert', 'update'))
);
create index price_changes_model_changed_idx on public.price_changes (model_id, changed_at desc);

create or replace function llm_intel_private.price_changes_are_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'price_changes is append-only: % is not allowed', tg_op
    using errcode = 'insufficient_privilege';
end;
$$;

create trigger price_changes_append_only
  before update or delete on public.price_changes
  for each row execute function llm_intel_private.price_changes_are_append_only();

create or replace function llm_intel_private.record_inserted_prices()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.price_changes (
    pricing_id, model_id, model_name, provider, provider_model_id, gateway, deployment,
    source, change_type,
    new_input_price_per_million, new_output_price_per_million,
    new_cache_read_price_per_million, new_cache_write_price_per_million)
  select n.id, n.model_id, m.name, n.provider, n.provider_model_id, n.gateway, n.deployment,
         n.source, 'insert',
         n.input_price_per_million, n.output_price_per_million,
         n.cache_read_price_per_million, n.cache_write_price_per_million
  from new_rows n
  join public.models m on m.id = n.model_id;
  return null;
end;
$$;

create or replace function llm_intel_private.record_updated_prices()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.price_changes (
    pricing_id, model_id, model_name, provider, provider_model_id, gateway, deployment,
    source, change_type,
    old_input_price_per_million, new_input_price_per_million,
    old_output_price_per_million, new_output_price_per_million,
    old_cache_read_price_per_million, new_cache_read_price_per_million,
    old_cache_write_price_per_million, new_cache_write_price_per_million)
  select n.id, n.model_id, m.name, n.provider, n.provider_model_id, n.gateway, n.deployment,
         n.source, 'update',
         o.input_price_per_million, n.input_price_per_million,
         o.output_price_per_million, n.output_price_per_million,
         o.cache_read_price_per_million, n.cache_read_price_per_million,
         o.cache_write_price_per_million, n.cache_write_price_per_million
  from new_rows n
  join old_rows o on o.id = n.id
  join public.models m on m.id = n.model_id
  where (o.input_price_per_million, o.output_price_per_million,
         o.cache_read_price_per_million, o.cache_write_price_per_million)
        is distinct from
        (n.input_price_per_million, n.output_price_per_million,
         n.cache_read_price_per_million, n.cache_write_price_per_million);
  return null;
end;
$$;

-- Transition tables allow only one event per trigger: one trigger for inserts, one for updates.
create trigger provider_pricing_record_inserts
  after insert on public.provider_pricing
  referencing new table as new_rows
  for each statement execute function llm_intel_private.record_inserted_prices();

create trigger provider_pricing_record_updates
  after update on public.provider_pricing
  referencing old table as old_rows new table as new_rows
  for each statement execute function llm_intel_private.record_updated_prices();

-- The channel LISTEN/NOTIFY subscribers use where there is no Supabase Realtime server.
-- Payload: JSON with model, provider, old and new prices as exact decimal numbers.
create or replace function llm_intel_private.notify_price_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform pg_catalog.pg_notify(
    'llm_intel_price_changes',
    pg_catalog.json_build_object(
      'id', c.id,
      'change_type', c.change_type,
      'model', c.model_name,
      'model_id', c.model_id,
      'provider', c.provider,
      'provider_model_id', c.provider_model_id,
      'gateway', c.gateway,
      'deployment', c.deployment,
      'source', c.source,
      'pricing_id', c.pricing_id,
      'old', pg_catalog.json_build_object(
        'input_price_per_million', c.old_input_price_per_million,
        'output_price_per_million', c.old_output_price_per_million,
        'cache_read_price_per_million', c.old_cache_read_price_per_million,
        'cache_write_price_per_million', c.old_cache_write_price_per_million),
      'new', pg_catalog.json_build_object(
        'input_price_per_million', c.new_input_price_per_million,
        'output_price_per_million', c.new_output_price_per_million,
        'cache_read_price_per_million', c.new_cache_read_price_per_million,
        'cache_write_price_per_million', c.new_cache_write_price_per_million),
      'changed_at', c.changed_at)::text)
  from new_rows c
  order by c.id;
  return null;
end;
$$;

create trigger price_changes_notify
  after insert on public.price_changes
  referencing new table as new_rows
  for each statement execute function llm_intel_private.notify_price_changes();

-- Supabase Realtime subscribers (postgres_changes on price_changes) see every insert.
alter publication supabase_realtime add table public.price_changes;

alter table public.price_changes enable row level security;
create policy price_changes_public_read on public.price_changes
  for select to anon, authenticated using (true);
revoke all on table public.price_changes from anon, authenticated, service_role;
grant select on table public.price_changes to anon, authenticated, service_role;

revoke all on function llm_intel_private.touch_updated_at() from public;
revoke all on function llm_intel_private.price_changes_are_append_only() from public;
revoke all on function llm_intel_private.record_inserted_prices() from public;
revoke all on function llm_intel_private.record_updated_prices() from public;
revoke all on function llm_intel_private.notify_price_changes() from public;
