-- A catalog a practitioner trusts (issue 11, items 1, 2, 4 and 5, SQL side) and the
-- ranking constants in one place (issue 10, item 7).
--
-- 1. Ranking constants once: the categories are rows of llm_intel_private.ranking_categories
--    (benchmark_scores.benchmark_category references them instead of a CHECK list); the
--    default weights (0.4 cost, 0.6 performance) and the evidence prior are
--    llm_intel_private.ranking_constants(). rank_models validates and defaults from there;
--    public.ranking_method() lets clients (the Python CLI) read them.
-- 2. Provider catalog: public.providers (one row per serving provider: kind, trust tier) and
--    public.provider_aliases (other spellings -> provider_name). Existing offers are
--    re-labelled in place; current_pricing reads an alias as its provider as well, so a
--    writer that still sends an alias cannot split one provider in two.
-- 3. Honest minimums: min_*_cost, estimate_cost without a provider and provider_options use
--    the offers of trusted providers (model vendor, cloud, inference API) and fall back to
--    the other tiers only for a model that has none; price outliers and quarantined offers
--    are never used. Every function takes include_tiers; each row says its price_basis.
-- 4. has_free_tier is an API free tier (not a subscription product: that is
--    has_subscription_access); model_rankings holds text-generation models only.
-- 5. Which source's price an offer shows follows a documented rule (first-party data,
--    agreement, freshness, then priority), and the disagreements are a view:
--    public.price_conflicts.

-- ---------------------------------------------------------------------------------------
-- 1. Ranking constants
-- ---------------------------------------------------------------------------------------

-- The categories of the method. model_rankings has <category>_score, _coverage,
-- _cost_credit and _composite columns for each (structural: adding a category is a
-- migration that recreates model_rankings; tests/test_provider_catalog.py checks both agree).
create table llm_intel_private.ranking_categories (
  category text primary key,
  position smallint not null unique,
  description text not null,
  constraint ranking_categories_category_is_identifier check (category ~ '^[a-z][a-z_]*$')
);
insert into llm_intel_private.ranking_categories (category, position, description) values
  ('coding',    1, 'Writing and fixing code (HumanEval, SWE-bench, LiveCodeBench, ...)'),
  ('reasoning', 2, 'Multi-step reasoning and knowledge (GPQA, MMLU-Pro, ...)'),
  ('math',      3, 'Mathematics (MATH, AIME, ...)'),
  ('general',   4, 'General assistant quality (Arena Elo, MMLU, ...)');

-- The CHECK list becomes a reference to the table, under the same constraint name.
alter table public.benchmark_scores drop constraint benchmark_scores_benchmark_category_valid;
alter table public.benchmark_scores
  add constraint benchmark_scores_benchmark_category_valid
  foreign key (benchmark_category) references llm_intel_private.ranking_categories (category);

-- model_rankings and rank_models are recreated below; they depend on what is dropped here.
drop function public.rank_models(text, numeric, numeric, numeric, integer, text[], integer);
drop type public.ranked_model;
drop materialized view public.model_rankings;
drop function llm_intel_private.ranking_constants();

-- The method's numbers, in one place. Inlined nowhere: a cross join reads one row.
create function llm_intel_private.ranking_constants(
  out prior_score numeric,
  out prior_weight numeric,
  out cost_weight numeric,
  out performance_weight numeric)
language sql
immutable
set search_path = ''
as $$
  select 0.10::numeric, 2::numeric, 0.4::numeric, 0.6::numeric;
$$;

-- What a client needs to present the method: categories in order, default weights, prior.
-- REST: POST /rest/v1/rpc/ranking_method.
create function public.ranking_method()
returns table (
  categories text[],
  cost_weight numeric,
  performance_weight numeric,
  prior_score numeric,
  prior_weight numeric)
language sql
stable
set search_path = ''
as $$
  select (select pg_catalog.array_agg(rc.category order by rc.position)
          from llm_intel_private.ranking_categories rc),
         c.cost_weight, c.performance_weight, c.prior_score, c.prior_weight
  from llm_intel_private.ranking_constants() c;
$$;

-- Text-generation model types: the only ones ranked. A whitelist, so a type nobody listed
-- (music, moderation, rerank, a new one) stays out until someone decides it generates text.
create table llm_intel_private.text_model_types (
  model_type text primary key
);
insert into llm_intel_private.text_model_types (model_type) values
  ('chat'), ('completion'), ('responses');

-- ---------------------------------------------------------------------------------------
-- 2. Provider catalog
-- ---------------------------------------------------------------------------------------

-- How much a provider's list price is trusted for minimums and routing. preference orders
-- the fallback (lower first); basis is the label a fallback shows (price_basis).
-- Unknown providers are 'unrated' and treated like resellers.
create table llm_intel_private.trust_tiers (
  tier text primary key,
  preference smallint not null,
  basis text not null,
  is_default_pool boolean not null default false,
  description text not null
);
insert into llm_intel_private.trust_tiers (tier, preference, basis, is_default_pool, description)
values
  ('trusted',      1, 'trusted',      true,
   'Sells its own capacity at its own list price: model vendors, clouds, inference APIs'),
  ('gateway',      2, 'gateway',      false,
   'Routes to other providers (OpenRouter, Vercel AI Gateway, Poe): their prices plus fees'),
  ('reseller',     3, 'reseller',     false,
   'Resells access to other providers'' models, often below list price, unverifiable'),
  ('unrated',      3, 'reseller',     false,
   'Not classified yet: treated like a reseller'),
  ('subscription', 4, 'subscription', false,
   'A subscription product (GitHub Copilot, coding plans): not a per-token API price'),
  ('local',        5, 'local',        false,
   'Runs on the user''s own hardware (Ollama, LM Studio): no per-token price');

create table llm_intel_private.provider_kinds (
  kind text primary key,
  default_trust_tier text not null references llm_intel_private.trust_tiers (tier),
  description text not null
);
insert into llm_intel_private.provider_kinds (kind, default_trust_tier, description) values
  ('model_vendor',  'trusted',      'Makes the models it serves (OpenAI, Anthropic, Mistral, ...)'),
  ('cloud',         'trusted',      'Hyperscaler or cloud platform (Bedrock, Azure, Vertex AI, ...)'),
  ('inference_api', 'trusted',      'Runs open or licensed models on its own GPUs (Together, Groq, ...)'),
  ('gateway',       'gateway',      'Router over other providers (OpenRouter, Vercel AI Gateway, Poe)'),
  ('reseller',      'reseller',     'Resells other providers'' APIs (nano-gpt, qihang-ai, ...)'),
  ('subscription',  'subscription', 'Subscription product with bundled model access (Copilot, ...)'),
  ('local_runtime', 'local',        'Local runtime (Ollama, LM Studio)');

-- One row per serving provider: provider_pricing.provider_name, model_usage_stats'
-- provider_name and the SQL API's provider_name arguments are these names. kind is what it
-- is (null: not classified); trust_tier decides whether its prices set minimums and routing
-- (null on insert: the kind's default tier, or 'unrated'). The operator (service_role) may
-- edit both; first_party_source names the price source that is this provider's own data.
create table public.providers (
  provider_name text primary key,
  display_name text not null,
  kind text references llm_intel_private.provider_kinds (kind),
  trust_tier text not null references llm_intel_private.trust_tiers (tier),
  first_party_source text,
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint providers_provider_name_not_blank check (btrim(provider_name) <> '')
);
comment on table public.providers is
  'Serving providers: kind (model_vendor, cloud, inference_api, gateway, reseller, '
  'subscription, local_runtime; null = not classified) and trust tier (trusted, gateway, '
  'reseller, subscription, local, unrated). Minimums and routing use trusted offers first.';

create table public.provider_aliases (
  alias text primary key,
  provider_name text not null references public.providers (provider_name)
    on update cascade on delete cascade,
  constraint provider_aliases_alias_not_blank check (btrim(alias) <> ''),
  constraint provider_aliases_alias_is_not_its_provider check (alias <> provider_name)
);
create index provider_aliases_provider_name_idx on public.provider_aliases (provider_name);
comment on table public.provider_aliases is
  'Other spellings of a provider_name (sources disagree: nanogpt / nano-gpt). Must agree '
  'with llm_intelligence.identity.canonical_provider (tests/test_provider_catalog.py).';

create or replace function llm_intel_private.default_trust_tier()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.trust_tier is null or (tg_op = 'UPDATE' and new.kind is distinct from old.kind
                                and new.trust_tier = old.trust_tier) then
    new.trust_tier := coalesce(
      (select k.default_trust_tier from llm_intel_private.provider_kinds k where k.kind = new.kind),
      'unrated');
  end if;
  return new;
end;
$$;

create trigger providers_default_trust_tier
  before insert or update of kind, trust_tier on public.providers
  for each row execute function llm_intel_private.default_trust_tier();
create trigger providers_touch_updated_at before update on public.providers
  for each row execute function llm_intel_private.touch_updated_at();

-- The seed: every provider_name the four sources produce (offline snapshots, 2026-12),
-- classified by what it is, not by how cheap it is. Slugs follow identity.canonical_provider
-- (LiteLLM's names where LiteLLM has one). Unknown or unclear: kind null (tier 'unrated',
-- treated like a reseller) until someone looks. Not tools: search and scraping APIs
-- (serper, tavily, ...) stay unclassified, they price requests, not tokens.
insert into public.providers (provider_name, display_name, kind, notes)
select v.provider_name, v.display_name, v.kind, v.notes
from (values
  -- Model vendors: first-party APIs of the people who make the models.
  ('openai',            'OpenAI',                 'model_vendor',  null),
  ('anthropic',         'Anthropic',              'model_vendor',  null),
  ('gemini',            'Google AI Studio (Gemini API)', 'model_vendor', 'Google''s own API; Vertex AI is vertex_ai'),
  ('palm',              'Google PaLM API',        'model_vendor',  'Legacy'),
  ('mistral',           'Mistral AI',             'model_vendor',  null),
  ('xai',               'xAI',                    'model_vendor',  null),
  ('deepseek',          'DeepSeek',               'model_vendor',  null),
  ('cohere',            'Cohere',                 'model_vendor',  null),
  ('ai21',              'AI21 Labs',              'model_vendor',  null),
  ('perplexity',        'Perplexity',             'model_vendor',  'Sonar models'),
  ('dashscope',         'Alibaba Cloud Model Studio (DashScope)', 'model_vendor', 'Qwen''s maker; international endpoint'),
  ('alibaba-cn',        'Alibaba Cloud Model Studio (China)', 'model_vendor', 'China region, its own prices'),
  ('moonshot',          'Moonshot AI',            'model_vendor',  null),
  ('moonshotai-cn',     'Moonshot AI (China)',    'model_vendor',  null),
  ('minimax',           'MiniMax',                'model_vendor',  null),
  ('minimax-cn',        'MiniMax (China)',        'model_vendor',  null),
  ('zai',               'Z.ai',                   'model_vendor',  'GLM models'),
  ('zhipuai',           'Zhipu AI (BigModel)',    'model_vendor',  'GLM models, China'),
  ('meta_llama',        'Meta Llama API',         'model_vendor',  null),
  ('amazon_nova',       'Amazon Nova',            'model_vendor',  'Amazon''s own Nova API (Bedrock is bedrock)'),
  ('xiaomi_mimo',       'Xiaomi MiMo',            'model_vendor',  null),
  ('stepfun',           'StepFun',                'model_vendor',  null),
  ('inception',         'Inception Labs',         'model_vendor',  'Mercury models'),
  ('morph',             'Morph',                  'model_vendor',  null),
  ('upstage',           'Upstage',                'model_vendor',  null),
  ('bailing',           'Ant Group Ling (Bailing)', 'model_vendor', null),
  ('tencent',           'Tencent Hunyuan',        'model_vendor',  null),
  ('gigachat',          'Sber GigaChat',          'model_vendor',  null),
  ('sarvam',            'Sarvam AI',              'model_vendor',  null),
  ('arcee',             'Arcee AI',               'model_vendor',  null),
  ('cognition',         'Cognition',              'model_vendor',  null),
  ('v0',                'Vercel v0',              'model_vendor',  null),
  ('voyage',            'Voyage AI',              'model_vendor',  'Embeddings'),
  ('jina_ai',           'Jina AI',                'model_vendor',  'Embeddings'),
  ('black_forest_labs', 'Black Forest Labs',      'model_vendor',  'Images'),
  ('stability',         'Stability AI',           'model_vendor',  'Images'),
  ('recraft',           'Recraft',                'model_vendor',  'Images'),
  ('runwayml',          'Runway',                 'model_vendor',  'Video'),
  ('elevenlabs',        'ElevenLabs',             'model_vendor',  'Audio'),
  ('deepgram',          'Deepgram',               'model_vendor',  'Audio'),
  ('assemblyai',        'AssemblyAI',             'model_vendor',  'Audio'),
  ('soniox',            'Soniox',                 'model_vendor',  'Audio'),
  -- Clouds: hyperscalers and cloud platforms selling model access on their own bill.
  ('bedrock',           'Amazon Bedrock',         'cloud',         null),
  ('sagemaker',         'Amazon SageMaker',       'cloud',         null),
  ('agentcore',         'Amazon Bedrock AgentCore', 'cloud',       null),
  ('aws_polly',         'Amazon Polly',           'cloud',         'Speech'),
  ('azure',             'Microsoft Azure (OpenAI, AI Foundry)', 'cloud', null),
  ('bing_grounding',    'Azure Bing grounding',   'cloud',         'Search tool'),
  ('vertex_ai',         'Google Vertex AI',       'cloud',         null),
  ('oci',               'Oracle Cloud (OCI)',     'cloud',         null),
  ('watsonx',           'IBM watsonx',            'cloud',         null),
  ('databricks',        'Databricks',             'cloud',         null),
  ('snowflake',         'Snowflake Cortex',       'cloud',         null),
  ('sap-ai-core',       'SAP AI Core',            'cloud',         null),
  ('digitalocean',      'DigitalOcean',           'cloud',         null),
  ('ovhcloud',          'OVHcloud AI Endpoints',  'cloud',         null),
  ('scaleway',          'Scaleway',               'cloud',         null),
  ('stackit',           'STACKIT',                'cloud',         null),
  ('vultr',             'Vultr',                  'cloud',         null),
  ('heroku',            'Heroku',                 'cloud',         null),
  ('evroc',             'evroc',                  'cloud',         null),
  ('volcengine',        'Volcano Engine (ByteDance)', 'cloud',     null),
  -- Inference APIs: serve open or licensed models on their own hardware.
  ('together_ai',       'Together AI',            'inference_api', null),
  ('fireworks_ai',      'Fireworks AI',           'inference_api', null),
  ('deepinfra',         'DeepInfra',              'inference_api', null),
  ('groq',              'Groq',                   'inference_api', null),
  ('cerebras',          'Cerebras',               'inference_api', null),
  ('sambanova',         'SambaNova',              'inference_api', null),
  ('nebius',            'Nebius AI Studio',       'inference_api', null),
  ('novita',            'Novita AI',              'inference_api', null),
  ('hyperbolic',        'Hyperbolic',             'inference_api', null),
  ('lambda_ai',         'Lambda',                 'inference_api', null),
  ('friendliai',        'FriendliAI',             'inference_api', null),
  ('featherless_ai',    'Featherless',            'inference_api', null),
  ('cloudflare',        'Cloudflare Workers AI',  'inference_api', null),
  ('baseten',           'Baseten',                'inference_api', null),
  ('nscale',            'Nscale',                 'inference_api', null),
  ('parasail',          'Parasail',               'inference_api', null),
  ('nvidia_nim',        'NVIDIA NIM',             'inference_api', null),
  ('replicate',         'Replicate',              'inference_api', null),
  ('chutes',            'Chutes',                 'inference_api', null),
  ('wandb',             'Weights & Biases Inference', 'inference_api', null),
  ('gmi',               'GMI Cloud',              'inference_api', null),
  ('github',            'GitHub Models',          'inference_api', 'Free prototyping tier with rate limits, paid use billed through Azure'),
  ('siliconflow',       'SiliconFlow',            'inference_api', null),
  ('siliconflow-cn',    'SiliconFlow (China)',    'inference_api', null),
  ('modelscope',        'ModelScope API-Inference', 'inference_api', null),
  ('anyscale',          'Anyscale Endpoints',     'inference_api', 'Retired'),
  ('avian',             'Avian',                  'inference_api', null),
  ('clarifai',          'Clarifai',               'inference_api', null),
  ('crusoe',            'Crusoe',                 'inference_api', null),
  ('fal_ai',            'fal.ai',                 'inference_api', 'Images and video'),
  ('modal',             'Modal',                  'inference_api', null),
  ('nlp_cloud',         'NLP Cloud',              'inference_api', null),
  ('publicai',          'PublicAI',               'inference_api', null),
  ('inference',         'Inference.net',          'inference_api', null),
  ('io-net',            'io.net',                 'inference_api', null),
  ('nearai',            'NEAR AI Cloud',          'inference_api', null),
  ('privatemode-ai',    'Privatemode',            'inference_api', null),
  ('regolo-ai',         'Regolo',                 'inference_api', null),
  ('cloudferro-sherlock', 'CloudFerro Sherlock',  'inference_api', null),
  ('berget',            'Berget AI',              'inference_api', null),
  ('gradient_ai',       'DigitalOcean Gradient',  'inference_api', null),
  ('doubleword',        'Doubleword',             'inference_api', null),
  ('hpc-ai',            'HPC-AI',                 'inference_api', null),
  ('venice',            'Venice',                 'inference_api', null),
  ('libertai',          'LibertAI',               'inference_api', null),
  ('drun',              'DaoCloud d.run',         'inference_api', null),
  -- Gateways: route each request to another provider, at its price plus a fee.
  ('openrouter',        'OpenRouter',             'gateway',       null),
  ('vercel_ai_gateway', 'Vercel AI Gateway',      'gateway',       null),
  ('cloudflare-ai-gateway', 'Cloudflare AI Gateway', 'gateway',    null),
  ('poe',               'Poe',                    'gateway',       null),
  ('huggingface',       'Hugging Face Inference Providers', 'gateway', 'Routes to partner providers'),
  ('huggingface_cerebras',    'Hugging Face via Cerebras',    'gateway', null),
  ('huggingface_fireworks-ai','Hugging Face via Fireworks',   'gateway', null),
  ('huggingface_groq',        'Hugging Face via Groq',        'gateway', null),
  ('huggingface_hyperbolic',  'Hugging Face via Hyperbolic',  'gateway', null),
  ('huggingface_nebius',      'Hugging Face via Nebius',      'gateway', null),
  ('huggingface_novita',      'Hugging Face via Novita',      'gateway', null),
  ('huggingface_nscale',      'Hugging Face via Nscale',      'gateway', null),
  ('huggingface_ovhcloud',    'Hugging Face via OVHcloud',    'gateway', null),
  ('huggingface_publicai',    'Hugging Face via PublicAI',    'gateway', null),
  ('huggingface_sambanova',   'Hugging Face via SambaNova',   'gateway', null),
  ('huggingface_together',    'Hugging Face via Together',    'gateway', null),
  ('helicone',          'Helicone AI Gateway',    'gateway',       null),
  ('requesty',          'Requesty',               'gateway',       null),
  ('kilo',              'Kilo Gateway',           'gateway',       null),
  ('llmgateway',        'LLM Gateway',            'gateway',       null),
  ('fastrouter',        'FastRouter',             'gateway',       null),
  ('orcarouter',        'OrcaRouter',             'gateway',       null),
  ('zenmux',            'ZenMux',                 'gateway',       null),
  ('routing-run',       'routing.run',            'gateway',       null),
  ('cortecs',           'Cortecs',                'gateway',       null),
  ('opencode',          'OpenCode Zen',           'gateway',       null),
  ('perplexity-agent',  'Perplexity Agent API',   'gateway',       'Runs other vendors'' models'),
  ('abacus',            'Abacus.AI RouteLLM',     'gateway',       null),
  -- Resellers: other providers' models, at prices nobody can verify against a list.
  ('nano-gpt',          'NanoGPT',                'reseller',      null),
  ('qihang-ai',         'Qihang AI',              'reseller',      null),
  ('302ai',             '302.AI',                 'reseller',      null),
  ('aihubmix',          'AIHubMix',               'reseller',      null),
  ('aiml',              'AI/ML API',              'reseller',      null),
  ('jiekou',            'Jiekou.AI',              'reseller',      null),
  ('quicksilverpro',    'QuickSilver Pro',        'reseller',      null),
  ('qiniu-ai',          'Qiniu AI',               'reseller',      null),
  ('iflowcn',           'iFlow',                  'reseller',      null),
  ('tencent-tokenhub',  'Tencent TokenHub',       'reseller',      null),
  ('llamagate',         'LlamaGate',              'reseller',      null),
  -- Subscriptions: bundled access, not a per-token price.
  ('github_copilot',    'GitHub Copilot',         'subscription',  null),
  ('chatgpt',           'ChatGPT subscription',   'subscription',  null),
  ('cursor',            'Cursor',                 'subscription',  null),
  ('gitlab',            'GitLab Duo',             'subscription',  null),
  ('opencode-go',       'OpenCode Go',            'subscription',  null),
  ('kimi-for-coding',   'Kimi For Coding',        'subscription',  null),
  ('alibaba-coding-plan',    'Alibaba Coding Plan',          'subscription', null),
  ('alibaba-coding-plan-cn', 'Alibaba Coding Plan (China)',  'subscription', null),
  ('minimax-coding-plan',    'MiniMax Coding Plan',          'subscription', null),
  ('minimax-cn-coding-plan', 'MiniMax Coding Plan (China)',  'subscription', null),
  ('zai-coding-plan',        'Z.ai Coding Plan',             'subscription', null),
  ('zhipuai-coding-plan',    'Zhipu Coding Plan',            'subscription', null),
  ('tencent-coding-plan',    'Tencent Coding Plan',          'subscription', null),
  ('kuae-cloud-coding-plan', 'KUAE Cloud Coding Plan',       'subscription', null),
  ('umans-ai-coding-plan',   'Umans AI Coding Plan',         'subscription', null),
  ('xiaomi-token-plan-ams',  'Xiaomi Token Plan (Europe)',   'subscription', null),
  ('xiaomi-token-plan-cn',   'Xiaomi Token Plan (China)',    'subscription', null),
  ('xiaomi-token-plan-sgp',  'Xiaomi Token Plan (Singapore)', 'subscription', null),
  ('synthetic',         'Synthetic',              'subscription',  'Subscription with usage caps'),
  -- Local runtimes.
  ('ollama',            'Ollama',                 'local_runtime', null),
  ('lmstudio',          'LM Studio',              'local_runtime', null),
  ('lemonade',          'Lemonade Server',        'local_runtime', null),
  -- Not classified yet (tier unrated, treated like resellers): small or unclear offers,
  -- and request-priced tools.
  ('abliteration-ai',   'abliteration.ai',        null, null),
  ('ambient',           'Ambient',                null, null),
  ('apiserpent',        'APISerpent',             null, 'Search tool'),
  ('atomic-chat',       'Atomic Chat',            null, null),
  ('auriko',            'Auriko',                 null, null),
  ('claudinio',         'Claudinio',              null, null),
  ('darkbloom',         'Darkbloom',              null, null),
  ('dataforseo',        'DataForSEO',             null, 'Search tool'),
  ('dinference',        'DInference',             null, null),
  ('duckduckgo',        'DuckDuckGo',             null, 'Search tool'),
  ('exa_ai',            'Exa',                    null, 'Search tool'),
  ('firecrawl',         'Firecrawl',              null, 'Scraping tool'),
  ('firepass',          'Firepass',               null, null),
  ('frogbot',           'Frogbot',                null, null),
  ('google_pse',        'Google Programmable Search', null, 'Search tool'),
  ('lilac',             'Lilac',                  null, null),
  ('linkup',            'Linkup',                 null, 'Search tool'),
  ('lucidquery',        'LucidQuery',             null, null),
  ('meganova',          'MegaNova',               null, null),
  ('mixlayer',          'Mixlayer',               null, null),
  ('moark',             'Moark',                  null, null),
  ('neuralwatt',        'Neuralwatt',             null, null),
  ('nimble',            'Nimble',                 null, 'Search tool'),
  ('openai-decisions',  'openai-decisions',       null, null),
  ('parallel_ai',       'Parallel',               null, 'Search tool'),
  ('pinstripes',        'Pinstripes',             null, null),
  ('prism',             'Prism',                  null, null),
  ('reducto',           'Reducto',                null, 'Document parsing'),
  ('sail',              'Sail',                   null, null),
  ('scx-ai',            'SCX.ai',                 null, null),
  ('searxng',           'SearXNG',                null, 'Search tool'),
  ('serper',            'Serper',                 null, 'Search tool'),
  ('strands_decider',   'strands_decider',        null, null),
  ('submodel',          'SubModel',               null, null),
  ('tavily',            'Tavily',                 null, 'Search tool'),
  ('tensormesh',        'TensorMesh',             null, null),
  ('tinyfish',          'TinyFish',               null, null),
  ('transcribe',        'transcribe',             null, null),
  ('typesafe',          'typesafe',               null, null),
  ('vivgrid',           'Vivgrid',                null, null),
  ('wafer.ai',          'Wafer',                  null, null),
  ('xpersona',          'Xpersona',               null, null),
  ('you_com',           'You.com',                null, 'Search tool')
) as v (provider_name, display_name, kind, notes);

-- The first-party data of a provider: OpenRouter's own API is the authority on what
-- OpenRouter charges (its /models price and every endpoint behind it), the GitHub Models
-- catalog on GitHub Models.
update public.providers set first_party_source = 'openrouter' where provider_name = 'openrouter';
update public.providers set first_party_source = 'github-models' where provider_name = 'github';

-- Other spellings of the same provider, as the sources write them. The mirror of
-- OpenRouter's API names providers by their display names (302.AI, io.net, ...).
insert into public.provider_aliases (alias, provider_name) values
  ('qwen_ai_platform',            'dashscope'),
  ('qwencloud',                   'dashscope'),
  ('stepfun-ai',                  'stepfun'),
  ('nova',                        'amazon_nova'),
  ('meta',                        'meta_llama'),
  ('302.ai',                      '302ai'),
  ('berget.ai',                   'berget'),
  ('io.net',                      'io-net'),
  ('jiekou.ai',                   'jiekou'),
  ('kilo-gateway',                'kilo'),
  ('llm-gateway',                 'llmgateway'),
  ('nanogpt',                     'nano-gpt'),
  ('near-ai-cloud',               'nearai'),
  ('routing.run',                 'routing-run'),
  ('siliconflow-china',           'siliconflow-cn'),
  ('venice-ai',                   'venice'),
  ('iflow',                       'iflowcn'),
  ('d.run-china',                 'drun'),
  ('opencode-zen',                'opencode'),
  ('z.ai-coding-plan',            'zai-coding-plan'),
  ('alibaba-coding-plan-china',   'alibaba-coding-plan-cn'),
  ('xiaomi-token-plan-china',     'xiaomi-token-plan-cn'),
  ('xiaomi-token-plan-europe',    'xiaomi-token-plan-ams'),
  ('xiaomi-token-plan-singapore', 'xiaomi-token-plan-sgp');

-- Existing offers under an alias take their provider's name. Only the label changes: the
-- key (source, source_key) does not, price_changes keeps the history as it was written,
-- and updated_at is left alone (it dates the last price a source reported, which the
-- choice rule below reads).
alter table public.provider_pricing disable trigger provider_pricing_touch_updated_at;
update public.provider_pricing p
   set provider_name = a.provider_name
  from public.provider_aliases a
 where a.alias = p.provider_name;
alter table public.provider_pricing enable trigger provider_pricing_touch_updated_at;

alter table public.providers enable row level security;
alter table public.provider_aliases enable row level security;
create policy providers_public_read on public.providers
  for select to anon, authenticated using (true);
create policy provider_aliases_public_read on public.provider_aliases
  for select to anon, authenticated using (true);
revoke all on table public.providers, public.provider_aliases from anon, authenticated;
grant select on table public.providers, public.provider_aliases to anon, authenticated;
grant all on table public.providers, public.provider_aliases to service_role;

-- The method's tables: read by the SQL API, which runs as its caller; written by
-- migrations only. Row level security like every table: everyone reads.
alter table llm_intel_private.ranking_categories enable row level security;
alter table llm_intel_private.text_model_types enable row level security;
alter table llm_intel_private.trust_tiers enable row level security;
alter table llm_intel_private.provider_kinds enable row level security;
create policy ranking_categories_public_read on llm_intel_private.ranking_categories
  for select to anon, authenticated using (true);
create policy text_model_types_public_read on llm_intel_private.text_model_types
  for select to anon, authenticated using (true);
create policy trust_tiers_public_read on llm_intel_private.trust_tiers
  for select to anon, authenticated using (true);
create policy provider_kinds_public_read on llm_intel_private.provider_kinds
  for select to anon, authenticated using (true);
revoke all on table llm_intel_private.ranking_categories, llm_intel_private.text_model_types,
  llm_intel_private.trust_tiers, llm_intel_private.provider_kinds from public;
grant select on table llm_intel_private.ranking_categories, llm_intel_private.text_model_types,
  llm_intel_private.trust_tiers, llm_intel_private.provider_kinds
  to anon, authenticated, service_role;
revoke all on function llm_intel_private.default_trust_tier() from public;

-- ---------------------------------------------------------------------------------------
-- 3. Which price an offer shows: source_offers, current_pricing, price_conflicts
-- ---------------------------------------------------------------------------------------

drop view public.current_pricing;

-- One row per (offer, source), an offer being (model, provider_name, gateway, deployment,
-- free/paid). provider_name is the catalog's name (an alias is read as its provider).
--
-- Within one source, an offer listed under several ids (nano-gpt's `TEE/gpt-oss-120b` at
-- $2 next to `openai/gpt-oss-120b` at $0.05; a dated id next to its alias), the row shown
-- is, in order: an id without a variant marker (an OpenRouter-style `:tag` suffix such as
-- `:batch` or `:extended`, or a `TEE/` segment), then the cheapest (blended), then the
-- shortest id, then the lowest row id.
--
-- Across sources (choice_rank 1 is what current_pricing shows), in order:
--   0. an operator's manual price;
--   a. the provider's own first-party data (providers.first_party_source of the provider
--      or of the gateway it is sold through: OpenRouter's API for offers through OpenRouter);
--   b. the value most sources agree on (input and output price within 1 %);
--   c. the freshest: the source whose price changed or appeared on the latest day
--      (updated_at; rows one sync writes are equally fresh);
--   d. source priority (price_sources.priority), then the lowest row id.
-- choice_rule says which step decided: 'only source', 'sources agree' (all within 1 %),
-- 'manual', 'first party', 'agreement' (a strict majority agrees), 'freshest', 'priority'.
create view public.source_offers
with (security_invoker = true) as
with lookup as (
  -- Every name a provider goes by (its provider_name and its aliases) -> the catalog row,
  -- with its trust tier's fallback preference and label. A few hundred rows, hashed.
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
  -- The small lookups are joined before the one big sort below.
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
    -- (cheap tests first: most ids have neither a colon nor "tee/")
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
         count(*) over (partition by ps.model_id, ps.provider_name, ps.gateway, ps.deployment,
                                     ps.is_free_tier) as source_count,
         pg_catalog.date_trunc('day', ps.updated_at) as fresh_day
  from per_source ps
),
agreed as (
  -- Agreement: how many sources list this offer at this price (input and output within
  -- 1 %). Looked up only for offers with several sources.
  select c.*,
         case
           when c.source_count = 1 then 1::bigint
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

-- One row per offer: the price chosen by the rule above, who the provider is (kind, trust
-- tier), and two flags computed against the model's other offers (paid = not a free tier
-- and a blended price above 0):
--   is_price_outlier: an offer of a provider outside the trusted tier whose blended price
--     is below half the median of the model's trusted paid offers, quarantined ones left
--     out (trusted_median_price; a reseller at $0.43 for a $3 model). A trusted provider below half the median is competition, not an error
--     (DeepInfra's or Groq's open-weight prices are often a third of the median): only the
--     quarantine below applies to it;
--   is_quarantined: blended price more than 20x above or below the median of all the
--     model's paid offers (a unit mistake: per token for per million, per thousand).
-- Neither is used for minimums or routing. The medians come from one window over the
-- model's offers in price order (a filter on model_id still reaches the table's index).
create view public.current_pricing
with (security_invoker = true) as
with chosen as (
  select so.*,
         (not so.is_free_tier and so.blended_price_per_million > 0) as is_paid
  from public.source_offers so
  where so.choice_rank = 1
),
spread as (
  -- The model's paid prices in ascending order (one window: the rows come sorted by
  -- model), trusted ones and all.
  select ch.*,
         pg_catalog.array_agg(ch.blended_price_per_million)
           filter (where ch.is_paid and ch.trust_tier = 'trusted') over w_model as trusted_prices,
         pg_catalog.array_agg(ch.blended_price_per_million)
           filter (where ch.is_paid) over w_model as paid_prices
  from chosen ch
  window w_model as (partition by ch.model_id order by ch.blended_price_per_million, ch.pricing_id
                     rows between unbounded preceding and unbounded following)
),
medians as (
  select sp.*,
         (sp.paid_prices[(pg_catalog.cardinality(sp.paid_prices) + 1) / 2]
          + sp.paid_prices[(pg_catalog.cardinality(sp.paid_prices) + 2) / 2]) / 2
           as paid_median_price
  from spread sp
),
judged as (
  -- The trusted median judges the offers outside the trusted tier only (a trusted price
  -- is not an outlier of itself), and leaves out quarantined trusted prices: OCI's $5
  -- for grok-4-fast must not make every $0.20 offer an outlier.
  select md.*,
         case
           when not md.is_paid or md.trust_tier = 'trusted' or md.trusted_prices is null
             then null
           -- The usual case: no trusted price is quarantined (the array is in price order).
           when md.trusted_prices[1] * 20 >= md.paid_median_price
            and md.trusted_prices[pg_catalog.cardinality(md.trusted_prices)]
                <= 20 * md.paid_median_price
             then (md.trusted_prices[(pg_catalog.cardinality(md.trusted_prices) + 1) / 2]
                   + md.trusted_prices[(pg_catalog.cardinality(md.trusted_prices) + 2) / 2]) / 2
           else (select pg_catalog.percentile_cont(0.5) within group (order by x.price)
                   from pg_catalog.unnest(md.trusted_prices) x (price)
                   where x.price * 20 >= md.paid_median_price
                     and x.price <= 20 * md.paid_median_price)::numeric
         end as trusted_median_price
  from medians md
)
select
  md.pricing_id, md.model_id, md.provider_name, md.provider_id, md.gateway, md.deployment,
  md.source, md.input_price_per_million, md.output_price_per_million,
  md.blended_price_per_million, md.cache_read_price_per_million,
  md.cache_write_price_per_million, md.is_free_tier, md.context_window, md.max_output_tokens,
  md.quantization, md.uptime_pct, md.latency_ms, md.throughput_tps, md.updated_at,
  md.provider_kind, md.trust_tier, md.trust_preference, md.trust_basis, md.source_count,
  md.choice_rule, md.trusted_median_price, md.paid_median_price,
  coalesce(md.blended_price_per_million < md.trusted_median_price / 2, false)
    as is_price_outlier,
  coalesce(md.is_paid and (md.blended_price_per_million > 20 * md.paid_median_price
                           or md.blended_price_per_million * 20 < md.paid_median_price), false)
    as is_quarantined
from judged md;

comment on view public.current_pricing is
  'One row per offer (model, provider_name, gateway, deployment, free/paid): the price chosen '
  'by the documented rule (choice_rule), the provider''s kind and trust tier, and the '
  'is_price_outlier / is_quarantined flags (never used for minimums or routing).';

-- Offers where sources disagree: one row per (offer, source) for every offer whose
-- sources differ by more than 1 % on input or output price, with the value each source
-- reports and the one current_pricing shows (is_chosen, choice_rule of the chosen row).
create view public.price_conflicts
with (security_invoker = true) as
with contested as (
  select so.*,
         min(so.input_price_per_million) over w as min_input,
         max(so.input_price_per_million) over w as max_input,
         min(so.output_price_per_million) over w as min_output,
         max(so.output_price_per_million) over w as max_output,
         max(so.choice_rule) over w as choice_rule_of_offer,
         max(so.source) filter (where so.choice_rank = 1) over w as chosen_source
  from public.source_offers so
  where so.source_count > 1
  window w as (partition by so.model_id, so.provider_name, so.gateway, so.deployment,
                            so.is_free_tier)
)
select
  c.model_id,
  m.name as model_name,
  c.provider_name,
  c.gateway,
  c.deployment,
  c.is_free_tier,
  c.source,
  c.provider_id,
  c.pricing_id,
  c.input_price_per_million,
  c.output_price_per_million,
  c.updated_at,
  c.choice_rank = 1 as is_chosen,
  c.chosen_source,
  c.choice_rule_of_offer as choice_rule,
  pg_catalog.round(100 * (c.max_input - c.min_input) / nullif(c.max_input, 0), 2)
    as input_spread_pct,
  pg_catalog.round(100 * (c.max_output - c.min_output) / nullif(c.max_output, 0), 2)
    as output_spread_pct
from contested c
join public.models m on m.id = c.model_id
where c.max_input > 1.01 * c.min_input
   or c.max_output > 1.01 * c.min_output;

comment on view public.price_conflicts is
  'Offers whose sources disagree by more than 1 % on input or output price: one row per '
  'source, its value, and which one current_pricing shows (is_chosen, choice_rule).';

-- Offers the minimums and routing leave out, and why: below half the trusted median
-- (outlier) or 20x off the paid median (quarantined).
create view public.price_outliers
with (security_invoker = true) as
select
  cp.model_id,
  m.name as model_name,
  cp.provider_name,
  cp.trust_tier,
  cp.source,
  cp.provider_id,
  cp.pricing_id,
  cp.input_price_per_million,
  cp.output_price_per_million,
  cp.blended_price_per_million,
  cp.trusted_median_price,
  cp.paid_median_price,
  case when cp.is_quarantined then 'quarantined' else 'outlier' end as flag
from public.current_pricing cp
join public.models m on m.id = cp.model_id
where cp.is_price_outlier or cp.is_quarantined;

revoke all on table public.source_offers, public.current_pricing, public.price_conflicts,
  public.price_outliers from anon, authenticated;
grant select on table public.source_offers, public.current_pricing, public.price_conflicts,
  public.price_outliers to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- 4. Honest minimums: the pool of offers a model's price comes from
-- ---------------------------------------------------------------------------------------

-- The tiers a caller asked for, checked; null means the default pool (trusted).
create function llm_intel_private.price_tiers(include_tiers text[], caller text)
returns text[]
language plpgsql
stable
set search_path = ''
as $$
declare
  unknown text;
begin
  if include_tiers is null then
    return (select pg_catalog.array_agg(t.tier order by t.preference, t.tier)
            from llm_intel_private.trust_tiers t where t.is_default_pool);
  end if;
  select pg_catalog.string_agg(pg_catalog.quote_literal(llm_intel_private.echo_arg(w)), ', ')
    into unknown
  from pg_catalog.unnest(include_tiers) w
  where w is null or not exists (select 1 from llm_intel_private.trust_tiers t where t.tier = w);
  if unknown is not null or pg_catalog.cardinality(include_tiers) = 0 then
    raise exception '%: unknown trust tier %, expected some of %', caller,
      coalesce(unknown, 'list (empty)'),
      (select pg_catalog.string_agg(t.tier, ', ' order by t.preference, t.tier)
       from llm_intel_private.trust_tiers t)
      using errcode = 'invalid_parameter_value';
  end if;
  return include_tiers;
end;
$$;

-- The level of an offer in its model's pool, for the requested tiers `wanted`:
--   0      an offer of a requested tier (default: trusted);
--   1..5   otherwise its tier's fallback preference (gateway, reseller and unrated,
--          subscription, local);
--   1000   a free offer (free tier, or a price of 0): used only when nothing paid is;
--   null   a price outlier or a quarantined offer: never used.
-- A model's pool is its offers at the best (lowest) level it has. Inlinable.
create function llm_intel_private.offer_level(
  excluded boolean, is_free boolean, blended_price numeric, tier text, basis text,
  preference smallint, wanted text[])
returns integer
language sql
immutable
parallel safe
return case
  when excluded then null
  when is_free or blended_price <= 0 then 1000
  when tier = any(wanted) or basis = any(wanted) then 0
  else preference
end;

-- Where a pool's prices come from (price_basis): the requested tiers ('trusted',
-- 'trusted+reseller'), 'fallback:<tier>' when the model has none of them, 'free' when
-- nothing paid is offered.
create function llm_intel_private.pool_basis(pool_level integer, fallback_basis text,
                                            wanted text[])
returns text
language sql
immutable
parallel safe
return case
  when pool_level is null then null
  when pool_level = 0 then pg_catalog.array_to_string(wanted, '+')
  when pool_level = 1000 then 'free'
  else 'fallback:' || fallback_basis
end;

-- Every current offer with its level and its model's pool level (an SQL function the
-- planner inlines, so a filter on model_id reaches the table's index).
create function llm_intel_private.priced_offers(tiers text[])
returns table (
  pricing_id bigint,
  model_id bigint,
  provider_name text,
  provider_id text,
  gateway text,
  deployment text,
  source text,
  input_price_per_million numeric,
  output_price_per_million numeric,
  blended_price_per_million numeric,
  is_free_tier boolean,
  uptime_pct numeric,
  provider_kind text,
  trust_tier text,
  is_price_outlier boolean,
  is_quarantined boolean,
  level integer,
  pool_level integer,
  price_basis text)
language sql
stable
as $$
  select lv.pricing_id, lv.model_id, lv.provider_name, lv.provider_id, lv.gateway,
         lv.deployment, lv.source, lv.input_price_per_million, lv.output_price_per_million,
         lv.blended_price_per_million, lv.is_free_tier, lv.uptime_pct, lv.provider_kind,
         lv.trust_tier, lv.is_price_outlier, lv.is_quarantined, lv.level, lv.pool_level,
         llm_intel_private.pool_basis(
           lv.pool_level,
           (select min(t.basis) from llm_intel_private.trust_tiers t
            where t.preference = lv.pool_level),
           lv.wanted)
  from (
    select l.*, min(l.level) over (partition by l.model_id) as pool_level
    from (
      select cp.*, w.wanted,
             llm_intel_private.offer_level(
               cp.is_price_outlier or cp.is_quarantined, cp.is_free_tier,
               cp.blended_price_per_million, cp.trust_tier, cp.trust_basis,
               cp.trust_preference, w.wanted) as level
      from public.current_pricing cp
      -- The argument evaluated once (offset 0 keeps the subquery apart): a function call
      -- passed as the argument would otherwise run for every offer.
      cross join (select tiers as wanted offset 0) w
    ) l
  ) lv;
$$;

-- Per model: minimum input, output and blended price over its pool, where they come from,
-- how many providers serve it, and what kind of free access exists. has_free_tier: an API
-- free tier (OpenRouter's :free, a provider's free tier), not a subscription product
-- (has_subscription_access) nor a local runtime.
--
-- One pass, no window: each price is read as level x 1,000,000 + price (prices are below
-- 100,000, a CHECK of provider_pricing), so the minimum of that is the cheapest offer of
-- the best level, and both come back exactly by division.
create function llm_intel_private.model_price_summary(tiers text[])
returns table (
  model_id bigint,
  min_input_cost numeric,
  min_output_cost numeric,
  min_blended_cost numeric,
  price_basis text,
  provider_count bigint,
  has_free_tier boolean,
  has_subscription_access boolean)
language sql
stable
as $$
  select agg.model_id,
         agg.best_input - agg.pool_level * 1000000,
         agg.best_output - agg.pool_level * 1000000,
         agg.best_blended - agg.pool_level * 1000000,
         llm_intel_private.pool_basis(agg.pool_level::integer, fb.basis, agg.wanted),
         agg.provider_count, agg.has_free_tier, agg.has_subscription_access
  from (
    select lv.model_id,
           min(lv.wanted) as wanted,
           pg_catalog.trunc(min(lv.level * 1000000::numeric + lv.blended_price_per_million)
                            / 1000000) as pool_level,
           min(lv.level * 1000000::numeric + lv.input_price_per_million) as best_input,
           min(lv.level * 1000000::numeric + lv.output_price_per_million) as best_output,
           min(lv.level * 1000000::numeric + lv.blended_price_per_million) as best_blended,
           count(distinct lv.provider_name) as provider_count,
           coalesce(bool_or(lv.is_free_tier)
                      filter (where lv.provider_kind is null
                                 or lv.provider_kind not in ('subscription', 'local_runtime')),
                    false) as has_free_tier,
           coalesce(bool_or(lv.provider_kind = 'subscription'), false) as has_subscription_access
    from (
      select cp.model_id, cp.provider_name, cp.provider_kind, cp.is_free_tier,
             cp.input_price_per_million, cp.output_price_per_million,
             cp.blended_price_per_million, w.wanted,
             llm_intel_private.offer_level(
               cp.is_price_outlier or cp.is_quarantined, cp.is_free_tier,
               cp.blended_price_per_million, cp.trust_tier, cp.trust_basis,
               cp.trust_preference, w.wanted) as level
      from public.current_pricing cp
      cross join (select tiers as wanted offset 0) w
    ) lv
    group by lv.model_id
  ) agg
  left join (select t.preference, min(t.basis) as basis
             from llm_intel_private.trust_tiers t group by t.preference) fb
    on fb.preference = agg.pool_level;
$$;

revoke all on function llm_intel_private.price_tiers(text[], text) from public;
revoke all on function llm_intel_private.offer_level(boolean, boolean, numeric, text, text,
  smallint, text[]) from public;
grant execute on function llm_intel_private.offer_level(boolean, boolean, numeric, text, text,
  smallint, text[]) to anon, authenticated, service_role;
revoke all on function llm_intel_private.pool_basis(integer, text, text[]) from public;
grant execute on function llm_intel_private.pool_basis(integer, text, text[])
  to anon, authenticated, service_role;
revoke all on function llm_intel_private.priced_offers(text[]) from public;
revoke all on function llm_intel_private.model_price_summary(text[]) from public;
grant execute on function llm_intel_private.price_tiers(text[], text)
  to anon, authenticated, service_role;
grant execute on function llm_intel_private.priced_offers(text[])
  to anon, authenticated, service_role;
grant execute on function llm_intel_private.model_price_summary(text[])
  to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- 5. model_rankings: text models only, honest minimums, constants from one place
-- ---------------------------------------------------------------------------------------
-- The method is unchanged (see 20261121000300): log-scale cost efficiency of the minimum
-- blended price, category scores shrunk toward the prior, cost credit in proportion to the
-- evidence, composite = cost_weight x credit + performance_weight x performance. What
-- changes: the minimums come from the pool (trusted offers, else the best fallback tier;
-- price_basis says which), the weights and prior from ranking_constants(), and only
-- text-generation models (llm_intel_private.text_model_types) have a row.

create materialized view public.model_rankings as
with prices as (
  select * from llm_intel_private.model_price_summary(
    llm_intel_private.price_tiers(null, 'model_rankings'))
),
evidence as (
  select
    b.model_id,
    count(*) filter (where b.benchmark_category = 'coding') as coding_n,
    avg(b.normalized_score) filter (where b.benchmark_category = 'coding') as coding_mean,
    count(*) filter (where b.benchmark_category = 'reasoning') as reasoning_n,
    avg(b.normalized_score) filter (where b.benchmark_category = 'reasoning') as reasoning_mean,
    count(*) filter (where b.benchmark_category = 'math') as math_n,
    avg(b.normalized_score) filter (where b.benchmark_category = 'math') as math_mean,
    count(*) filter (where b.benchmark_category = 'general') as general_n,
    avg(b.normalized_score) filter (where b.benchmark_category = 'general') as general_mean
  from public.benchmark_scores b
  group by b.model_id
),
base as (
  select
    m.id as model_id,
    m.name,
    m.provider,
    m.model_family,
    m.model_type,
    m.context_window,
    m.max_tokens,
    m.capabilities,
    m.open_weights,
    m.release_date,
    p.min_input_cost,
    p.min_output_cost,
    p.min_blended_cost,
    p.price_basis,
    coalesce(p.provider_count, 0) as provider_count,
    coalesce(p.has_free_tier, false) as has_free_tier,
    coalesce(p.has_subscription_access, false) as has_subscription_access,
    coalesce(e.coding_n, 0) as coding_coverage,
    coalesce(e.reasoning_n, 0) as reasoning_coverage,
    coalesce(e.math_n, 0) as math_coverage,
    coalesce(e.general_n, 0) as general_coverage,
    coalesce(e.coding_mean, 0) as coding_mean,
    coalesce(e.reasoning_mean, 0) as reasoning_mean,
    coalesce(e.math_mean, 0) as math_mean,
    coalesce(e.general_mean, 0) as general_mean,
    -- A model with no token price gets no credit for cost and scores 0 for cost efficiency
    -- (never null: "order by cost_efficiency_score desc" lists priced models first).
    coalesce(llm_intel_private.cost_efficiency(p.min_blended_cost), 0) as cost_for_credit,
    coalesce(llm_intel_private.cost_efficiency(p.min_blended_cost), 0) as cost_efficiency_score,
    c.prior_score,
    c.prior_weight,
    c.cost_weight,
    c.performance_weight
  from public.models m
  cross join llm_intel_private.ranking_constants() c
  left join evidence e on e.model_id = m.id
  left join prices p on p.model_id = m.id
  where m.is_active
    and m.model_type in (select t.model_type from llm_intel_private.text_model_types t)
),
shrunk as (
  select
    base.*,
    round((coding_coverage * coding_mean + prior_weight * prior_score)
          / (coding_coverage + prior_weight), 6) as coding_score,
    round((reasoning_coverage * reasoning_mean + prior_weight * prior_score)
          / (reasoning_coverage + prior_weight), 6) as reasoning_score,
    round((math_coverage * math_mean + prior_weight * prior_score)
          / (math_coverage + prior_weight), 6) as math_score,
    round((general_coverage * general_mean + prior_weight * prior_score)
          / (general_coverage + prior_weight), 6) as general_score,
    coding_coverage + reasoning_coverage + math_coverage + general_coverage as benchmark_count,
    round(cost_for_credit * (coding_coverage + reasoning_coverage + math_coverage
                             + general_coverage)
          / (coding_coverage + reasoning_coverage + math_coverage + general_coverage
             + prior_weight), 6) as cost_credit,
    round(cost_for_credit * coding_coverage / (coding_coverage + prior_weight), 6)
      as coding_cost_credit,
    round(cost_for_credit * reasoning_coverage / (reasoning_coverage + prior_weight), 6)
      as reasoning_cost_credit,
    round(cost_for_credit * math_coverage / (math_coverage + prior_weight), 6)
      as math_cost_credit,
    round(cost_for_credit * general_coverage / (general_coverage + prior_weight), 6)
      as general_cost_credit,
    round((coding_coverage + reasoning_coverage + math_coverage + general_coverage)
          / (coding_coverage + reasoning_coverage + math_coverage + general_coverage
             + prior_weight), 6) as evidence_weight
  from base
),
scored as (
  select
    shrunk.*,
    round((coding_score + reasoning_score + math_score + general_score) / 4, 6)
      as performance_score
  from shrunk
)
select
  model_id, name, provider, model_family, model_type, context_window, max_tokens, capabilities,
  open_weights, release_date, min_input_cost, min_output_cost, min_blended_cost,
  provider_count, has_free_tier,
  coding_score, reasoning_score, math_score, general_score,
  coding_coverage, reasoning_coverage, math_coverage, general_coverage, benchmark_count,
  cost_efficiency_score, evidence_weight, performance_score,
  cost_credit, coding_cost_credit, reasoning_cost_credit, math_cost_credit, general_cost_credit,
  -- Default weights, overall and per category: stored and indexed so that rank_models
  -- with default weights reads the top N from an index.
  round(cost_weight * cost_credit + performance_weight * performance_score, 6)
    as composite_score,
  round(cost_weight * coding_cost_credit + performance_weight * coding_score, 6)
    as coding_composite,
  round(cost_weight * reasoning_cost_credit + performance_weight * reasoning_score, 6)
    as reasoning_composite,
  round(cost_weight * math_cost_credit + performance_weight * math_score, 6)
    as math_composite,
  round(cost_weight * general_cost_credit + performance_weight * general_score, 6)
    as general_composite,
  price_basis,
  has_subscription_access
from scored
with data;

create unique index model_rankings_model_id_key on public.model_rankings (model_id);
create index model_rankings_composite_idx
  on public.model_rankings (composite_score desc, provider_count desc, model_id);
create index model_rankings_coding_idx
  on public.model_rankings (coding_composite desc, provider_count desc, model_id);
create index model_rankings_reasoning_idx
  on public.model_rankings (reasoning_composite desc, provider_count desc, model_id);
create index model_rankings_math_idx
  on public.model_rankings (math_composite desc, provider_count desc, model_id);
create index model_rankings_general_idx
  on public.model_rankings (general_composite desc, provider_count desc, model_id);
create index model_rankings_name_idx on public.model_rankings (name);

revoke all on table public.model_rankings from anon, authenticated;
grant select on table public.model_rankings to anon, authenticated, service_role;

revoke all on function llm_intel_private.ranking_constants() from public;
grant execute on function llm_intel_private.ranking_constants()
  to anon, authenticated, service_role;
revoke all on function public.ranking_method() from public;
grant execute on function public.ranking_method() to anon, authenticated, service_role;

-- The provider catalog is an input of model_rankings (kinds and tiers decide minimums):
-- its changes request a refresh like every other input's.
create trigger providers_inserts_request_refresh after insert on public.providers
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger providers_updates_request_refresh after update on public.providers
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger providers_deletes_request_refresh after delete on public.providers
  referencing old table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger provider_aliases_inserts_request_refresh after insert on public.provider_aliases
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger provider_aliases_updates_request_refresh after update on public.provider_aliases
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger provider_aliases_deletes_request_refresh after delete on public.provider_aliases
  referencing old table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();

-- ---------------------------------------------------------------------------------------
-- 6. The SQL API
-- ---------------------------------------------------------------------------------------

-- model_rankings' columns plus rank (a named type: an argument shares its name with an
-- output column).
create type public.ranked_model as (
  rank bigint,
  model_id bigint, name text, provider text, model_family text, model_type text,
  context_window integer, max_tokens integer, capabilities jsonb, open_weights boolean,
  release_date date, min_input_cost numeric, min_output_cost numeric, min_blended_cost numeric,
  provider_count bigint, has_free_tier boolean,
  coding_score numeric, reasoning_score numeric, math_score numeric, general_score numeric,
  coding_coverage bigint, reasoning_coverage bigint, math_coverage bigint,
  general_coverage bigint, benchmark_count bigint,
  cost_efficiency_score numeric, evidence_weight numeric, performance_score numeric,
  cost_credit numeric, coding_cost_credit numeric, reasoning_cost_credit numeric,
  math_cost_credit numeric, general_cost_credit numeric,
  composite_score numeric, coding_composite numeric, reasoning_composite numeric,
  math_composite numeric, general_composite numeric,
  price_basis text, has_subscription_access boolean
);
comment on type public.ranked_model is
  'model_rankings columns plus rank. evidence_weight, performance_score, cost_credit and '
  'composite_score are those of the request: its category, weights and tiers.';

-- Weights default to ranking_constants() (null = the method's default); categories are
-- ranking_categories' rows; include_tiers (null = trusted, falling back to the best other
-- tier a model has) recomputes minimums, cost efficiency and credits from the offers.
create function public.rank_models(
  category text default null,
  cost_weight numeric default null,
  performance_weight numeric default null,
  max_input_price numeric default null,
  min_context integer default null,
  capabilities text[] default null,
  max_results integer default 20,
  include_tiers text[] default null)
returns setof public.ranked_model
language plpgsql
stable
set search_path = ''
as $$
declare
  constants record;
  known text[];
  cw numeric;
  pw numeric;
  tiers text[];
  perf_column text;
  credit_column text;
  coverage text;
  stored_order text;
  source_rows text;
  materialization text;
begin
  select * into constants from llm_intel_private.ranking_constants();
  if category is not null and not exists (
       select 1 from llm_intel_private.ranking_categories rc
       where rc.category = rank_models.category) then
    -- "expected coding, reasoning, math or general", from the table.
    select pg_catalog.array_agg(rc.category order by rc.position) into known
    from llm_intel_private.ranking_categories rc;
    raise exception 'rank_models: unknown category %, expected %',
      quote_literal(llm_intel_private.echo_arg(category)),
      pg_catalog.array_to_string(known[1:pg_catalog.cardinality(known) - 1], ', ')
        || ' or ' || known[pg_catalog.cardinality(known)]
      using errcode = 'invalid_parameter_value';
  end if;
  -- NaN passes "< 0" (it sorts above every number) and Infinity makes the weights NaN:
  -- refuse both before any other check.
  if cost_weight in ('NaN', 'Infinity', '-Infinity') then
    raise exception 'rank_models: cost_weight must be a finite number, got %', cost_weight
      using errcode = 'invalid_parameter_value';
  end if;
  if performance_weight in ('NaN', 'Infinity', '-Infinity') then
    raise exception 'rank_models: performance_weight must be a finite number, got %',
      performance_weight using errcode = 'invalid_parameter_value';
  end if;
  if max_input_price in ('NaN', 'Infinity', '-Infinity') then
    raise exception 'rank_models: max_input_price must be a finite number or null, got %',
      max_input_price using errcode = 'invalid_parameter_value';
  end if;
  -- A weight left null is the method's default (ranking_constants).
  cw := coalesce(cost_weight, constants.cost_weight);
  pw := coalesce(performance_weight, constants.performance_weight);
  if cw is null or cw < 0 then
    raise exception 'rank_models: cost_weight must be >= 0, got %', coalesce(cw::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if pw is null or pw < 0 then
    raise exception 'rank_models: performance_weight must be >= 0, got %',
      coalesce(pw::text, 'null') using errcode = 'invalid_parameter_value';
  end if;
  if cw + pw = 0 then
    raise exception 'rank_models: cost_weight and performance_weight cannot both be 0'
      using errcode = 'invalid_parameter_value';
  end if;
  if max_results is null or max_results < 1 or max_results > 1000 then
    raise exception 'rank_models: max_results must be between 1 and 1000, got %',
      coalesce(max_results::text, 'null') using errcode = 'invalid_parameter_value';
  end if;
  if max_input_price < 0 then
    raise exception 'rank_models: max_input_price must be >= 0, got %', max_input_price
      using errcode = 'invalid_parameter_value';
  end if;
  if min_context < 0 then
    raise exception 'rank_models: min_context must be >= 0, got %', min_context
      using errcode = 'invalid_parameter_value';
  end if;
  tiers := llm_intel_private.price_tiers(include_tiers, 'rank_models');

  cw := cw / (cw + pw);
  pw := coalesce(performance_weight, constants.performance_weight)
        / (coalesce(cost_weight, constants.cost_weight)
           + coalesce(performance_weight, constants.performance_weight));
  -- Column names come from the validated category, never from free text.
  perf_column := coalesce(category || '_score', 'performance_score');
  credit_column := coalesce(category || '_cost_credit', 'cost_credit');
  coverage := coalesce(category || '_coverage', 'benchmark_count');

  if include_tiers is null then
    -- The stored rankings; not materialized, so the default order reads an index.
    source_rows := 'select * from public.model_rankings';
    materialization := 'not materialized';
    stored_order := case
      when cw = constants.cost_weight / (constants.cost_weight + constants.performance_weight)
        then 'r.' || coalesce(category || '_composite', 'composite_score') || ' desc'
      else 'score desc' end;
  else
    -- Other tiers: the price columns and everything computed from them again, the other
    -- columns as stored. The column list follows model_rankings' own, per category.
    select 'select ' || pg_catalog.string_agg(
             case
               when a.attname in ('min_input_cost', 'min_output_cost', 'min_blended_cost',
                                  'price_basis')
                 then 's.' || pg_catalog.quote_ident(a.attname)
               when a.attname = 'cost_efficiency_score' then 'x.ce'
               when a.attname = 'cost_credit'
                 then 'round(x.ce * r0.benchmark_count / (r0.benchmark_count + c.prior_weight), 6)'
               when a.attname = 'composite_score'
                 then 'round(c.cost_weight * round(x.ce * r0.benchmark_count'
                      || ' / (r0.benchmark_count + c.prior_weight), 6)'
                      || ' + c.performance_weight * r0.performance_score, 6)'
               when a.attname like '%\_cost\_credit'
                 then pg_catalog.format('round(x.ce * r0.%1$I / (r0.%1$I + c.prior_weight), 6)',
                        pg_catalog.replace(a.attname, '_cost_credit', '_coverage'))
               when a.attname like '%\_composite'
                 then pg_catalog.format(
                        'round(c.cost_weight * round(x.ce * r0.%1$I / (r0.%1$I + c.prior_weight), 6)'
                        || ' + c.performance_weight * r0.%2$I, 6)',
                        pg_catalog.replace(a.attname, '_composite', '_coverage'),
                        pg_catalog.replace(a.attname, '_composite', '_score'))
               else 'r0.' || pg_catalog.quote_ident(a.attname)
             end || ' as ' || pg_catalog.quote_ident(a.attname), ', ' order by a.attnum)
           || ' from public.model_rankings r0'
           || ' cross join llm_intel_private.ranking_constants() c'
           || ' left join llm_intel_private.model_price_summary($7) s on s.model_id = r0.model_id'
           || ' cross join lateral (select coalesce(llm_intel_private.cost_efficiency('
           || 's.min_blended_cost), 0) as ce) x'
      into source_rows
    from pg_catalog.pg_attribute a
    where a.attrelid = 'public.model_rankings'::pg_catalog.regclass
      and a.attnum > 0 and not a.attisdropped;
    materialization := 'materialized';
    stored_order := 'score desc';
  end if;

  return query execute pg_catalog.format($q$
    with r as %6$s (%5$s),
    top as (
      select r.model_id, r.provider_count,
             pg_catalog.round($1 * r.%2$I + $2 * r.%1$I, 6) as score
      from r
      -- Ranked: priced models (model_rankings holds text-generation models only).
      where r.min_input_cost is not null
        and ($3::numeric is null or r.min_input_cost <= $3)
        and ($4::integer is null or r.context_window >= $4)
        and ($5::text[] is null or not exists (
              select 1 from pg_catalog.unnest($5) wanted(capability)
              where coalesce(r.capabilities ->> wanted.capability, 'false') <> 'true'))
      -- Ties (common before benchmarks arrive) go to the more widely served model.
      order by %4$s, r.provider_count desc, r.model_id
      limit $6
    )
    select pg_catalog.row_number() over (
             order by top.score desc, top.provider_count desc, top.model_id),
           r.model_id, r.name, r.provider, r.model_family, r.model_type, r.context_window,
           r.max_tokens, r.capabilities, r.open_weights, r.release_date, r.min_input_cost,
           r.min_output_cost, r.min_blended_cost, r.provider_count, r.has_free_tier,
           r.coding_score, r.reasoning_score, r.math_score, r.general_score,
           r.coding_coverage, r.reasoning_coverage, r.math_coverage, r.general_coverage,
           r.benchmark_count, r.cost_efficiency_score,
           pg_catalog.round(r.%3$I::numeric / (r.%3$I + c.prior_weight), 6),
           r.%1$I, r.%2$I, r.coding_cost_credit, r.reasoning_cost_credit,
           r.math_cost_credit, r.general_cost_credit, top.score, r.coding_composite,
           r.reasoning_composite, r.math_composite, r.general_composite,
           r.price_basis, r.has_subscription_access
    from top
    join r on r.model_id = top.model_id
    cross join llm_intel_private.ranking_constants() c
    order by top.score desc, top.provider_count desc, top.model_id
  $q$, perf_column, credit_column, coverage, stored_order, source_rows, materialization)
  using cw, pw, max_input_price, min_context, capabilities, max_results, tiers;
end;
$$;

drop function public.provider_options(text);

-- Providers of one model and how a request would be spread across them, following
-- OpenRouter's documented default: skip providers with recent outages, then choose among
-- the rest at random weighted by 1 / price^2 (price = blended (3 x input + output) / 4).
-- Only the pool shares the traffic: the offers of the requested tiers (include_tiers,
-- default trusted), or when a model has none, those of its best fallback tier; price
-- outliers and quarantined offers never. Free-tier rows (and offers priced 0) are listed
-- with probability 0 unless nothing paid is offered, in which case they share the traffic
-- equally. An offer counts as having an outage when its recent uptime is below 95 %; if
-- every offer of the pool is below, all stay eligible. price_basis says why each row has
-- its share: the pool's basis ('trusted', 'fallback:reseller', 'free', ...), or
-- 'excluded:outlier', 'excluded:quarantined', 'excluded:outage', 'excluded:free_tier',
-- 'excluded:<tier>' (a tier outside the pool).
create function public.provider_options(model text, include_tiers text[] default null)
returns table (
  provider_name text,
  provider_id text,
  input_price_per_million numeric,
  output_price_per_million numeric,
  is_free_tier boolean,
  selection_probability numeric,
  pricing_id bigint,
  gateway text,
  deployment text,
  source text,
  blended_price_per_million numeric,
  uptime_pct numeric,
  trust_tier text,
  price_basis text)
language sql
stable
set search_path = ''
as $$
  with offers as (
    select po.*,
           po.level is not null and po.level = po.pool_level as in_pool,
           (po.uptime_pct is null or po.uptime_pct >= 95) as healthy
    from llm_intel_private.priced_offers(
           llm_intel_private.price_tiers(provider_options.include_tiers, 'provider_options')) po
    where po.model_id = public.resolve_model(provider_options.model)
  ),
  pool as (
    select exists (select 1 from offers o where o.in_pool and o.healthy) as any_healthy
  ),
  weighted as (
    select o.*,
           case
             when not o.in_pool then 0::numeric
             when p.any_healthy and not o.healthy then 0::numeric
             when o.pool_level = 1000 then 1::numeric
             -- A paid offer is priced above zero (a price of 0 is a free offer).
             else 1 / pg_catalog.power(o.blended_price_per_million, 2)
           end as weight,
           case
             when o.is_quarantined then 'excluded:quarantined'
             when o.is_price_outlier then 'excluded:outlier'
             when o.in_pool and p.any_healthy and not o.healthy then 'excluded:outage'
             when o.in_pool then o.price_basis
             when o.level = 1000 then 'excluded:free_tier'
             else 'excluded:' || o.trust_tier
           end as row_basis
    from offers o cross join pool p
  )
  select w.provider_name, w.provider_id, w.input_price_per_million,
         w.output_price_per_million, w.is_free_tier,
         pg_catalog.round(w.weight / nullif(sum(w.weight) over (), 0), 12),
         w.pricing_id, w.gateway, w.deployment, w.source,
         w.blended_price_per_million, w.uptime_pct, w.trust_tier, w.row_basis
  from weighted w
  order by 6 desc, w.blended_price_per_million, w.provider_name, w.pricing_id;
$$;

drop function public.estimate_cost(text, bigint, bigint, text);

-- USD cost of one request: at the named provider (its cheapest current offer, paid first;
-- an alias of the provider is accepted), or without one at the cheapest offer of the pool
-- provider_options routes to (include_tiers, default trusted; fallback tiers only for a
-- model no requested tier sells; free offers only when nothing paid exists). Exact
-- numeric arithmetic. The numeric arguments are bigint (no NaN or Infinity); echoed input
-- is cut.
create function public.estimate_cost(
  model text,
  input_tokens bigint,
  output_tokens bigint,
  provider_name text default null,
  include_tiers text[] default null)
returns numeric
language plpgsql
stable
set search_path = ''
as $$
declare
  target bigint := public.resolve_model(model);
  tiers text[] := llm_intel_private.price_tiers(include_tiers, 'estimate_cost');
  wanted text;
  cost numeric;
begin
  if input_tokens is null or input_tokens < 0 then
    raise exception 'estimate_cost: input_tokens must be >= 0, got %', coalesce(input_tokens::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if output_tokens is null or output_tokens < 0 then
    raise exception 'estimate_cost: output_tokens must be >= 0, got %', coalesce(output_tokens::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;

  if estimate_cost.provider_name is null then
    select pg_catalog.trim_scale(min((input_tokens * po.input_price_per_million
                                      + output_tokens * po.output_price_per_million) / 1000000))
      into cost
    from llm_intel_private.priced_offers(tiers) po
    where po.model_id = target and po.level = po.pool_level;
  else
    wanted := coalesce((select a.provider_name from public.provider_aliases a
                        where a.alias = estimate_cost.provider_name),
                       estimate_cost.provider_name);
    select pg_catalog.trim_scale(min((input_tokens * cp.input_price_per_million
                + output_tokens * cp.output_price_per_million) / 1000000)
           filter (where not cp.is_free_tier or not exists (
                     select 1 from public.current_pricing paid
                     where paid.model_id = target and not paid.is_free_tier
                       and paid.provider_name = wanted)))
      into cost
    from public.current_pricing cp
    where cp.model_id = target and cp.provider_name = wanted;
  end if;

  if cost is null then
    if estimate_cost.provider_name is null then
      raise exception 'estimate_cost: model % has no active price', llm_intel_private.echo_arg(model)
        using errcode = 'no_data_found';
    end if;
    raise exception 'estimate_cost: model % has no active price at provider_name %',
      llm_intel_private.echo_arg(model), llm_intel_private.echo_arg(estimate_cost.provider_name)
      using errcode = 'no_data_found',
            hint = (select 'Providers with a price: '
                           || coalesce(string_agg(distinct cp.provider_name, ', '), 'none')
                    from public.current_pricing cp where cp.model_id = target);
  end if;
  return cost;
end;
$$;

-- Functions are executable by PUBLIC unless revoked: revoke, then grant exactly.
revoke all on function public.rank_models(text, numeric, numeric, numeric, integer, text[],
  integer, text[]) from public;
grant execute on function public.rank_models(text, numeric, numeric, numeric, integer, text[],
  integer, text[]) to anon, authenticated, service_role;
revoke all on function public.provider_options(text, text[]) from public;
grant execute on function public.provider_options(text, text[])
  to anon, authenticated, service_role;
revoke all on function public.estimate_cost(text, bigint, bigint, text, text[]) from public;
grant execute on function public.estimate_cost(text, bigint, bigint, text, text[])
  to anon, authenticated, service_role;
