"""Benchmarks that print their figures: run them as ``python -m bench.<name>``."""
