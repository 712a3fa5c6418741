"""Local demo: SMTP sink, sample traffic and the orchestrator behind `make demo`."""
