"""A command killed at any write leaves a workspace that works: `ceremony sign` and `ceremony
export` are killed before each open for writing, write, fsync, rename, link, unlink and mkdir
under the workspace and the export directory, in turn. After each kill `status` works,
`transcript verify` passes, and the same command run again completes (an export into a new
directory, as the refusal to overwrite asks), and the export verifies.

The kill is injected from outside the tool: a helper process imports the command line once
and forks a child per run; the child wraps those os functions to count the calls on the two
directories and `os._exit`s at the k-th. Nothing in the tool knows about it.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.flows.initial import init_workspace
from ceremony.flows.verify import verify_directory
from tests.conftest import NOW, TestKey
from tests.lifecycle_helpers import sign, write_plan

KILLED = 137

# The helper: one request per line on stdin ({"kill_at", "roots", "argv", "stdin"}), one
# answer per line on stdout ({"status", "points"}). The child counts kill points on the paths
# under `roots` and exits at the `kill_at`-th; "points" is how many it passed.
_HELPER = r"""
import io, json, os, sys
import ceremony.cli.steps  # noqa: F401  (loaded once, before the children are forked)
from ceremony.cli import main

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def child(kill_at, roots, argv, stdin, report):
    roots = [os.path.realpath(r) for r in roots]
    tracked = set()
    count = [0]

    def under(path):
        real = os.path.realpath(os.fsdecode(os.fspath(path)))
        return any(real == r or real.startswith(r + os.sep) for r in roots)

    def point():
        count[0] += 1
        if count[0] == kill_at:
            os._exit(137)

    real = {n: getattr(os, n) for n in
            ("open", "close", "write", "fsync", "fdopen", "rename", "replace", "link",
             "unlink", "remove", "mkdir")}

    def open_(path, flags, mode=0o777, *, dir_fd=None):
        inside = under(path)
        if inside and flags & WRITE_FLAGS:
            point()
        fd = real["open"](path, flags, mode, dir_fd=dir_fd)
        if inside:
            tracked.add(fd)
        return fd

    def close(fd):
        tracked.discard(fd)
        return real["close"](fd)

    def write(fd, data):
        if fd in tracked:
            point()
        return real["write"](fd, data)

    def fsync(fd):
        if hasattr(fd, "fileno"):
            fd = fd.fileno()
        if fd in tracked:
            point()
        return real["fsync"](fd)

    class Counted:
        def __init__(self, f):
            self._f = f
        def write(self, data):
            point()
            return self._f.write(data)
        def __getattr__(self, name):
            return getattr(self._f, name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            tracked.discard(self._f.fileno())
            return self._f.__exit__(*exc)

    def fdopen(fd, *args, **kwargs):
        f = real["fdopen"](fd, *args, **kwargs)
        return Counted(f) if fd in tracked and "w" in (args[0] if args else "r") else f

    def two(name):
        def call(src, dst, *args, **kwargs):
            if under(src) or under(dst):
                point()
            return real[name](src, dst, *args, **kwargs)
        return call

    def one(name):
        def call(path, *args, **kwargs):
            if under(path):
                point()
            return real[name](path, *args, **kwargs)
        return call

    os.open, os.close, os.write, os.fsync, os.fdopen = open_, close, write, fsync, fdopen
    os.rename, os.replace, os.link = two("rename"), two("replace"), two("link")
    os.unlink, os.remove, os.mkdir = one("unlink"), one("remove"), one("mkdir")
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(argv)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    with real["fdopen"](report, "w") as f:
        f.write(str(count[0]))
    os._exit(code)


for line in sys.stdin:
    request = json.loads(line)
    read, report = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        child(request["kill_at"], request["roots"], request["argv"], request["stdin"], report)
    os.close(report)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read) as f:
        points = f.read()
    answer = {"status": os.waitstatus_to_exitcode(status), "points": int(points or 0)}
    print(json.dumps(answer), flush=True)
"""


class Killer:
    """The helper process, started once for the test."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _HELPER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(
        self, kill_at: int, roots: list[Path], argv: list[str], stdin: str = ""
    ) -> tuple[int, int]:
        """(exit status, kill points passed) of `ceremony ARGV` killed at point `kill_at`."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        request = {"kill_at": kill_at, "roots": [str(r) for r in roots], "argv": argv}
        self.process.stdin.write(json.dumps({**request, "stdin": stdin}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        return answer["status"], answer["points"]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def killer() -> Iterator[Killer]:
    helper = Killer()
    yield helper
    helper.close()


def ok(args: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> str:
    """Run `ceremony ARGS` here; it must succeed. Its output."""
    captured, errors = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.setattr(sys, "stdout", captured)
    monkeypatch.setattr(sys, "stderr", errors)
    code = main(args)
    monkeypatch.undo()
    assert code == 0, (args, errors.getvalue())
    return captured.getvalue()


def still_works(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ok(["status", str(workspace)], monkeypatch)
    ok(["transcript", "verify", str(workspace)], monkeypatch)


def status_of(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    return json.loads(ok(["status", str(workspace), "--json"], monkeypatch))["roles"]


@pytest.mark.slow
def test_sign_and_export_recover_from_a_kill_at_every_write(
    killer: Killer,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = tmp_path / "base"
    init_workspace(write_plan(tmp_path / "plan", keyring), base, NOW)
    alice = keyring["alice"]
    sign_args = ["--keyholder", "alice", "--key", alice.uri, "--secret-stdin"]

    # A sign that is not killed: what every recovered sign must arrive at.
    clean = tmp_path / "clean"
    shutil.copytree(base, clean)
    assert killer.run(0, [clean], ["sign", str(clean), *sign_args], alice.passphrase + "\n")[0] == 0
    signed = status_of(clean, monkeypatch)

    sign_points = 0
    for k in range(1, 200):
        ws = tmp_path / f"sign-{k}"
        shutil.copytree(base, ws)
        status, _ = killer.run(k, [ws], ["sign", str(ws), *sign_args], alice.passphrase + "\n")
        if status == 0:
            break  # no k-th write: every kill point was tried
        assert status == KILLED, k
        sign_points = k
        still_works(ws, monkeypatch)
        ok(["sign", str(ws), *sign_args], monkeypatch, alice.passphrase + "\n")
        assert status_of(ws, monkeypatch) == signed, k
        still_works(ws, monkeypatch)
        shutil.rmtree(ws)
    assert sign_points >= 8  # the staged files and the transcript line, at least

    ready = tmp_path / "ready"
    shutil.copytree(clean, ready)
    sign(ready, keyring["bob"])
    export_points = 0
    for k in range(1, 1000):
        ws, out = tmp_path / f"export-{k}", tmp_path / f"out-{k}"
        shutil.copytree(ready, ws)
        status, _ = killer.run(k, [ws, out], ["export", str(ws), str(out)])
        if status == 0:
            break
        assert status == KILLED, k
        export_points = k
        still_works(ws, monkeypatch)
        again = tmp_path / f"again-{k}"
        ok(["export", str(ws), str(again)], monkeypatch)
        assert verify_directory(again, None, NOW).ok, k
        ok(["verify", str(again)], monkeypatch)
        still_works(ws, monkeypatch)
        # Whatever the killed export left is whole: the same bytes the new one wrote.
        for left in (out / "metadata").glob("*.json") if (out / "metadata").is_dir() else ():
            assert left.read_bytes() == (again / "metadata" / left.name).read_bytes(), k
        for directory in (ws, out, again):
            shutil.rmtree(directory, ignore_errors=True)
    assert export_points >= 40
    print(f"kill points: sign {sign_points}, export {export_points}")
