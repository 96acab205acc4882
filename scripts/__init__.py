"""Build and measurement scripts: static files (build_static.py) and the benchmarks
(`make bench`)."""
