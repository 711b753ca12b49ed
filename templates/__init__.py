"""Template specs shipped with budgetxl (installed as the budgetxl.templates package)."""
