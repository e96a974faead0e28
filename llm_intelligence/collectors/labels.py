"""Labels every source's rows share: model type, subscription access, batch-only rows.

Collectors set `ModelInfo.model_type` from their own fields (LiteLLM's `mode` and output
modalities, models.dev and OpenRouter modalities); `resolve` completes it here for rows
whose source says nothing or only the default `chat`, so that embedding, rerank,
moderation, speech, transcription, music, image and video models never enter text
rankings (which read `chat`, `completion` and `responses`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Final

from llm_intelligence import identity

__all__ = [
    "TEXT_TYPES",
    "is_subscription",
    "model_type_from_modalities",
    "model_type_from_name",
]

# The model types text rankings read.
TEXT_TYPES: Final = frozenset({"chat", "completion", "responses"})

# Names that say what a model does when the source's fields do not (models.dev has no type
# and lists embedding models as text -> text). Checked on the canonical name, in order.
_NAME_TYPES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), model_type)
    for pattern, model_type in (
        (r"rerank", "rerank"),
        (r"(?:^|-)embed(?:ding)?(?:-|$)|embedding|^(?:bge|gte|e5|multilingual-e5)-|^nv-embed",
         "embedding"),
        (r"moderation|(?:^|-)(?:guard|guardian|safeguard|shieldgemma)(?:-|$)|llamaguard"
         r"|qwen\d*guard|safety-guard", "moderation"),
        (r"^lyria|(?:^|-)music(?:-|$)|^stable-audio", "music_generation"),
        (r"(?:^|-)tts(?:-|$)|text-to-speech|^melotts|^orpheus|^aura-\d", "audio_speech"),
        (r"whisper|transcribe|(?:^|-)(?:asr|stt)(?:-|$)", "audio_transcription"),
        (r"^(?:flux-|stable-diffusion|sdxl|sd3|dall-e|imagen-|seedream|hidream|recraft"
         r"|ideogram)", "image_generation"),
        (r"^(?:veo-|sora-|kling|seedance|cosmos-(?:predict|transfer))|-t2v(?:-|$)",
         "video_generation"),
    )
)  # fmt: skip

# Subscription products: a flat fee buys access, so a zero token price is no free tier.
_SUBSCRIPTIONS: Final = frozenset({"github_copilot", "gitlab", "chatgpt", "cursor"})
_PLAN_RE: Final = re.compile(r"(?:coding|token)-plan|for-coding")


def model_type_from_name(name: str) -> str | None:
    """The non-text type a canonical name spells out (`bge-large-en-v1.5` -> `embedding`,
    `llama-guard-4-12b` -> `moderation`, `lyria-3-pro-preview` -> `music_generation`)."""
    for pattern, model_type in _NAME_TYPES:
        if pattern.search(name):
            return model_type
    return None


def model_type_from_modalities(
    inputs: Collection[str], outputs: Collection[str], *, name: str = ""
) -> str | None:
    """The type a model's output modalities show when they have no text; None otherwise.

    Audio out is music for music models (by name), speech otherwise."""
    if not outputs or "text" in outputs:
        return None
    if "video" in outputs:
        return "video_generation"
    if "image" in outputs:
        return "image_generation"
    if "audio" in outputs:
        return (
            "music_generation"
            if model_type_from_name(name) == "music_generation"
            else ("audio_speech")
        )
    if "embeddings" in outputs or "embedding" in outputs:
        return "embedding"
    return None


def is_subscription(provider: str) -> bool:
    """Whether a serving provider sells access by subscription (GitHub Copilot, GitLab Duo,
    ChatGPT, Cursor, coding/token plans), in any spelling."""
    slug = identity.canonical_provider(provider)
    return slug in _SUBSCRIPTIONS or _PLAN_RE.search(slug) is not None
