"""Mid-cycle and next-cycle changes: sync (new issued values into a county's workbook), split (a
consolidated workbook back into unit workbooks), diff (what changed between two submissions) and
forward (the monitoring and self-evaluation workbooks issued from the targets).

All three work on documents and the field table: a workbook is read, changed as a document and
generated again, so every filled field survives by construction and the issued set is renewed.
Projects are paired by form.matching, the same algorithm the issued-field check uses.
"""

from .change import Change
from .diff import diff_documents
from .forward import StageResult, generate_stage, load_sources, stage_document
from .split import SplitResult, split_consolidated, split_documents
from .sync import SyncResult, sync_document, sync_workbook

__all__ = ["Change", "SplitResult", "StageResult", "SyncResult", "diff_documents", "generate_stage", "load_sources",
           "split_consolidated", "split_documents", "stage_document", "sync_document", "sync_workbook"]
