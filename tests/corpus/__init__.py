"""The real-world corpus (`../shared/corpus`): every document must become a client that compiles, imports,
type-checks and round-trips the spec's example payloads.

`tests/test_corpus.py` runs a representative subset in CI; `python -m tests.corpus.report` (or `make corpus`)
runs the whole corpus and writes the table in `docs/corpus.md`.
"""
