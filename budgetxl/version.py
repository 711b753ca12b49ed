"""The package version (a leaf module: the workbook metadata and the CLI read it)."""

__version__ = "0.1.0"
