"""Import published performance targets (部门预算绩效目标, text or PDF) as submission documents.

    >>> from budgetxl.published import import_published
    >>> result = import_published("巨鹿县2024年部门预算.pdf")  # doctest: +SKIP
    >>> result.doc.projects[0].code  # doctest: +SKIP

Layouts of other publishers are data: ``budgetxl/published/layouts/*.toml`` (docs/published-import.md).
"""

from __future__ import annotations

__all__ = ["ImportResult", "import_published", "all_layouts", "load_layout"]


def __getattr__(name: str):
    if name in ("ImportResult", "import_published"):
        from . import importer

        return getattr(importer, name)
    if name in ("all_layouts", "load_layout"):
        from . import layout

        return getattr(layout, name)
    raise AttributeError(name)
