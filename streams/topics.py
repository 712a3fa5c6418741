"""Every topic the system reads or writes, named explicitly in one place.

Faust never creates source topics and co-partitioned topics must have equal
partition counts, so `decline-notifier topics create` makes all of them up
front from this list before any worker starts.
"""

from dataclasses import dataclass
from enum import StrEnum

from streams.settings import Settings


class Topic(StrEnum):
    PAYMENT_EVENTS = "payments.events"
    PAYMENTS_INVALID = "payments.invalid"
    CASE_INPUTS = "cases.inputs"
    CASES_CLOSED = "cases.closed"
    RETRY_REQUESTS = "payments.retry_requests"
    NOTIFY_EMAIL = "notify.email"
    NOTIFY_SMS = "notify.sms"
    NOTIFY_VOICE = "notify.voice"
    NOTIFY_IN_APP = "notify.in_app"
    NOTIFY_CHAT = "notify.chat"
    NOTIFY_OUTCOMES = "notify.outcomes"
    NOTIFY_DEAD_LETTERS = "notify.dead_letters"
    CUSTOMER_PROFILES = "customers.profiles"
    CUSTOMER_RESPONSES = "customers.responses"
    AGENT_TASKS = "agent.tasks"


# Faust table names; their changelog topics are "<app_id>-<table>-changelog".
CASES_TABLE = "decline-cases"
TABLES = (CASES_TABLE,)

# Keyed by customer (tenant:customer) and read by the case agent: equal partition counts.
CO_PARTITIONED = frozenset(
    {Topic.CASE_INPUTS, Topic.NOTIFY_OUTCOMES, Topic.CUSTOMER_PROFILES, Topic.CUSTOMER_RESPONSES}
)
COMPACTED = frozenset({Topic.CUSTOMER_PROFILES})


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    compacted: bool


def topic_name(settings: Settings, topic: Topic) -> str:
    return f"{settings.topic_prefix}{topic.value}"


def changelog_name(settings: Settings, table: str) -> str:
    return f"{settings.app_id}-{table}-changelog"


def all_topic_specs(settings: Settings) -> list[TopicSpec]:
    specs = [
        TopicSpec(topic_name(settings, t), settings.topic_partitions, t in COMPACTED) for t in Topic
    ]
    specs += [
        TopicSpec(changelog_name(settings, t), settings.topic_partitions, True) for t in TABLES
    ]
    return specs
