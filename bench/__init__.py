"""Benchmarks of Newsdesk; `python -m bench` runs them and writes JSON to bench/results/."""
