"""Test-only servers: Prism (spec-driven mock, contract tests) and a scripted loopback HTTP server."""
