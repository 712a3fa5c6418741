"""Reads a Prometheus /metrics page into sums the demo summary and tests need."""

import urllib.request
from collections import defaultdict

from prometheus_client.parser import text_string_to_metric_families


class Scrape:
    def __init__(self, text: str) -> None:
        self._samples: list[tuple[str, dict[str, str], float]] = []
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                self._samples.append((s.name, dict(s.labels), s.value))

    def total(self, name: str, **labels: str) -> float:
        return sum(
            value
            for sample_name, sample_labels, value in self._samples
            if sample_name == name and all(sample_labels.get(k) == v for k, v in labels.items())
        )

    def by_label(self, name: str, label: str) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for sample_name, sample_labels, value in self._samples:
            if sample_name == name and label in sample_labels:
                out[sample_labels[label]] += value
        return dict(out)


def scrape(url: str, timeout: float = 5.0) -> Scrape:
    if not url.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError("only local metrics endpoints are scraped")
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - checked above
        return Scrape(response.read().decode("utf-8"))
