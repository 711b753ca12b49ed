"""Merges that clean up after themselves (issue 15, point 6), tested on real processes.

``budgetxl merge`` is killed with SIGKILL at random moments (1 and 2 jobs), two merges to the
same outputs run at once, and merges meet a full disk (a tiny tmpfs when this machine lets us
mount one, else an injected ENOSPC) and a read-only folder. After each: the inputs are byte for
byte what they were, the outputs are the previous run's or a complete new run's (workbook and data
files of the same run), no process of the killed run lives on, and after the next run there is no
litter: no hidden temp file, journal or lock beside the outputs, nothing in the run's TMPDIR.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import python_calamine as pc

from budgetxl.consolidation import merge, reserve_outputs
from budgetxl.consolidation.datafiles import DATA_FILES
from budgetxl.demo import simulated_submission
from budgetxl.errors import BudgetxlError
from budgetxl.files.tables import RosterUnit
from budgetxl.model import Submission
from budgetxl.workbook.writer import generate_workbook

ROOT = Path(__file__).resolve().parent.parent
SEED = Submission.from_json((ROOT / "examples" / "juluxian-2024.json").read_bytes())
UNITS_SHEET = "单位概况"


def make_inbox(folder: Path, n: int, first: int) -> Path:
    for i in range(first, first + n):
        unit = RosterUnit(f"{600000 + i}", f"测试单位{i}", "130529")
        generate_workbook(simulated_submission(SEED, unit, i + 1), folder / f"{unit.code}.xlsx")
    return folder


@pytest.fixture(scope="module")
def inboxes(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("inboxes")
    return {"a": make_inbox(root / "a", 12, 0), "b": make_inbox(root / "b", 8, 100),
            "tiny": make_inbox(root / "tiny", 2, 200)}


def digest(folder: Path) -> dict[str, str]:
    """Every file's hash (hidden files, a run's temp files and locks, left out)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def codes_in_inbox(inbox: Path) -> set[str]:
    return {p.stem for p in inbox.glob("*.xlsx")}


class Place:
    """One output workbook and data folder, and the private TMPDIR of the runs writing them."""

    def __init__(self, root: Path):
        self.root = root
        self.out = root / "out" / "汇总.xlsx"
        self.data = root / "out" / "数据"
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def start(self, inbox: Path, jobs: int = 1) -> subprocess.Popen:
        env = {**os.environ, "TMPDIR": str(self.tmp), "PYTHONUNBUFFERED": "1"}
        return subprocess.Popen([sys.executable, "-m", "budgetxl", "merge", str(inbox), "-o", str(self.out),
                                 "--data-dir", str(self.data), "--jobs", str(jobs)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

    def run(self, inbox: Path, jobs: int = 1) -> subprocess.CompletedProcess:
        proc = self.start(inbox, jobs)
        out, err = proc.communicate(timeout=120)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out.decode(), err.decode())

    def state(self) -> set[str] | None:
        """The unit codes the outputs hold, the same in the workbook and every data file (None:
        no outputs at all); fails when the workbook and the data files are of different runs."""
        present = [self.out.exists()] + [(self.data / n).exists() for n in DATA_FILES]
        if not any(present):
            return None
        assert all(present), f"outputs published in part: {present}"
        rows = pc.CalamineWorkbook.from_path(str(self.out)).get_sheet_by_name(UNITS_SHEET).to_python()
        in_workbook = {str(r[0]) for r in rows[1:]}
        subs = {d["unit"]["code"] for d in json.loads((self.data / "submissions.json").read_text("utf-8"))}
        csv_rows = (self.data / "projects.csv").read_text("utf-8-sig").splitlines()[1:]
        head = (self.data / "projects.csv").read_text("utf-8-sig").splitlines()[0].split(",")
        in_csv = {line.split(",")[head.index("unit_code")] for line in csv_rows} if csv_rows else set()
        assert in_workbook == subs, "the workbook and submissions.json are of different runs"
        assert in_csv <= subs, "projects.csv and submissions.json are of different runs"
        return in_workbook

    def litter(self) -> list[str]:
        """Whatever a finished merge should not have left: hidden files beside the outputs, the
        TMPDIR's content."""
        hidden = [p.name for folder in (self.out.parent, self.data) if folder.exists()
                  for p in folder.iterdir() if p.name.startswith(".")]
        return hidden + [f"TMPDIR/{p.name}" for p in self.tmp.iterdir()]


def group_alive(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, read from /proc."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            alive.append(int(stat.parent.name))
    return alive


def wait_group_gone(pgid: int, timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (alive := group_alive(pgid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


@pytest.mark.parametrize("jobs", [1, 2])
def test_kill_at_random_moments(tmp_path, inboxes, jobs):
    place = Place(tmp_path)
    before_inputs = digest(inboxes["a"].parent)
    t0 = time.monotonic()
    assert place.run(inboxes["a"], jobs).returncode == 0
    full = time.monotonic() - t0  # how long the merge that gets killed takes
    assert place.run(inboxes["b"], jobs).returncode == 0  # the previous version
    previous = {"codes": place.state(), "files": digest(place.out.parent)}
    assert previous["codes"] == codes_in_inbox(inboxes["b"])
    rng = random.Random(15 + jobs)
    seen_litter, outcomes = 0, []
    strata = 5  # one random moment in each fifth of 10 %..115 % of the run: start, reading, writing, after
    for moment in [full * (0.1 + 1.05 * (k + rng.random()) / strata) for k in range(strata)]:
        proc = place.start(inboxes["a"], jobs)
        time.sleep(moment)
        os.kill(proc.pid, signal.SIGKILL)  # the merge started here, by its id
        proc.wait()  # (not communicate: a surviving worker would hold its pipes open)
        proc.stdout.close(), proc.stderr.close()
        assert not wait_group_gone(proc.pid), f"processes of the killed merge (killed at {moment:.2f} s) live on"
        seen_litter += len(place.litter())
        assert digest(inboxes["a"].parent) == before_inputs
        if any(place.out.parent.glob(".budgetxl-commit-*")):  # killed mid-publish, after the commit point:
            with reserve_outputs(place.out, place.data):  # the next run's clean-up rolls it forward
                pass
        codes = place.state()
        outcomes.append("new" if codes == codes_in_inbox(inboxes["a"]) else "old")
        if outcomes[-1] == "old":
            assert digest(place.out.parent) == previous["files"], "the previous version changed"
        else:
            previous = {"codes": codes, "files": digest(place.out.parent)}
    assert "old" in outcomes, outcomes  # (the moments span the run: some kills land before the publish)
    done = place.run(inboxes["b"], jobs)  # the next run cleans up whatever the killed ones left
    assert done.returncode == 0, done.stderr
    assert place.state() == codes_in_inbox(inboxes["b"])
    assert place.litter() == [], place.litter()
    assert digest(inboxes["a"].parent) == before_inputs
    print(f"jobs={jobs}: full run {full:.2f} s, outcomes {outcomes}, litter seen after the kills: {seen_litter}")


def test_concurrent_merges_publish_one_run_whole(tmp_path, inboxes):
    place = Place(tmp_path)
    for round_ in range(2):
        first, second = (inboxes["a"], inboxes["b"]) if round_ == 0 else (inboxes["b"], inboxes["a"])
        procs = [place.start(first), place.start(second)]
        results = [(p.returncode, err.decode()) for p in procs for _, err in [p.communicate(timeout=120)]]
        for rc, err in results:
            assert rc in (0, 2), err
            if rc == 2:  # refused: one line naming the output
                assert len(err.strip().splitlines()) == 1 and str(place.out) in err, err
        assert any(rc == 0 for rc, _ in results)
        assert place.state() in (codes_in_inbox(inboxes["a"]), codes_in_inbox(inboxes["b"]))
        assert place.litter() == [], place.litter()


def test_a_busy_output_is_refused_in_one_line_before_any_work(tmp_path, inboxes):
    place = Place(tmp_path)
    with reserve_outputs(place.out, place.data):  # another run holds the outputs
        t0 = time.monotonic()
        res = place.run(inboxes["a"])
        waited = time.monotonic() - t0
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and str(place.out) in res.stderr and str(os.getpid()) in res.stderr
    assert waited < 15  # (it waited for the lock, then refused; it did not read the inputs)
    assert place.state() is None and place.litter() == []


@contextlib.contextmanager
def tmpfs(where: Path, size: str):
    """A tmpfs of ``size`` at ``where`` (root only), unmounted afterwards; None when it cannot be had."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                                           capture_output=True).returncode != 0:
        yield None
        return
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_full_disk_on_a_tiny_tmpfs(tmp_path, inboxes):
    """A real full disk: a 600 KB tmpfs holding a small previous consolidation."""
    with tmpfs(tmp_path / "disk", "600k") as disk:
        if disk is None:
            pytest.skip("no tmpfs mount here (not root); test_full_disk_injected covers ENOSPC")
        place = Place(disk)
        place.tmp = tmp_path / "tmp"  # (the temp dir is elsewhere: the disk that fills is the output's)
        place.tmp.mkdir()
        assert place.run(inboxes["tiny"]).returncode == 0
        before = digest(place.out.parent)
        res = place.run(inboxes["a"])
        assert res.returncode == 2, res.stderr
        assert res.stderr.count("\n") == 1, res.stderr
        assert str(place.out) in res.stderr and "磁盘空间不足" in res.stderr
        assert digest(place.out.parent) == before
        assert place.litter() == []
        fresh = Place(disk / "新")  # (outputs in folders the run makes: none of them is left)
        fresh.tmp = place.tmp
        assert fresh.run(inboxes["a"]).returncode == 2
        assert not fresh.out.parent.exists()


def test_full_disk_injected(tmp_path, inboxes, monkeypatch):
    """ENOSPC simulated by injection (for machines where no tmpfs can be mounted): the data
    writer's second write fails as a full disk would."""
    from budgetxl.consolidation import datafiles

    place = Place(tmp_path)
    merge([inboxes["tiny"]], place.out, data_dir=place.data)
    before = digest(place.out.parent)
    calls = {"n": 0}
    add = datafiles.DataSink.add

    def full(self, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return add(self, data)

    monkeypatch.setattr(datafiles.DataSink, "add", full)
    monkeypatch.setattr(tempfile, "tempdir", str(place.tmp))
    with pytest.raises(BudgetxlError) as err:
        merge([inboxes["a"]], place.out, data_dir=place.data)
    assert err.value.key == "output-failed.disk-full"
    assert str(place.out) in err.value.message("zh") and str(place.out) in err.value.message("en")
    assert digest(place.out.parent) == before
    assert place.litter() == []


def test_read_only_folder(tmp_path, inboxes):
    """A read-only output folder (a read-only tmpfs as root, since root ignores file modes; else
    a folder without write permission): one line naming the output, exit 2, nothing changed."""
    with tmpfs(tmp_path / "ro", "4m") as disk:
        place = Place(disk or tmp_path / "ro")
        place.tmp = tmp_path / "tmp"
        place.tmp.mkdir()
        assert place.run(inboxes["tiny"]).returncode == 0
        before = digest(place.out.parent)
        if disk is not None:
            assert subprocess.run(["mount", "-o", "remount,ro", str(disk)]).returncode == 0
        else:
            for folder in (place.out.parent, place.data):
                folder.chmod(0o555)
        try:
            res = place.run(inboxes["a"])
        finally:
            if disk is None:
                for folder in (place.out.parent, place.data):
                    folder.chmod(0o755)
        assert res.returncode == 2, res.stderr
        assert res.stderr.count("\n") == 1 and str(place.out) in res.stderr, res.stderr
        # (refused by the output check before any work, or by the publish step: either says why)
        assert any(w in res.stderr for w in ("只读", "权限", "不可写")), res.stderr
        assert digest(place.out.parent) == before
        assert place.litter() == []


PUBLISHER = """
import os, sys
from pathlib import Path
from budgetxl.files import publish as P

root, die_after = Path(sys.argv[1]), int(sys.argv[2])
outputs = [P.file_output(root / "book.xlsx"), P.folder_output(root / "data", ["a.csv", "b.csv"])]
renames, replace, write_new = [0], os.replace, P._write_new

def replace_then_die(src, dst):  # the process dies after ``die_after`` renames of the publish
    if renames[0] == die_after:
        os._exit(9)
    renames[0] += 1
    replace(src, dst)

def die_at_commit(path, text):  # the process dies just before its commit file
    if P.COMMIT in path.name:
        os._exit(9)
    write_new(path, text)

if die_after < 0:
    P._write_new = die_at_commit
else:
    P.os.replace = replace_then_die
with P.publishing(outputs) as pub:
    for final, tmp in pub.temps.items():
        tmp.write_text("new " + final.name)
"""


@pytest.mark.parametrize("die_after", [-1, 0, 1, 2])
def test_a_publish_that_dies_is_finished_or_undone_by_the_next_run(tmp_path, die_after):
    """A process dies at each step of a publish: before its commit point the next run leaves the
    old files; after it (with 0, 1 or 2 of 3 files renamed) the next run completes the new ones."""
    from budgetxl.files import publish as P

    finals = [tmp_path / "book.xlsx", tmp_path / "data" / "a.csv", tmp_path / "data" / "b.csv"]
    for f in finals:
        f.parent.mkdir(exist_ok=True)
        f.write_text("old " + f.name)
    proc = subprocess.run([sys.executable, "-c", PUBLISHER, str(tmp_path), str(die_after)], capture_output=True)
    assert proc.returncode == 9, proc.stderr
    assert any(p.name.startswith(".") for f in finals for p in f.parent.iterdir())  # it left its journal
    outputs = [P.file_output(finals[0]), P.folder_output(tmp_path / "data", ["a.csv", "b.csv"])]
    with P.reserved(outputs[1:]):  # the next run touching any one of the outputs settles all of them
        pass
    expected = "old" if die_after < 0 else "new"
    assert [f.read_text() for f in finals] == [f"{expected} {f.name}" for f in finals]
    assert [p.name for f in finals for p in f.parent.iterdir() if p.name.startswith(".")] == []


def test_workers_die_with_their_parent(tmp_path):
    """Workers busy (here: asleep) when their parent is killed die too (die_with_parent); without
    it they would sleep on, and then wait forever on a queue nobody feeds."""
    script = "import time; from budgetxl.files.parallel import parallel_map; parallel_map(time.sleep, [60] * 8, jobs=2)"
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + 30
    while len(group_alive(proc.pid)) < 3 and time.monotonic() < deadline:  # the parent and both workers
        time.sleep(0.05)
    assert len(group_alive(proc.pid)) >= 3
    os.kill(proc.pid, signal.SIGKILL)  # the process started here, by its id
    proc.wait()
    assert not wait_group_gone(proc.pid), "workers outlived their parent"


def test_two_threads_merging_to_the_same_outputs_take_turns(tmp_path, inboxes):
    """Two merges in one process (the portal's threads) to the same outputs: one after the other
    (or the second refuses), never interleaved."""
    import threading

    place = Place(tmp_path)
    errors: list[BaseException] = []

    def run(inbox: Path) -> None:
        try:
            merge([inbox], place.out, data_dir=place.data)
        except BudgetxlError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(inboxes[k],)) for k in ("b", "tiny")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(e.key == "output-busy" for e in errors) and len(errors) < 2, errors
    assert place.state() in (codes_in_inbox(inboxes["b"]), codes_in_inbox(inboxes["tiny"]))
    assert [p for p in place.litter() if not p.startswith("TMPDIR/")] == []


def test_the_sweep_removes_only_dead_runs_scratch_folders(tmp_path, monkeypatch):
    from budgetxl.files.lifetime import Scratch, sweep_scratch

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = ("import os; from budgetxl.files.lifetime import Scratch; s = Scratch('spool'); "
            "open(os.path.join(s.name, 'payload.pkl'), 'w').write('x'); os._exit(9)")
    subprocess.run([sys.executable, "-c", dead], env={**os.environ, "TMPDIR": str(tmp_path)}, check=False)
    assert len(list(tmp_path.glob("budgetxl-spool-*"))) == 1  # what a killed run leaves
    live = Scratch("spool")  # a live run's
    (tmp_path / "budgetxl-bench").mkdir()  # someone else's (no owner file)
    assert sweep_scratch() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([Path(live.name).name, "budgetxl-bench"])
    live.cleanup()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budgetxl-bench"]


def test_the_sweep_removes_a_folder_killed_before_it_named_its_owner(tmp_path, monkeypatch):
    """A run killed between making its scratch folder and naming the owner file leaves a folder
    with no owner: its pid (in the name) is gone, so it goes; a live pid's is left alone."""
    from budgetxl.files.lifetime import sweep_scratch

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = int(proc.stdout)  # (a pid that just ended)
    orphan = tmp_path / f"budgetxl-spool-{gone}-k2j3h4g5"
    orphan.mkdir()
    (orphan / ".owner.new").write_text("")
    making = tmp_path / f"budgetxl-spool-{os.getpid()}-a1b2c3d4"  # (a live run's, mid-way)
    making.mkdir()
    assert sweep_scratch() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [making.name]


def test_the_next_run_removes_temp_files_earlier_versions_left(tmp_path):
    out, data = tmp_path / "汇总.xlsx", tmp_path / "data"
    data.mkdir()
    litter = [tmp_path / ".汇总.ab_cd12x.xlsx.tmp", tmp_path / ".汇总.zz99yy88.xlsx.tmp.splice",
              data / ".projects.k2j3h4g5.csv.tmp", tmp_path / ".汇总.xlsx.budgetxl-tmp-1-abcd"]
    others = [tmp_path / ".其他.abcdefgh.xlsx.tmp", tmp_path / "汇总.xlsx.tmp"]  # another output's, and no temp name
    for p in litter + others:
        p.write_bytes(b"x")
    with reserve_outputs(out, data):
        pass
    assert [p for p in litter if p.exists()] == [] and all(p.exists() for p in others)
