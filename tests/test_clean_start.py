"""``cleancrawl clean``'s forkserver, started before the command's imports (crawler.clean_start)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.clean_start import wants_workers
from tests.conftest import ROOT
from tests.warc_site import html_pages_warc

ARTICLE = (ROOT / "crawler/sample_site/news/router-firmware-backdoor/index.html").read_bytes()

# the CLI in a process that notes what was imported when the forkserver started, and
# whether it still runs once main() has returned
NOTING = """
import multiprocessing.forkserver as forkserver, sys
started = forkserver.ensure_running
def ensure_running():
    print("heavy imports before the forkserver:", sorted(
        name for name in ("scrapy", "cleaning", "crawler.reclean", "crawler.config")
        if name in sys.modules))
    started()
forkserver.ensure_running = ensure_running
from crawler.cli import main
code = main(sys.argv[1:])
print("forkserver left:", forkserver._forkserver._forkserver_pid)
sys.exit(code)
"""


def _warc(path: Path) -> Path:
    return html_pages_warc(path, ARTICLE, 3)


def _session(sid: int) -> list[str]:
    """The command lines of the processes still in session ``sid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid:
                found.append((entry / "cmdline").read_text().replace("\0", " "))
    return found


@pytest.mark.slow
def test_the_forkserver_starts_before_the_commands_imports(tmp_path: Path) -> None:
    warc = _warc(tmp_path / "in.warc.gz")
    command = [sys.executable, "-c", NOTING, "clean", str(warc), "-o", str(tmp_path / "out")]
    done = subprocess.run(
        [*command, "--workers", "2"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "heavy imports before the forkserver: []" in done.stdout
    assert "3 records" in done.stdout
    assert "forkserver left: None" in done.stdout  # stopped at the end


@pytest.mark.slow
def test_a_bad_setting_exits_2_with_no_process_left(tmp_path: Path) -> None:
    warc = _warc(tmp_path / "in.warc.gz")
    command = [sys.executable, "-c", NOTING, "clean", str(warc), "-o", str(tmp_path)]
    process = subprocess.Popen(
        [*command, "-s", "CLEANCRAWL_TEMPLATES_ENABLED=maybe"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its session holds it and whatever it starts
    )
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "is not a boolean" in err
    assert "heavy imports before the forkserver: []" in out  # started, then
    assert "forkserver left: None" in out
    # nor left to end by itself: it would have preloaded on for some 0.7 s first
    assert [line for line in _session(process.pid) if "forkserver" in line] == []
    # multiprocessing's resource tracker ends once its last user has: a moment later
    for _ in range(100):
        if not _session(process.pid):
            break
        time.sleep(0.05)
    assert _session(process.pid) == []


def test_workers_at_a_glance() -> None:
    assert wants_workers(["clean", "in.warc", "-o", "out"])
    assert wants_workers(["clean", "in.warc", "--workers", "2"])
    assert not wants_workers(["clean", "in.warc", "--workers", "0"])
    assert not wants_workers(["clean", "in.warc", "--workers=0"])
    assert not wants_workers(["clean", "--help"])


@pytest.mark.slow
def test_the_clean_program_ends_without_the_interpreters_teardown(tmp_path: Path) -> None:
    warc = _warc(tmp_path / "in.warc.gz")
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('teardown'))\n"
        "from crawler.cli import main\n"
        "sys.exit(main())\n"
    )
    command = [sys.executable, "-c", script, "clean", str(warc), "-o", str(tmp_path / "out")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "3 records" in done.stdout  # written out before the end
    assert "teardown" not in done.stdout
    assert (tmp_path / "out/_clean_stats.json").exists()
    # a bad argument: the same, with its exit code
    command += ["-s", "CLEANCRAWL_WORKERS=x"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "teardown" not in done.stdout
