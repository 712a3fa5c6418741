"""Composition root of the stream worker: app + metrics + pipeline + pages."""

import logging

import faust
from prometheus_client import CollectorRegistry

from agents.metrics import WorkerMetrics
from agents.pipeline import Pipeline, register_pipeline
from streams.app import create_app
from streams.settings import Settings


def build_worker(settings: Settings) -> tuple[faust.App, Pipeline, WorkerMetrics]:
    registry = CollectorRegistry()
    app = create_app(settings, registry)
    metrics = WorkerMetrics(registry)
    pipeline = register_pipeline(app, settings, metrics)

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
    logging.getLogger("faust").setLevel(logging.WARNING)
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
