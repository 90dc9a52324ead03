"""Calling models: one OpenAI-compatible client, image encoding, reply cleaning, model specs.

Used by captioning (`editcaption caption`), scoring, the LLM judge and ground-truth drafting
alike, all with the same :class:`ModelCallConfig`.
"""

from .call_config import ModelCallConfig, ModelCallConfigError
from .client import ChatClient, ChatResult, ResponseCache, UsageTotals, request_key
from .errors import (
    EmptyContentError,
    FatalServerError,
    LLMError,
    RequestRejected,
    RetriesExhausted,
    TransientError,
)
from .images import EncodedImage, EncodedPair, ImageEncoding, encode_image, encode_pair, encode_pair_files
from .messages import openai_messages, pair_messages
from .retry import RetryPolicy, parse_retry_after
from .spec import ModelSpec, ModelSpecError, parse_model_spec
from .text import CleanReply, clean_reply

__all__ = [
    "ChatClient", "ChatResult", "ResponseCache", "UsageTotals", "request_key", "ModelCallConfig",
    "ModelCallConfigError",
    "EmptyContentError", "FatalServerError", "LLMError", "RequestRejected", "RetriesExhausted", "TransientError",
    "EncodedImage", "EncodedPair", "ImageEncoding", "encode_image", "encode_pair", "encode_pair_files",
    "openai_messages", "pair_messages", "RetryPolicy", "parse_retry_after",
    "ModelSpec", "ModelSpecError", "parse_model_spec", "CleanReply", "clean_reply",
]
