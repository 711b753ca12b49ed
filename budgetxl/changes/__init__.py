"""Mid-cycle and next-cycle changes: sync (new issued values into a county's workbook), split (a
consolidated workbook back into unit workbooks) and diff (what changed between two submissions).

All three work on documents and the field table: a workbook is read, changed as a document and
generated again, so every filled field survives by construction and the issued set is renewed.
Projects are paired by form.matching, the same algorithm the issued-field check uses.
"""

from .change import Change
from .diff import diff_documents
from .split import SplitResult, split_consolidated, split_documents
from .sync import SyncResult, sync_document, sync_workbook

__all__ = ["Change", "SplitResult", "SyncResult", "diff_documents", "split_consolidated", "split_documents",
           "sync_document", "sync_workbook"]
