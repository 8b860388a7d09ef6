"""Micro-benchmarks; run one with `python -m bench.<name>`."""
