-- SWE-bench as a sixth leaderboard (issue 12, item 1): its bash-only board (models run by
-- one fixed agent, mini-SWE-agent, on SWE-bench Verified) feeds the agentic category.
-- benchmark_scores.source references benchmark_sources, so the collector's rows need the
-- row; the category already exists (20261202000900). No calibration row: the first sync
-- links the benchmark to the fitted ones when enough of its models have them
-- (calibration.link_new_benchmarks), else it keeps the identity until `llm-intel calibrate`.

insert into public.benchmark_sources (source, description) values
  ('swebench', 'SWE-bench bash-only board (mini-SWE-agent on SWE-bench Verified)')
on conflict (source) do nothing;
