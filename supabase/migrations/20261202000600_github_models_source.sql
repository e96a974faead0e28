-- The free-tier tracker: GitHub Models' catalog API as a price source (issue 11, item 6).
-- Its rows are free-tier offers (is_free_tier, prices 0) whose provider_pricing.rate_limits
-- hold the documented free limits of each model's rate-limit tier. Priority after the
-- four catalogs: the registry (llm_intelligence/sources.py) holds the same number.
insert into public.price_sources (source, priority, description) values
  ('github-models', 50, 'GitHub Models catalog: free-tier models and their rate limits')
on conflict (source) do update
  set priority = excluded.priority, description = excluded.description;
