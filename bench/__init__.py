"""Council Hub benchmarks (issue 3): ``.venv/bin/python -m bench`` -- see bench/README.md."""
