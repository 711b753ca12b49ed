"""The command line: ``budgetxl generate | read | validate | merge | sync | split | diff | import | demo | portal``."""

from . import changes, demo, generate, importing, merge, portal, read, validate  # noqa: F401  (each registers its commands)
from .app import app, main

__all__ = ["app", "main"]
