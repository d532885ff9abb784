"""Load and speed benchmarks: ``make bench`` (``python -m benchmarks``)."""
