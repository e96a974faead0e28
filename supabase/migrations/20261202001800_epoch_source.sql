-- Epoch AI's benchmarking hub as a seventh leaderboard (issue 12, item 1): the benchmarks
-- Epoch runs itself, one harness each (GPQA Diamond -> reasoning; MATH Level 5, OTIS Mock
-- AIME, FrontierMath -> math; SWE-bench Verified in Epoch's scaffold -> agentic).
-- benchmark_scores.source references benchmark_sources, so the collector's rows need the
-- row; the categories already exist. No calibration rows: the benchmarks keep the
-- identity until `llm-intel calibrate` fits them.

insert into public.benchmark_sources (source, description) values
  ('epoch', 'Epoch AI benchmarking hub (Epoch''s own runs: GPQA Diamond, MATH Level 5, OTIS Mock AIME, FrontierMath, SWE-bench Verified)')
on conflict (source) do nothing;

update llm_intel_private.ranking_categories
set description = 'Multi-step work in a repository or tool loop (LiveBench Agentic Coding, SWE-bench bash-only, Epoch SWE-bench Verified)'
where category = 'agentic';
