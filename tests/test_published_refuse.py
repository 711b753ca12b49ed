"""Sources that are not a targets document are refused with one line saying what was recognised
(exit 2, never a traceback); a batch goes on past them."""

from __future__ import annotations

import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from published_docs import fodt

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "examples" / "juluxian-2024-published.txt"
WRITER = Path("/usr/lib/libreoffice/program/libswlo.so")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "budgetxl", "import", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def refused(path: Path, *extra: str) -> str:
    res = run(str(path), *extra)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert path.name in lines[0]
    return lines[0]


def novel() -> str:
    """A few pages of a story, written for this test."""
    people = ["林秋", "老周", "阿梅", "小满"]
    places = ["河堤", "集市", "老槐树下", "火车站"]
    out = ["第一章 秋天", ""]
    for k in range(60):
        a, b, c = people[k % 4], people[(k + 1) % 4], places[k % 4]
        out.append(f"{a}在{c}等了很久，{b}才提着一篮刚摘的柿子走过来。天色暗下来，远处传来第{k + 1}声汽笛，"
                   f"两人谁也没有说话，只看着河水慢慢地流。")
    return "\n".join(out)


def minimal_pdf(content: bytes = b"") -> bytes:
    """A one-page PDF with the given page content stream (empty: a blank page)."""
    stream = zlib.compress(content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def test_a_novel(tmp_path):
    src = tmp_path / "秋天.txt"
    src.write_text(novel(), encoding="utf-8")
    line = refused(src)
    assert "不是可识别的绩效目标表" in line and "字" in line and "没有“项目编码”“一级指标”" in line


def test_a_novel_in_gbk_in_english(tmp_path):
    src = tmp_path / "autumn.txt"
    src.write_bytes(novel().encode("gbk"))
    line = refused(src, "--lang", "en")
    assert "not a recognisable targets document" in line and "text (gbk)" in line


def test_an_unrelated_table_as_text(tmp_path):
    rows = ["职工花名册", "姓名 性别 年龄 部门 入职年份"] + [f"员工{k} {'男女'[k % 2]} {25 + k} 办公室 {2010 + k}" for k in range(30)]
    src = tmp_path / "花名册.txt"
    src.write_text("\n".join(rows), encoding="utf-8")
    assert "不是可识别的绩效目标表" in refused(src)


def test_a_text_with_some_labels_but_no_indicator_table(tmp_path):
    src = tmp_path / "项目清单.txt"
    src.write_text("项目名称 办公楼维修\n项目编码 13052924P000000000001\n预算数 12.00\n绩效目标 按期完工\n", encoding="utf-8")
    line = refused(src)
    assert "有“项目编码”“项目名称”“预算数”“绩效目标”" in line and "缺“一级指标”" in line


def test_an_empty_pdf(tmp_path):
    src = tmp_path / "空白.pdf"
    src.write_bytes(minimal_pdf())
    line = refused(src)
    assert "PDF 1 页" in line and "没有任何文字" in line


def test_an_image_only_pdf(tmp_path):
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 840), "white")
    draw = ImageDraw.Draw(img)
    for y in range(60, 800, 40):  # something like a scanned table: ruled lines, no text layer
        draw.line((40, y, 560, y), fill="black", width=2)
    src = tmp_path / "扫描件.pdf"
    img.save(src, "PDF", resolution=72)
    line = refused(src)
    assert "没有文字层" in line and "图片" in line and "文字识别" in line
    assert "no OCR" in refused(src, "--lang", "en")


def test_a_damaged_pdf(tmp_path):
    src = tmp_path / "截断.pdf"
    src.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"\x00" * 10)
    assert "PDF" in refused(src)


def test_other_files(tmp_path):
    book = tmp_path / "book.xlsx"
    book.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert "zip/xlsx/docx" in refused(book) and "budgetxl read" in refused(book)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert "空" in refused(empty)
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 20)
    refused(junk)
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    refused(folder)
    res = run(str(tmp_path / "nowhere.pdf"))
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1


@pytest.mark.libreoffice
@pytest.mark.skipif(not WRITER.exists(), reason="LibreOffice Writer (libreoffice-writer) is not installed")
def test_an_unrelated_ruled_table_as_pdf(tmp_path, soffice):
    rows = [["姓名", "性别", "年龄", "部门"]] + [[f"员工{k}", "男女"[k % 2], str(25 + k), "办公室"] for k in range(12)]
    src = tmp_path / "src" / "花名册.fodt"
    src.parent.mkdir()
    src.write_text(fodt(["职工花名册", ("table", [4, 3, 3, 6], rows)]), encoding="utf-8")
    (pdf,) = soffice([src], "pdf", tmp_path / "pdf")
    line = refused(pdf)
    assert "1 个表格（第一行：姓名｜性别｜年龄｜部门）" in line


def test_a_batch_goes_on_past_a_refused_source(tmp_path):
    bad = tmp_path / "秋天.txt"
    bad.write_text(novel(), encoding="utf-8")
    out = tmp_path / "out"
    res = run(str(bad), str(PUBLISHED), "-o", str(out))
    assert res.returncode == 1, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "秋天.txt" in res.stderr
    assert (out / "juluxian-2024-published.json").is_file() and not (out / "秋天.json").exists()


def test_outputs_are_checked_before_any_work(tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(PUBLISHED.read_bytes())
    res = run(str(src), str(PUBLISHED))  # two sources need -o DIR
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1
    res = run(str(src), "-o", str(src))  # never over an input
    assert res.returncode == 2 and src.read_bytes() == PUBLISHED.read_bytes()
    (tmp_path / "taken.json").write_text("{}", encoding="utf-8")
    res = run(str(src), str(PUBLISHED), "-o", str(tmp_path / "taken.json"))
    assert res.returncode == 2 and (tmp_path / "taken.json").read_text(encoding="utf-8") == "{}"
