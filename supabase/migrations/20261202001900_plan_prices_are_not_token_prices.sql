-- A subscription plan's or a local runtime's $0 is not a token price (issue 11, items 2
-- and 5).
--
-- models.dev lists coding plans (`tencent-coding-plan`, `zai-coding-plan`, ...) and local
-- runtimes with a per-token cost of 0: what is paid is the plan, or the hardware. A model
-- offered only there had min_input_cost 0, price_basis 'free', a cost efficiency of 1, and
-- topped the default ranking on the offline catalog (hunyuan-t1: one coding-plan offer,
-- ranked first of 1,737 once the leaderboards were in). A free API tier (OpenRouter's
-- :free, a provider's free tier) is a token price of 0 a caller can use; a plan is not.
--
-- offer_level (20261202000500), as before except: a free or $0 offer of the subscription
-- or local tier sets no price (null, like an outlier) unless the caller asks for that tier
-- (`include_tiers`). A paid plan offer stays the 'fallback:subscription' it was. Such a
-- model keeps its row, `has_subscription_access` and its offers; its price is null, its
-- cost efficiency 0 (no cost credit: evidence decides its place). Routing
-- (provider_options, estimate_cost) reads the same levels.

create or replace function llm_intel_private.offer_level(
  excluded boolean, is_free boolean, blended_price numeric, tier text, basis text,
  preference smallint, wanted text[])
returns integer
language sql
immutable
parallel safe
return case
  when excluded then null
  when (is_free or blended_price <= 0) and basis in ('subscription', 'local')
       and not (tier = any(wanted) or basis = any(wanted)) then null
  when is_free or blended_price <= 0 then 1000
  when tier = any(wanted) or basis = any(wanted) then 0
  else preference
end;

-- Every stored price is computed with offer_level: rescore every model, refresh now.
insert into llm_intel_private.model_scores_dirty (model_id) values (null);
select public.refresh_model_rankings();
