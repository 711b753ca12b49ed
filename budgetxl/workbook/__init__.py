"""Unit workbooks: read (reader), write (writer, one module per sheet), check (validate),
annotate for return (annotate), and the shared xlsx helpers."""

from . import stage_reader  # noqa: F401,E402  (registers the later stages' block readers)
