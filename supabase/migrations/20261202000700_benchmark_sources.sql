-- Leaderboard collectors (issue 12): where each benchmark score came from, whether the
-- leaderboard still lists it, and which of a model's settings variants the ranking uses.
-- Additive only: existing rows (entered by hand, or by an older version) keep working as
-- active, primary rows with no source.

-- The leaderboards the collectors read, as the registry (llm_intelligence/sources.py,
-- kind `benchmarks`) names them; a test holds the two equal.
create table public.benchmark_sources (
  source text primary key,
  description text not null
);
insert into public.benchmark_sources (source, description) values
  ('aider', 'Aider polyglot coding leaderboard (YAML)'),
  ('livebench', 'LiveBench dated table and categories'),
  ('lmarena', 'LMArena text leaderboard (arena-catalog JSON)'),
  ('evalplus', 'EvalPlus HumanEval(+) and MBPP(+) results'),
  ('bigcodebench', 'BigCodeBench complete / instruct results');

alter table public.benchmark_sources enable row level security;
create policy benchmark_sources_public_read on public.benchmark_sources
  for select to anon, authenticated using (true);
revoke all on table public.benchmark_sources from anon, authenticated;
grant select on table public.benchmark_sources to anon, authenticated;
grant all on table public.benchmark_sources to service_role;

alter table public.benchmark_scores
  -- The collector that wrote the row (null: entered by hand); `source_organization` stays
  -- who published the benchmark.
  add column source text references public.benchmark_sources (source),
  -- The variant the ranking uses among one model's settings on one benchmark (the
  -- collectors mark the best normalized score; see benchmarks/writer.py).
  add column is_primary boolean not null default true,
  -- A leaderboard that stops listing a score (or a name that no longer matches) marks its
  -- row inactive; rows are never deleted.
  add column is_active boolean not null default true,
  add column deactivated_at timestamptz;

comment on column public.benchmark_scores.source is
  'The leaderboard collector that wrote the row (benchmark_sources); null: entered by hand.';
comment on column public.benchmark_scores.is_primary is
  'The variant rankings use: per model, benchmark, metric and publisher, the best normalized score.';
comment on column public.benchmark_scores.is_active is
  'False once the leaderboard no longer lists the score (or its name no longer matches); rankings should read active rows only.';

create index benchmark_scores_source_active_idx on public.benchmark_scores (source)
  where is_active;
