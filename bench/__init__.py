"""``make bench``: the benchmark harness (entry point ``python -m bench.run``)."""
