"""Validation: run the rule catalogue over a read workbook (or a bare document).

Each check yields :class:`Finding` objects located at the cell the reader recorded for the field.
Severity comes from the catalogue, overridden per template (``[rules.severity]``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .findings import BudgetxlError, CellRef, Finding
from .issued import fingerprint
from .model import Indicator, Project, Submission
from .reader import ReadResult, cell_text, read_workbook
from .rules import RULES, message_key
from .template import Template, load_template
from .values import format_number, to_decimal

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et", ".xlsb")

FIELD_NAMES = {
    "code": ("项目编码", "project code"),
    "name": ("项目名称", "project name"),
    "budget.total": ("预算数", "total budget"),
    "budget.fiscal": ("财政资金", "fiscal funds"),
    "budget.other": ("其他资金", "other funds"),
    "purpose": ("资金用途", "purpose"),
    "level1": ("一级指标", "level1"),
    "level2": ("二级指标", "level2"),
    "name_ind": ("三级指标", "indicator name"),
    "description": ("绩效指标描述", "description"),
    "value": ("指标值", "value"),
    "basis": ("指标值确定依据", "basis"),
    "goal": ("绩效目标", "goal"),
    "unit.code": ("单位编码", "unit code"),
    "unit.name": ("单位名称", "unit name"),
    "unit.region": ("行政区划代码", "region code"),
    "year": ("预算年度", "fiscal year"),
    "overall": ("总体绩效目标", "overall target"),
    "item": ("分项绩效目标", "overview item"),
    "safeguard": ("工作保障措施", "safeguard"),
    "spending": ("资金支出计划", "spending plan"),
    "count": ("指标数", "indicator count"),
}


def _fname(key: str, lang: str = "zh") -> str:
    zh, en = FIELD_NAMES.get(key, (key, key))
    return en if lang == "en" else zh


# Instruction text left in a cell, wherever it stands in the text.
_INSTRUCTION = re.compile("请填写|请选择|请输入")


class _Checker:
    def __init__(self, doc: Submission, t: Template, result: ReadResult | None):
        self.doc, self.t, self.result = doc, t, result
        self.findings: list[Finding] = []
        self.severity = {rid: t.rules.severity.get(rid, r.severity) for rid, r in RULES.items()}
        self.placeholders = frozenset(t.rules.placeholders)

    # -- emitting ------------------------------------------------------------------------------
    def emit(self, rule: str, path: str | None, variant: str = "", project: int | None = None, **args: Any) -> None:
        sev = self.severity.get(rule, "error")
        if sev == "off":
            return
        sheet, cell = self.locate(path, project)
        self.findings.append(Finding(rule, sev, sheet, cell, args, message_key(rule, variant)))

    def locate(self, path: str | None, project: int | None) -> tuple[str | None, str | None]:
        if self.result is None:
            return None, None
        ref = self.result.sources.get(path) if path else None
        if ref is not None:
            return ref.sheet, ref.a1
        if project is not None and project < len(self.result.project_sheets):
            return self.result.project_sheets[project], None
        return self.result.unit_sheet, None

    def raw(self, path: str, fallback: Any) -> Any:
        if self.result is not None:
            return self.result.raw.get(path)
        return fallback

    # -- checks --------------------------------------------------------------------------------
    def run(self) -> list[Finding]:
        self.unit()
        if not self.doc.projects:
            self.emit("required-field", None, "projects")
        codes: dict[str, int] = {}
        for i, p in enumerate(self.doc.projects):
            pre = f"projects[{i}]"
            self.project_fields(i, p, pre)
            self.amounts(i, p, pre)
            self.spending(i, p, pre)
            self.code_format(i, p, pre)
            if p.code:
                if p.code in codes:
                    j = codes[p.code]
                    other = self.result.project_sheets[j] if self.result and j < len(self.result.project_sheets) else str(j + 1)
                    self.emit("duplicate-project-code", f"{pre}.code", project=i, code=p.code, other=other)
                else:
                    codes[p.code] = i
            for k, ind in enumerate(p.indicators):
                self.indicator(i, p, k, ind, f"{pre}.indicators[{k}]")
            self.coverage(i, p, pre)
        if self.result is not None:
            self.issued()
            self.template_version()
            self.summary()
            for note in self.result.notes:
                if self.severity.get(note.rule, note.severity) != "off":
                    note.severity = self.severity.get(note.rule, note.severity)
                    note.sheet = note.sheet or None
                    self.findings.append(note)
        return self.findings

    def unit(self) -> None:
        d = self.doc
        for key, value in (("unit.code", d.unit.code), ("unit.name", d.unit.name), ("year", d.year)):
            if value is None:
                self.emit("required-field", key, field=FieldKey(key))
        self.text("unit.name", d.unit.name, "unit.name")
        self.text("overview.overall", d.overview.overall, "overall")
        for j, item in enumerate(d.overview.items):
            self.text(f"overview.items[{j}]", item, "item")
        for j, item in enumerate(d.overview.safeguards):
            self.text(f"overview.safeguards[{j}]", item, "safeguard")

    def text(self, path: str, value: Any, key: str, project: int | None = None) -> None:
        """placeholder: instruction/placeholder text, or leading/trailing whitespace."""
        raw = self.raw(path, value)
        if not isinstance(raw, str) or raw == "":
            return
        stripped = raw.strip()
        if stripped in self.placeholders or _INSTRUCTION.search(stripped):
            self.emit("placeholder", path, project=project, field=FieldKey(key), value=stripped)
        elif stripped != raw:
            self.emit("placeholder", path, "space", project=project, field=FieldKey(key))

    def project_fields(self, i: int, p: Project, pre: str) -> None:
        for key in ("code", "name", "budget.total", "purpose"):
            value: Any = p
            for part in key.split("."):
                value = getattr(value, part)
            if value is None and self.raw(f"{pre}.{key}", None) is None:
                self.emit("required-field", f"{pre}.{key}", project=i, field=FieldKey(key))
        for key in ("code", "name", "purpose"):
            self.text(f"{pre}.{key}", getattr(p, key), key, i)
        if not p.goals:
            self.emit("required-field", f"{pre}.goals", "goals", project=i)
        for j, g in enumerate(p.goals):
            self.text(f"{pre}.goals[{j}]", g, "goal", i)
        if not p.indicators:
            self.emit("required-field", f"{pre}.indicators", "indicators", project=i)

    def amounts(self, i: int, p: Project, pre: str) -> None:
        values: dict[str, Decimal | None] = {}
        for part in ("total", "fiscal", "other"):
            path = f"{pre}.budget.{part}"
            value = getattr(p.budget, part)
            raw = self.raw(path, value)
            key = f"budget.{part}"
            if value is None and raw is not None:
                self.emit("amount-invalid", path, project=i, field=FieldKey(key), value=cell_text(raw))
                values[part] = None
                continue
            values[part] = value
            if value is None:
                continue
            if value < 0:
                self.emit("amount-invalid", path, "negative", project=i, field=FieldKey(key), value=format_number(value))
            elif -value.normalize().as_tuple().exponent > self.t.rules.max_amount_decimals:
                self.emit("amount-invalid", path, "decimals", project=i, field=FieldKey(key),
                          value=format_number(value), max=self.t.rules.max_amount_decimals)
        total, fiscal, other = values["total"], values["fiscal"], values["other"]
        invalid = any(values[k] is None and self.raw(f"{pre}.budget.{k}", None) is not None for k in values)
        if not invalid and total is not None and fiscal is not None and total != fiscal + (other or 0):
            self.emit("budget-sum", f"{pre}.budget.total", project=i, total=format_number(total),
                      fiscal=format_number(fiscal), other=format_number(other or Decimal(0)))

    def spending(self, i: int, p: Project, pre: str) -> None:
        months = self.t.spending_plan.months
        plan = {sp.month: sp.percent for sp in p.spending_plan}
        prev: Decimal | None = None
        for m in months:
            path = f"{pre}.spending_plan[{m}]"
            v = plan.get(m)
            raw = self.raw(path, v)
            if v is None:
                prev = None
                if raw is not None:
                    self.emit("spending-plan", path, "number", project=i, month=m, value=cell_text(raw))
                else:
                    self.emit("required-field", path, project=i, field=FieldKey("spending", m))
                continue
            if not (0 <= v <= 100):
                self.emit("spending-plan", path, project=i, month=m, value=format_number(v))
            elif prev is not None and v < prev:
                self.emit("spending-plan", path, "decrease", project=i, month=m, value=format_number(v), prev=format_number(prev))
            # A decrease is judged against the checkpoint just before, when that one is valid.
            prev = v if 0 <= v <= 100 else None
        last = plan.get(months[-1])
        if last is not None and 0 <= last <= 100 and last != 100:
            self.emit("spending-plan", f"{pre}.spending_plan[{months[-1]}]", "last", project=i, month=months[-1], value=format_number(last))

    def code_format(self, i: int, p: Project, pre: str) -> None:
        if not p.code:
            return
        m = self.t.code_regex.fullmatch(p.code)
        if not m:
            self.emit("project-code-format", f"{pre}.code", project=i, code=p.code)
            return
        groups = m.groupdict()
        region, year = groups.get("region"), groups.get("year")
        if region and self.doc.unit.region and region != self.doc.unit.region:
            self.emit("project-code-format", f"{pre}.code", "region", project=i, got=region, want=self.doc.unit.region)
        elif year and self.doc.year and year != f"{self.doc.year % 100:02d}":
            self.emit("project-code-format", f"{pre}.code", "year", project=i, got=year, want=f"{self.doc.year % 100:02d}")

    def indicator(self, i: int, p: Project, k: int, ind: Indicator, base: str) -> None:
        t = self.t
        for key, attr in (("level1", "level1"), ("level2", "level2"), ("name_ind", "name"), ("value", "value")):
            if getattr(ind, attr) is None:
                self.emit("required-field", f"{base}.{_col(attr)}", project=i, field=FieldKey(key))
        for key, attr in (("name_ind", "name"), ("description", "description"), ("basis", "basis"),
                          ("level1", "level1"), ("level2", "level2")):
            self.text(f"{base}.{_col(attr)}", getattr(ind, attr), key, i)
        # taxonomy
        l1, l2 = ind.level1, ind.level2
        if l1 is not None and l1.strip() not in t.level2_of:
            self.emit("indicator-taxonomy", f"{base}.level1", project=i, value=l1)
        if l2 is not None:
            parents = [a for a, bs in t.level2_of.items() if l2.strip() in bs]
            if not parents:
                self.emit("indicator-taxonomy", f"{base}.level2", "level2", project=i, value=l2)
            elif l1 is not None and l1.strip() in t.level2_of and l1.strip() not in parents:
                self.emit("indicator-taxonomy", f"{base}.level2", "parent", project=i, value=l2, level1=l1, parent=parents[0])
        # value
        v = ind.value
        if v is None:
            return
        vpath = f"{base}.value"
        raw_value = self.raw(f"{base}.value", v.text)
        if raw_value is None:
            # The 指标值 cell is empty and only 计算符号/计量单位 are left (the reader keeps them as
            # the value's text, e.g. "≤人"): the value was not filled in.
            self.emit("required-field", vpath, project=i, field=FieldKey("value"))
            return
        if isinstance(raw_value, str) and raw_value.strip() in t.rules.placeholders:
            self.emit("placeholder", vpath, project=i, field=FieldKey("value"), value=raw_value.strip())
            return
        cov = t.rules.coverage
        looks_numeric = v.text[:1] in "≥≤><＝=" or (self.raw(f"{base}.op", None) not in (None, "定性"))
        if v.kind != "quantitative" and looks_numeric:
            self.emit("indicator-value", vpath, project=i, value=v.text)
            return
        if l2 is not None and l2.strip() in cov.numeric_level2 and v.number is None:
            self.emit("indicator-value", vpath, "number", project=i, value=v.text, level2=l2)
            return
        if v.kind == "quantitative" and not v.unit:
            self.emit("indicator-value", vpath, "unit", project=i, value=v.text)
            return
        total = p.budget.total
        if l2 is not None and l2.strip() in cov.cost_level2 and v.number is not None and total is not None:
            amount = {"万元": v.number, "元": v.number / 10000}.get(v.unit or "")
            if amount is not None and amount > total:
                self.emit("cost-exceeds-budget", vpath, project=i, value=v.text, total=format_number(total))
        if l2 is not None and l2.strip() in cov.satisfaction_level2 and v.number is not None and v.unit == "%":
            if not (0 <= v.number <= 100) or (v.op == ">" and v.number >= 100) or (v.op == "<" and v.number <= 0):
                self.emit("satisfaction-range", vpath, project=i, value=v.text)

    def coverage(self, i: int, p: Project, pre: str) -> None:
        if not p.indicators:
            return
        cov = self.t.rules.coverage
        present = {(ind.level1 or "").strip() for ind in p.indicators}
        path = f"{pre}.indicators"
        for l1 in cov.required_level1:
            if l1 not in present:
                self.emit("indicator-coverage", path, project=i, level1=l1)
        for l1 in cov.expected_level1:
            if l1 not in present:
                self._warn("indicator-coverage", path, "expected", i, level1=l1)
        for l1, wanted in cov.expected_level2.items():
            if l1 not in present:
                continue
            have = {(ind.level2 or "").strip() for ind in p.indicators if (ind.level1 or "").strip() == l1}
            for l2 in wanted:
                if l2 not in have:
                    self._warn("indicator-coverage", path, "level2", i, level1=l1, level2=l2)

    def _warn(self, rule: str, path: str, variant: str, project: int, **args: Any) -> None:
        """A finding that is a warning whatever the rule's severity (unless the rule is off)."""
        if self.severity.get(rule) == "off":
            return
        sheet, cell = self.locate(path, project)
        self.findings.append(Finding(rule, "warning", sheet, cell, args, message_key(rule, variant)))

    # -- workbook-only checks ------------------------------------------------------------------
    def issued(self) -> None:
        r = self.result
        assert r is not None
        issued = r.issued()
        if issued is None:
            return
        if r.meta and r.meta.get("issued_fingerprint") and fingerprint(issued) != r.meta["issued_fingerprint"]:
            self.emit("issued-field-changed", None, "fingerprint")
        d = self.doc
        for key, got, want in (
            ("unit.code", d.unit.code, issued["unit"].get("code")),
            ("unit.name", d.unit.name, issued["unit"].get("name")),
            ("unit.region", d.unit.region, issued["unit"].get("region")),
            ("year", d.year, issued.get("year")),
        ):
            if want is not None and str(got) != str(want):
                self.emit("issued-field-changed", key, field=FieldKey(key), issued=want, value=got if got is not None else "")
        # Pair each issued project with one project of the workbook: by code first (among sheets
        # sharing a code, e.g. a copied sheet, the one that kept the issued name), then, for an issued
        # code found nowhere, by name among the projects not yet paired (its code was changed).
        issued_projects = issued.get("projects", [])
        by_code: dict[str, list[int]] = {}
        for i, p in enumerate(d.projects):
            if p.code:
                by_code.setdefault(p.code, []).append(i)
        paired: dict[int, int] = {}
        for n, ip in enumerate(issued_projects):
            same = [i for i in by_code.get(ip["code"], []) if i not in paired.values()]
            if same:
                paired[n] = next((i for i in same if d.projects[i].name == ip["name"]), same[0])
        for n, ip in enumerate(issued_projects):
            i = paired.get(n)
            if i is None:
                j = next((j for j, p in enumerate(d.projects)
                          if p.name is not None and p.name == ip["name"] and j not in paired.values()), None)
                if j is None:
                    self.emit("issued-field-changed", None, "missing", code=ip["code"], name=ip["name"])
                    continue
                self.emit("issued-field-changed", f"projects[{j}].code", project=j, field=FieldKey("code"),
                          issued=ip["code"], value=d.projects[j].code or "")
                i = paired[n] = j
            p = d.projects[i]
            if ip["name"] is not None and p.name != ip["name"]:
                self.emit("issued-field-changed", f"projects[{i}].name", project=i, field=FieldKey("name"),
                          issued=ip["name"], value=p.name or "")
            for part in ("total", "fiscal", "other"):
                want = ip["budget"].get(part)
                got = getattr(p.budget, part)
                if want is None:
                    continue
                if got is None or got != Decimal(want):
                    raw = self.raw(f"projects[{i}].budget.{part}", got)
                    self.emit("issued-field-changed", f"projects[{i}].budget.{part}", project=i,
                              field=FieldKey(f"budget.{part}"), issued=want, value=cell_text(raw) or "")

    def template_version(self) -> None:
        r = self.result
        assert r is not None
        got = self.doc.template
        if got.id != self.t.id or got.version < self.t.version:
            self.emit("template-version", "template", got=f"{got.id}@{got.version}", want=f"{self.t.id}@{self.t.version}")

    def summary(self) -> None:
        r = self.result
        assert r is not None
        if not r.summary:
            return
        rows = {cell_text(row["code"][0]): row for row in r.summary if "code" in row and row["code"][0] is not None}
        for i, p in enumerate(self.doc.projects):
            row = rows.get(p.code) if p.code else None
            if row is None:
                if p.code:
                    self._summary_finding(None, "missing", i, code=p.code)
                continue
            actual: dict[str, Any] = {
                "name": p.name, "total": p.budget.total, "fiscal": p.budget.fiscal, "other": p.budget.other,
                "count": Decimal(sum(1 for ind in p.indicators if ind.name is not None)),
            }
            for key, want in actual.items():
                if key not in row:
                    continue
                value, ref = row[key]
                if key == "name":
                    same = cell_text(value) == want
                else:
                    got = to_decimal(value)
                    same = (got if got is not None else Decimal(0)) == (want if want is not None else Decimal(0))
                if not same:
                    fkey = {"total": "budget.total", "fiscal": "budget.fiscal", "other": "budget.other"}.get(key, key)
                    self._summary_finding(ref, "", i, field=FieldKey(fkey), value=cell_text(value) or "",
                                          actual=format_number(want) if isinstance(want, Decimal) else (want or ""))

    def _summary_finding(self, ref: CellRef | None, variant: str, project: int, **args: Any) -> None:
        if self.severity.get("summary-mismatch") == "off":
            return
        sheet = ref.sheet if ref else (self.result.project_sheets[project] if self.result else None)
        self.findings.append(Finding("summary-mismatch", self.severity["summary-mismatch"], sheet,
                                     ref.a1 if ref else None, args, message_key("summary-mismatch", variant)))


def _col(attr: str) -> str:
    """Model attribute -> the reader's column key for an indicator."""
    return {"name": "indicator_name"}.get(attr, attr)


class FieldKey:
    """A field name rendered in the message's language."""

    def __init__(self, key: str, month: int | None = None):
        self.key, self.month = key, month

    def render(self, lang: str) -> str:
        name = _fname(self.key, lang)
        if self.month is not None:
            return f"{name}（{self.month}月底）" if lang != "en" else f"{name} (end of month {self.month})"
        return name


# ---- public API ------------------------------------------------------------------------------

def check_document(doc: Submission, template: Template | None = None) -> list[Finding]:
    """Findings for a bare document (no workbook): same rules, no cell locations."""
    template = template or load_template()
    return _Checker(doc, template, None).run()


def validate_result(result: ReadResult, template: Template | None = None) -> list[Finding]:
    template = template or result.template or load_template()
    findings = _Checker(result.doc, template, result).run()
    return sort_findings(findings, result)


def sort_findings(findings: list[Finding], result: ReadResult | None) -> list[Finding]:
    from .cells import parse_a1

    order = {}
    if result is not None:
        order = {name: i for i, name in enumerate([result.unit_sheet, *result.project_sheets]) if name}

    def key(f: Finding) -> tuple:
        rc = parse_a1(f.cell) if f.cell else (-1, -1)
        return (order.get(f.sheet, len(order)) if f.sheet else -1, rc, f.rule)

    return sorted(findings, key=key)


@dataclass
class FileReport:
    path: str
    result: ReadResult | None = None  # None in a batch (see validate_paths): the unit is kept instead
    findings: list[Finding] = field(default_factory=list)
    error: Exception | None = None  # the file could not be read
    unit_data: dict[str, Any] | None = None

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def readable(self) -> bool:
        return self.error is None

    @property
    def valid(self) -> bool:
        return self.readable and self.errors == 0

    def unit(self) -> dict[str, Any] | None:
        if self.unit_data is not None:
            return self.unit_data
        return self.result.doc.unit.model_dump() if self.result else None

    def to_data(self, lang: str = "zh") -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "unit": self.unit(),
            "valid": self.valid,
            "errors": self.errors + (1 if self.error else 0),
            "warnings": self.warnings,
            "issues": [f.to_data(lang) for f in self.findings],
        }
        if self.error is not None:
            msg = self.error.message(lang) if isinstance(self.error, BudgetxlError) else str(self.error)
            data["issues"].insert(0, {"rule": "unreadable", "severity": "error", "sheet": None, "cell": None, "message": msg})
        return data


def iter_workbook_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named on the command line, and workbook files found recursively in folders."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in WORKBOOK_SUFFIXES and not f.name.startswith(("~$", ".~lock")):
                    yield f
        else:
            yield p


def validate_file(path: str | os.PathLike[str], template: Template | None = None) -> FileReport:
    """Read and validate one file; an unreadable file becomes a report with ``error`` set."""
    try:
        result = read_workbook(path, template)
    except BudgetxlError as exc:
        return FileReport(str(path), error=exc)
    return FileReport(str(path), result, validate_result(result, template))


def _validate_slim(path: Path, template: Template | None) -> FileReport:
    """validate_file for a batch: only the findings and the unit are kept (a batch of thousands
    must not hold every document, and worker processes send back only what is kept)."""
    report = validate_file(path, template)
    if report.result is not None:
        report.unit_data = report.result.doc.unit.model_dump()
        report.result = None
    return report


def validate_paths(paths: Iterable[str | os.PathLike[str]], template: Template | None = None, jobs: int = 1,
                   progress=None) -> list[FileReport]:
    """Validate every workbook under ``paths``; with jobs > 1 in a process pool (same results, same order)."""
    from .parallel import parallel_map

    files = list(iter_workbook_files(paths))
    return parallel_map(_validate_slim, files, template, jobs=jobs, progress=progress, on_crash=_crashed)


def _crashed(path: Path, reason: str) -> FileReport:
    """The report of a file whose reading killed (or hung) its worker process."""
    from .safeparse import crash_error

    return FileReport(str(path), error=crash_error(str(path), reason))


def reports_json(reports: list[FileReport], lang: str = "zh") -> str:
    return json.dumps({"files": [r.to_data(lang) for r in reports]}, ensure_ascii=False, indent=2)
