"""The bundled example data (installed as the budgetxl.examples package)."""
