"""Prometheus metrics of the stream worker, on one registry per app.

Labels are bounded: event type, gateway, reason, channel, status, currency.
Never a customer, tenant-customer key or payload.
"""

from prometheus_client import CollectorRegistry, Counter, Histogram

# Decline to sent: seconds to minutes normally; hours when a step waits.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400)


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.events = Counter(
            "dn_payment_events_total",
            "Valid payment events by type and gateway",
            ["type", "gateway"],
            registry=registry,
        )
        self.invalid = Counter(
            "dn_invalid_events_total",
            "Events sent to payments.invalid, by reason",
            ["reason"],
            registry=registry,
        )
        self.ignored_inputs = Counter(
            "dn_ignored_inputs_total",
            "Well-formed upstream messages deliberately not acted on, by reason",
            ["reason"],
            registry=registry,
        )
        self.declines = Counter(
            "dn_declines_total",
            "Failed payments by gateway and canonical decline category",
            ["gateway", "category"],
            registry=registry,
        )
        self.retry_requests = Counter(
            "dn_retry_requests_total",
            "Retry requests published to billing, by gateway",
            ["gateway"],
            registry=registry,
        )
        self.duplicates = Counter(
            "dn_duplicate_events_total",
            "Events ignored because their event_id was seen",
            registry=registry,
        )
        self.ignored = Counter(
            "dn_ignored_events_total",
            "Valid events that changed nothing, by type",
            ["type"],
            registry=registry,
        )
        self.cases_opened = Counter(
            "dn_cases_opened_total",
            "Decline cases opened",
            ["gateway"],
            registry=registry,
        )
        self.cases_closed = Counter(
            "dn_cases_closed_total",
            "Decline cases closed, by resolution",
            ["resolution"],
            registry=registry,
        )
        self.recovered_amount = Counter(
            "dn_recovered_amount_minor_total",
            "Recovered amount in minor units, by currency",
            ["currency"],
            registry=registry,
        )
        self.commands = Counter(
            "dn_notifications_emitted_total",
            "Notification commands emitted, by channel and template",
            ["channel", "template"],
            registry=registry,
        )
        self.resent = Counter(
            "dn_notifications_resent_total",
            "Commands sent again for a replayed event (same notification id; senders dedupe)",
            ["channel"],
            registry=registry,
        )
        self.no_contact = Counter(
            "dn_notifications_no_contact_total",
            "Notices skipped: no address for the channel",
            ["channel"],
            registry=registry,
        )
        self.outcomes = Counter(
            "dn_notifications_total",
            "Delivery outcomes reported by senders, by channel and status",
            ["channel", "status"],
            registry=registry,
        )
        self.decline_to_sent = Histogram(
            "dn_decline_to_sent_seconds",
            "From the decline to the message accepted by the provider",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.processing_errors = Counter(
            "dn_processing_errors_total",
            "Events that raised inside an agent (dead-lettered)",
            ["agent"],
            registry=registry,
        )
