-- What hosted Supabase already provides, created only where missing, so that the same
-- migrations run unchanged on a plain Postgres (the embedded default, CI, any PG >= 15).
-- Nothing here needs an extension: plain Postgres lacks pg_cron, pgcrypto and pgtap.

do $$
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'service_role') then
    -- On Supabase the service key bypasses RLS; mirror that so tests see the same rules.
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

grant usage on schema public to anon, authenticated, service_role;

-- Internals live outside the schemas PostgREST exposes.
create schema if not exists llm_intel_private;
revoke all on schema llm_intel_private from public;
grant usage on schema llm_intel_private to service_role;
