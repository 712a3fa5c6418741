"""Localized, escaped message rendering for every channel (pure, no I/O).

``render`` gives the words of any channel's message; ``build_email`` the
complete MIME message an SMTP sender hands to the relay.
"""

from channels.templating.email_builder import build_email
from channels.templating.render import (
    CUSTOMER_ACTIONS,
    DISCLOSABLE_CATEGORIES,
    REQUIRED_LOCALES,
    TEMPLATE_NAMES,
    RenderedMessage,
    Renderer,
    render,
)
from channels.templating.safety import TemplatingError
from channels.templating.sms import SmsEncoding, SmsInfo, count_segments

__all__ = [
    "CUSTOMER_ACTIONS",
    "DISCLOSABLE_CATEGORIES",
    "REQUIRED_LOCALES",
    "TEMPLATE_NAMES",
    "RenderedMessage",
    "Renderer",
    "SmsEncoding",
    "SmsInfo",
    "TemplatingError",
    "build_email",
    "count_segments",
    "render",
]
