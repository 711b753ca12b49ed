"""``python -m budgetxl.rules > docs/rules.md``"""

import sys

from . import rules_markdown

sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
sys.stdout.write(rules_markdown())
