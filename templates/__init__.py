"""The Jinja templates of generated files, and the client runtime (`runtime/`) copied into every package."""
