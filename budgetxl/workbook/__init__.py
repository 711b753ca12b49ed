"""Unit workbooks: read (reader), write (writer, one module per sheet), check (validate),
annotate for return (annotate), and the shared xlsx helpers."""
