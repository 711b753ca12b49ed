"""One definition of the form: the template spec, its field table, layout, issued set, matching.

See :mod:`budgetxl.form.template` (the spec and how it is loaded), :mod:`budgetxl.form.fields`
(the field table) and :mod:`budgetxl.form.kinds` (what a field kind knows).
"""

from ..errors import TemplateError
from .template import DEFAULT_TEMPLATE, Template, builtin_templates, load_template, parse_template, template_for

__all__ = ["DEFAULT_TEMPLATE", "Template", "TemplateError", "builtin_templates", "load_template", "parse_template",
           "template_for"]
