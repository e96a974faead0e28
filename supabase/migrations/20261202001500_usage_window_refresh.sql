-- Usage stats reach the rankings (issue 12, item 6).
--
-- model_rankings counts the usage of the last `days` complete days (usage_constants()), so
-- what it should show changes when a day ends, and when a proxy writes or corrects the
-- counters of a complete day. Neither requested a refresh: a catalog whose prices did not
-- change kept yesterday's usage factors for as long as no other write came.
--
-- Now:
-- * the rankings are stale (model_rankings_status(), the heal job, `db start`, `rank`) when
--   the usage window moved since the last refresh and some usage row lies in the old or
--   the new window: the first heal after midnight refreshes once;
-- * a write to a complete day within the window marks the rankings stale. Today's
--   counters, which a proxy updates all day, mark nothing (they count from tomorrow), and
--   nothing refreshes at the writer's commit: the heal job refreshes within a minute, so a
--   proxy's write never waits for a refresh.
-- Dates are the server's current_date, as in model_rankings' usage window.

-- Whether refresh_model_rankings() would change what the usage window covers, or a write
-- left the rankings stale.
create function llm_intel_private.rankings_refresh_due()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select s.stale
      or ((s.last_refreshed_at is null or s.last_refreshed_at::date < current_date)
          and exists (
            select 1
            from public.model_usage_stats u
            cross join llm_intel_private.usage_constants() uc
            where (s.last_refreshed_at is null or u.date >= s.last_refreshed_at::date - uc.days)
              and u.date < current_date))
  from llm_intel_private.rankings_refresh_state s;
$$;

revoke all on function llm_intel_private.rankings_refresh_due() from public;

-- As in 20261202000200, with stale from rankings_refresh_due().
create or replace function public.model_rankings_status()
returns table (
  stale boolean,
  last_refreshed_at timestamptz,
  sync_running boolean
)
language sql
stable
security definer
set search_path = ''
as $$
  select llm_intel_private.rankings_refresh_due(),
         s.last_refreshed_at,
         exists (
           select 1 from pg_catalog.pg_locks l
            where l.relation = 'llm_intel_private.sync_lock'::pg_catalog.regclass
              and l.database = (select d.oid from pg_catalog.pg_database d
                                 where d.datname = pg_catalog.current_database())
              and l.granted and l.mode = 'RowShareLock'
              and l.pid <> pg_catalog.pg_backend_pid())
    from llm_intel_private.rankings_refresh_state s;
$$;

revoke all on function public.model_rankings_status() from public;
grant execute on function public.model_rankings_status() to anon, authenticated, service_role;

-- Statement trigger on model_usage_stats: a changed row of a complete day within the
-- window marks the rankings stale. Transition tables through EXECUTE of literal strings
-- (see 20261202000100).
create function llm_intel_private.mark_rankings_stale_for_usage()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  counted boolean;
begin
  if tg_op = 'DELETE' then
    execute 'select exists (select 1 from old_rows r'
            ' cross join llm_intel_private.usage_constants() uc'
            ' where r.date < current_date and r.date >= current_date - uc.days)'
      into counted;
  elsif tg_op = 'UPDATE' then
    execute 'select exists (select 1 from (select date from old_rows'
            '   union all select date from new_rows) r'
            ' cross join llm_intel_private.usage_constants() uc'
            ' where r.date < current_date and r.date >= current_date - uc.days)'
      into counted;
  else
    execute 'select exists (select 1 from new_rows r'
            ' cross join llm_intel_private.usage_constants() uc'
            ' where r.date < current_date and r.date >= current_date - uc.days)'
      into counted;
  end if;
  if counted then
    update llm_intel_private.rankings_refresh_state set stale = true where not stale;
  end if;
  return null;
end;
$$;

revoke all on function llm_intel_private.mark_rankings_stale_for_usage() from public;

create trigger model_usage_stats_inserts_mark_stale after insert on public.model_usage_stats
  referencing new table as new_rows
  for each statement execute function llm_intel_private.mark_rankings_stale_for_usage();
create trigger model_usage_stats_updates_mark_stale after update on public.model_usage_stats
  referencing old table as old_rows new table as new_rows
  for each statement execute function llm_intel_private.mark_rankings_stale_for_usage();
create trigger model_usage_stats_deletes_mark_stale after delete on public.model_usage_stats
  referencing old table as old_rows
  for each statement execute function llm_intel_private.mark_rankings_stale_for_usage();
