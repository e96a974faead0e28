-- Sync exclusivity on a lock nobody else can take, dead runs recognised, and the rankings'
-- freshness readable by everyone.

-- 1. The sync lock. Advisory locks are open to every role (`anon` could take the sync's
-- key and refuse every sync), so syncs lock rows of a private table instead: `anon` and
-- `authenticated` have no privilege on it, so they cannot lock it in any mode.
--   'sync':  held by a whole `sync()` (every source, the final rankings refresh) from a
--            connection of its own, in one open transaction: a second sync waits or exits.
--   'write': held by each source's write transaction, so a writer called on its own never
--            interleaves with a sync's writes.
create table llm_intel_private.sync_lock (
  name text primary key,
  constraint sync_lock_name_valid check (name in ('sync', 'write'))
);
insert into llm_intel_private.sync_lock (name) values ('sync'), ('write');

alter table llm_intel_private.sync_lock enable row level security;
revoke all on table llm_intel_private.sync_lock from public, anon, authenticated;
-- SELECT ... FOR UPDATE needs SELECT and UPDATE; RLS does not apply to service_role.
grant select, update on table llm_intel_private.sync_lock to service_role;

-- 2. Runs whose session died. A run records the backend that runs it (pid and that
-- backend's start time, so a reused pid is not mistaken for it); a run still 'running'
-- whose backend is gone was killed (kill -9, lost connection) and becomes 'abandoned'.
alter table public.collector_runs
  add column backend_pid integer,
  add column backend_started_at timestamptz;

alter table public.collector_runs drop constraint collector_runs_status_valid;
alter table public.collector_runs add constraint collector_runs_status_valid
  check (status in ('running', 'succeeded', 'failed', 'refused', 'abandoned'));

-- SECURITY DEFINER: pg_stat_activity shows another role's backend_start only to that role
-- and pg_read_all_stats members. A backend whose start time stays hidden counts as alive
-- if its pid exists: a live run is never marked abandoned.
create or replace function llm_intel_private.abandon_dead_runs()
returns setof bigint
language sql
volatile
security definer
set search_path = ''
as $$
  update public.collector_runs r
     set status = 'abandoned',
         finished_at = greatest(pg_catalog.now(), r.started_at),
         error = 'abandoned: the session that ran it (backend pid '
           || coalesce(r.backend_pid::text, 'unknown')
           || ') ended before the run finished (process killed or connection lost);'
           || ' its transaction was rolled back, nothing of it was written'
   where r.status = 'running'
     and not exists (
       select 1 from pg_catalog.pg_stat_activity a
        where a.pid = r.backend_pid
          and (a.backend_start is null or r.backend_started_at is null
               or a.backend_start = r.backend_started_at))
  returning r.id;
$$;

revoke all on function llm_intel_private.abandon_dead_runs() from public, anon, authenticated;
grant execute on function llm_intel_private.abandon_dead_runs() to service_role;

-- 3. Are the rankings current? A sync marks them stale while it writes and refreshes them
-- at its end; a sync killed in between leaves them stale until something refreshes them
-- (the scheduler checks every minute, `llm-intel db start` too). `sync_running`: a sync
-- holds the sync lock (it refreshes when it ends). REST: POST /rest/v1/rpc/model_rankings_status.
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
  select s.stale,
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
