"""Composition root of the stream worker: app + metrics + pipeline + pages."""

import faust
from prometheus_client import CollectorRegistry

from agents.metrics import WorkerMetrics
from agents.pipeline import Pipeline, register_pipeline
from streams.app import create_app
from streams.settings import Settings
from streams.topics import Topic, topic_name
from streams.watchdog import install_watchdog


def build_worker(settings: Settings) -> tuple[faust.App, Pipeline, WorkerMetrics]:
    registry = CollectorRegistry()
    app = create_app(settings, registry)
    metrics = WorkerMetrics(registry)
    pipeline = register_pipeline(app, settings, metrics)
    install_watchdog(
        app,
        settings,
        {
            topic_name(settings, Topic.PAYMENT_EVENTS),
            topic_name(settings, Topic.CASE_INPUTS),
            topic_name(settings, Topic.NOTIFY_OUTCOMES),
        },
    )

    @app.page("/health")
    async def health(view: faust.web.View, _request: faust.web.Request) -> faust.web.Response:
        return view.json({"status": "ok"})

    @app.page("/ready")
    async def ready(view: faust.web.View, _request: faust.web.Request) -> faust.web.Response:
        is_ready = not app.rebalancing
        return view.json({"ready": is_ready}, status=200 if is_ready else 503)

    return app, pipeline, metrics


def run_worker(settings: Settings, loglevel: str = "info") -> None:
    app, _pipeline, _metrics = build_worker(settings)
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
