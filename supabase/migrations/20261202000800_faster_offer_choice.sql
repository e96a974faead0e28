-- Faster offer choice (issue 11, item 8): the same source_offers, fewer lookups.
--
-- source_offers (20261202000500) counted the sources that agree with an offer's price by
-- re-reading provider_pricing once for every (offer, source) row of an offer that several
-- sources list (a correlated subquery: about 3,500 index lookups and sorts on the offline
-- catalog, most of model_rankings' extra refresh time there). Most of those offers need
-- no lookup: when every source's row is within 1 % of this one (input and output), every
-- source agrees, and the count is the number of sources. The window that already counts
-- an offer's sources now also reads their price range; the lookup, unchanged, runs only
-- for a row some source is more than 1 % away from.
--
-- Same columns, same rows, same values (tests/test_offer_choice_speed.py compares every
-- row with the previous definition on an offline-synced catalog). current_pricing,
-- price_conflicts, price_outliers and the functions read this view and are not changed.

create or replace view public.source_offers with (security_invoker = true) as
with lookup as (
  select n.name, pv.provider_name, pv.kind, pv.trust_tier, pv.first_party_source,
         t.preference, t.basis
  from public.providers pv
  join llm_intel_private.trust_tiers t on t.tier = pv.trust_tier
  cross join lateral (
    select pv.provider_name as name
    union all
    select a.alias from public.provider_aliases a where a.provider_name = pv.provider_name
  ) n
),
unrated as (
  select t.tier, t.preference, t.basis from llm_intel_private.trust_tiers t
  where t.tier = 'unrated'
),
priced as (
  select
    p.id as pricing_id,
    p.model_id,
    coalesce(l.provider_name, p.provider_name) as provider_name,
    p.provider_id,
    p.gateway,
    p.deployment,
    p.source,
    p.input_price_per_million,
    coalesce(p.output_price_per_million, p.input_price_per_million) as output_price_per_million,
    (3 * p.input_price_per_million
       + coalesce(p.output_price_per_million, p.input_price_per_million)) / 4
      as blended_price_per_million,
    p.cache_read_price_per_million,
    p.cache_write_price_per_million,
    p.is_free_tier,
    p.context_window,
    p.max_output_tokens,
    p.quantization,
    p.uptime_pct,
    p.latency_ms,
    p.throughput_tps,
    p.updated_at,
    l.kind as provider_kind,
    coalesce(l.trust_tier, u.tier) as trust_tier,
    coalesce(l.preference, u.preference) as trust_preference,
    coalesce(l.basis, u.basis) as trust_basis,
    s.priority as source_priority,
    p.source = 'manual' as is_manual,
    coalesce(l.first_party_source = p.source or g.first_party_source = p.source, false)
      as is_first_party,
    (pg_catalog.strpos(p.provider_id, ':') > 0 and p.provider_id ~* ':[a-z][a-z0-9_-]*$')
      or (p.provider_id ilike '%tee/%' and p.provider_id ~* '(^|/)tee/') as is_variant_id
  from public.provider_pricing p
  cross join unrated u
  left join lookup l on l.name = p.provider_name
  left join lookup g on g.name = p.gateway
  left join public.price_sources s on s.source = p.source
  where p.is_active
    and p.input_price_per_million is not null
),
per_source as (
  select distinct on (pr.model_id, pr.provider_name, pr.gateway, pr.deployment,
                      pr.is_free_tier, pr.source)
    pr.*
  from priced pr
  order by pr.model_id, pr.provider_name, pr.gateway, pr.deployment, pr.is_free_tier,
           pr.source, pr.is_variant_id, pr.blended_price_per_million,
           pg_catalog.length(pr.provider_id), pr.pricing_id
),
counted as (
  select ps.*,
         count(*) over w as source_count,
         min(ps.input_price_per_million) over w as min_input,
         max(ps.input_price_per_million) over w as max_input,
         min(ps.output_price_per_million) over w as min_output,
         max(ps.output_price_per_million) over w as max_output,
         pg_catalog.date_trunc('day', ps.updated_at) as fresh_day
  from per_source ps
  window w as (partition by ps.model_id, ps.provider_name, ps.gateway, ps.deployment,
                            ps.is_free_tier)
),
agreed as (
  select c.*,
         case
           when c.source_count = 1 then 1::bigint
           -- Every source's row within 1 %: every source agrees.
           when c.min_input >= 0.99 * c.input_price_per_million
            and c.max_input <= 1.01 * c.input_price_per_million
            and c.min_output >= 0.99 * c.output_price_per_million
            and c.max_output <= 1.01 * c.output_price_per_million
             then c.source_count
           else (select count(distinct q.source)
                 from public.provider_pricing q
                 where q.model_id = c.model_id
                   and q.is_active
                   and q.gateway = c.gateway
                   and q.deployment = c.deployment
                   and q.is_free_tier = c.is_free_tier
                   and q.input_price_per_million
                       between 0.99 * c.input_price_per_million and 1.01 * c.input_price_per_million
                   and coalesce(q.output_price_per_million, q.input_price_per_million)
                       between 0.99 * c.output_price_per_million
                           and 1.01 * c.output_price_per_million
                   and (q.provider_name = c.provider_name
                        or exists (select 1 from public.provider_aliases a
                                   where a.alias = q.provider_name
                                     and a.provider_name = c.provider_name)))
         end as agreeing
  from counted c
),
ranked as (
  select c.*,
         row_number() over w as choice_rank,
         lead(c.is_manual) over w as next_manual,
         lead(c.is_first_party) over w as next_first_party,
         lead(c.fresh_day) over w as next_fresh_day
  from agreed c
  window w as (partition by c.model_id, c.provider_name, c.gateway, c.deployment, c.is_free_tier
               order by c.is_manual desc, c.is_first_party desc, c.agreeing desc,
                        c.fresh_day desc, c.source_priority nulls last, c.pricing_id)
)
select
  r.pricing_id, r.model_id, r.provider_name, r.provider_id, r.gateway, r.deployment, r.source,
  r.input_price_per_million, r.output_price_per_million, r.blended_price_per_million,
  r.cache_read_price_per_million, r.cache_write_price_per_million, r.is_free_tier,
  r.context_window, r.max_output_tokens, r.quantization, r.uptime_pct, r.latency_ms,
  r.throughput_tps, r.updated_at, r.provider_kind, r.trust_tier, r.trust_preference,
  r.trust_basis, r.is_first_party, r.source_count, r.agreeing, r.choice_rank,
  case
    when r.choice_rank > 1 then null
    when r.source_count = 1 then 'only source'
    when r.agreeing = r.source_count then 'sources agree'
    when r.is_manual and not r.next_manual then 'manual'
    when r.is_first_party and not r.next_first_party then 'first party'
    when r.agreeing > 1 and 2 * r.agreeing > r.source_count then 'agreement'
    when r.fresh_day > r.next_fresh_day then 'freshest'
    else 'priority'
  end as choice_rule
from ranked r;
