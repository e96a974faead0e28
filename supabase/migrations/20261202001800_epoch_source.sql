-- Epoch AI's benchmarking hub as a seventh leaderboard (issue 12, item 1): the benchmarks
-- Epoch runs itself, one harness each (GPQA Diamond -> reasoning; MATH Level 5, OTIS Mock
-- AIME, FrontierMath -> math; SWE-bench Verified in Epoch's scaffold -> agentic).
-- benchmark_scores.source references benchmark_sources, so the collector's rows need the
-- row; the categories already exist. No calibration rows: the first sync links each
-- benchmark to the fitted ones when enough of its models have them
-- (calibration.link_new_benchmarks), else it keeps the identity until `llm-intel calibrate`.

insert into public.benchmark_sources (source, description) values
  ('epoch', 'Epoch AI benchmarking hub (Epoch''s own runs: GPQA Diamond, MATH Level 5, OTIS Mock AIME, FrontierMath, SWE-bench Verified)')
on conflict (source) do nothing;

-- What each category measures, without naming the benchmarks that feed it: that is each
-- collector's mapping (README, "Ranking"), which a list here would repeat and outdate
-- ('general' still named Arena Elo, which feeds 'chat' since 20261202000900).
update llm_intel_private.ranking_categories c
set description = d.description
from (values
  ('coding', 'Writing, completing and fixing code'),
  ('reasoning', 'Multi-step reasoning, knowledge and data analysis'),
  ('math', 'Mathematics: calculation and competition problems'),
  ('general', 'Language tasks and following instructions on a given text'),
  ('chat', 'Human preference in open conversation'),
  ('agentic', 'Multi-step work in a repository or tool loop')
) d (category, description)
where c.category = d.category;
