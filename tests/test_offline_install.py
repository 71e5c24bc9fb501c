"""The offline install bundle: build it, then install from it with the package index unreachable.

scripts/offline-bundle normally fetches wheels from the index on a connected machine. Tests
never use the network, so here the "index" is a local directory of wheels repacked from the
distributions already installed in this environment (pip reads PIP_NO_INDEX and
PIP_FIND_LINKS). The install itself runs in a brand-new virtual environment with the index
pointed at a closed port on 127.0.0.1, so any attempt to reach it fails loudly. Everything,
pip's cache included, stays under the test's temporary directory.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from ceremony import __version__
from tests.tools import missing_tool

ROOT = Path(__file__).resolve().parent.parent
BUILD_REQUIREMENTS = ("hatchling",)  # pyproject.toml [build-system]


def closure(names: tuple[str, ...]) -> dict[str, metadata.Distribution]:
    """The installed distributions `names` need, transitively, extras and markers evaluated."""
    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, str]] = set()
    todo = [(name, "") for name in names]
    while todo:
        name, extra = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if (key, extra) in seen:
            continue
        seen.add((key, extra))
        try:
            dist = found.get(key) or metadata.distribution(name)
        except metadata.PackageNotFoundError:
            missing_tool(
                f"{name} is not installed here, so no local wheel can be made of it",
                f"{name} must be installed to seed the local index",
            )
        found[key] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": extra}):
                todo.append((requirement.name, ""))
                todo.extend((requirement.name, e) for e in requirement.extras)
    return found


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode()}"


def repack(dist: metadata.Distribution, directory: Path) -> Path:
    """A wheel of an installed distribution, rebuilt from the files its RECORD lists."""
    files = dist.files or []
    info = next(f for f in files if f.parts[0].endswith(".dist-info"))
    info_dir = info.parts[0]
    wheel_meta = dist.read_text("WHEEL") or ""
    tags = [
        line.split(":", 1)[1].strip() for line in wheel_meta.splitlines() if line.startswith("Tag:")
    ]
    parts = [sorted({t.split("-")[i] for t in tags}) for i in range(3)]
    tag = "-".join(".".join(p) for p in parts)
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    wheel = directory / f"{name}-{dist.version}-{tag}.whl"
    records: list[tuple[str, str, str]] = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            relative = file.as_posix()
            # Console scripts (../../bin) are made again at install; bytecode is compiled again.
            if relative.startswith("..") or "__pycache__" in file.parts or file.name == "RECORD":
                continue
            path = Path(str(dist.locate_file(file)))
            if not path.is_file():
                continue
            data = path.read_bytes()
            archive.writestr(relative, data)
            records.append((relative, _record_hash(data), str(len(data))))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(records)
        writer.writerow((f"{info_dir}/RECORD", "", ""))
        archive.writestr(f"{info_dir}/RECORD", buffer.getvalue())
    return wheel


def base_python() -> str:
    """The interpreter this environment was made from, as a fresh machine would have it."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidate = Path(sys.base_prefix) / "bin" / version
    return str(candidate) if candidate.exists() else version


def closed_port_url() -> str:
    """An index URL on 127.0.0.1 where nothing listens: every connection is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/simple/"


def isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env.update(
        PIP_INDEX_URL=closed_port_url(),
        PIP_CACHE_DIR=str(tmp_path / "pip-cache"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_RETRIES="0",
        PIP_TIMEOUT="5",
        PIP_CONFIG_FILE=os.devnull,
        **extra,
    )
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(sys.prefix)
    )
    return env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, check=False, timeout=900
    )


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("offline")
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    needed = closure(("ceremony", *BUILD_REQUIREMENTS))
    for key, dist in needed.items():
        if key != "ceremony":  # the project's own wheel is what the script builds
            repack(dist, wheelhouse)
    env = isolated_env(
        tmp_path, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheelhouse), PYTHON=sys.executable
    )
    out = tmp_path / "bundle"
    result = run([str(ROOT / "scripts" / "offline-bundle"), str(out)], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.mark.slow
def test_bundle_pins_every_wheel_by_hash(bundle: Path) -> None:
    wheels = sorted(p.name for p in (bundle / "wheels").glob("*.whl"))
    assert any(w.startswith(f"ceremony-{__version__}-") for w in wheels)
    requirements = (bundle / "requirements.txt").read_text()
    pins = re.findall(r"^(\S+)==(\S+) \\\n    --hash=sha256:([0-9a-f]{64})$", requirements, re.M)
    assert len(pins) == len(wheels)
    for wheel, (name, version, digest) in zip(wheels, sorted(pins), strict=True):
        assert wheel.startswith(f"{name}-{version}-")
        assert hashlib.sha256((bundle / "wheels" / wheel).read_bytes()).hexdigest() == digest
    names = {re.sub(r"[-_.]+", "-", n).lower() for n, _, _ in pins}
    assert {"tuf", "securesystemslib", "cryptography", "pynacl", "textual", "qrcode"} <= names
    assert "hatchling" not in names  # a build tool, not something the installed tool runs
    sums = (bundle / "SHA256SUMS").read_text().splitlines()
    listed = {line.split("  ", 1)[1] for line in sums}
    on_disk = {str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file()}
    assert listed == on_disk - {"SHA256SUMS"}


@pytest.mark.slow
def test_installs_offline_into_a_new_environment(bundle: Path, tmp_path: Path) -> None:
    env = isolated_env(tmp_path, PYTHON=base_python())
    venv = tmp_path / "venv"
    result = run(["sh", str(bundle / "install.sh"), str(venv)], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"ceremony {__version__}"
    version = run([str(venv / "bin" / "ceremony"), "--version"], env, tmp_path)
    assert version.stdout.strip() == f"ceremony {__version__}"
    # The new environment runs its own copy, not this checkout.
    where = run(
        [str(venv / "bin" / "python"), "-c", "import ceremony; print(ceremony.__file__)"],
        env,
        tmp_path,
    )
    assert where.stdout.strip().startswith(str(venv))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("resum", "refusal"),
    [
        # A copy damaged on the medium: the bundle's own checksums catch it first.
        pytest.param(False, "FAILED", id="checksums"),
        # A wheel swapped together with SHA256SUMS: pip's --require-hashes still refuses it.
        pytest.param(True, "DO NOT MATCH THE HASHES", id="pinned hashes"),
    ],
)
def test_a_changed_wheel_is_refused(
    bundle: Path, tmp_path: Path, resum: bool, refusal: str
) -> None:
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(bundle), str(copy)], check=True)
    wheel = next((copy / "wheels").glob("qrcode-*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    if resum:
        sums = [line.split("  ", 1)[1] for line in (copy / "SHA256SUMS").read_text().splitlines()]
        lines = [f"{hashlib.sha256((copy / n).read_bytes()).hexdigest()}  {n}\n" for n in sums]
        (copy / "SHA256SUMS").write_text("".join(lines))
    env = isolated_env(tmp_path, PYTHON=base_python())
    venv = tmp_path / "venv"
    result = run(["sh", str(copy / "install.sh"), str(venv)], env, tmp_path)
    assert result.returncode != 0
    assert refusal in result.stdout + result.stderr
    assert not (venv / "bin" / "ceremony").exists()
