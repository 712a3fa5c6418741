"""Benchmarks: the pipeline and the email sender measured against bare baselines.

`make bench` (`python -m bench.run`) runs every benchmark against a real local
Kafka broker and an SMTP sink, each next to its baseline in the same run; see
bench/README.md for what each number means.
"""
