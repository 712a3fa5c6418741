"""Decline intelligence: gateway decline codes mapped to one canonical taxonomy.

The meaning of every code lives in JSON tables under `data/` (validated at
load); `classify` combines them into a `Classification` the case agent and
the retry policy act on.
"""

from agents.taxonomy.classify import GATEWAYS, Classification, classify, load_tables, lookup
from agents.taxonomy.models import Category, CustomerAction

__all__ = [
    "GATEWAYS",
    "Category",
    "Classification",
    "CustomerAction",
    "classify",
    "load_tables",
    "lookup",
]
