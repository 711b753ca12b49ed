"""The command line: ``budgetxl generate | read | validate | merge | sync | split | diff | import | demo``."""

from . import changes, demo, generate, importing, merge, read, validate  # noqa: F401  (each registers its commands)
from .app import app, main

__all__ = ["app", "main"]
