"""Two independent TUF clients behind one interface: python-tuf's ngclient and tuf-js.

Each client is bootstrapped with a trusted root, refreshes from a repository served on
127.0.0.1, looks one target path up (walking delegations), downloads the target if it is
listed, and reports a `ClientOutcome`: accepted or refused (with the client's own error), the
trusted root version, and the version of every role in its verified metadata cache.

tuf-js runs as `js/client.mjs`, a Node script with the tuf-conformance client protocol
(`init`, `refresh`, plus `lookup` and `download`), through `subprocess` without a shell.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib import parse

import urllib3
from tuf.api.exceptions import DownloadError, DownloadHTTPError, RepositoryError
from tuf.api.metadata import TargetFile
from tuf.ngclient import Updater
from tuf.ngclient.fetcher import FetcherInterface

JS_DIR = Path(__file__).resolve().parent / "js"
CLIENT_SCRIPT = JS_DIR / "client.mjs"
MIN_NODE = (20, 17)
CLIENT_TIMEOUT_SECONDS = 60
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class HarnessError(RuntimeError):
    """The harness itself failed (bad arguments, timeout, crash): not a client's verdict."""


class ToolMissingError(RuntimeError):
    """Node or the pinned tuf-js is not installed."""


@dataclass(frozen=True)
class TargetSummary:
    path: str
    length: int
    sha256: str


@dataclass(frozen=True)
class ClientOutcome:
    """What one client made of a repository."""

    client: str
    accepted: bool
    error: str | None = None
    root_version: int | None = None
    cached_roles: Mapping[str, int] = field(default_factory=dict)
    target: TargetSummary | None = None
    downloaded: bytes | None = None

    def describe(self) -> str:
        verdict = "accepted" if self.accepted else f"refused ({self.error})"
        cached = sorted(self.cached_roles.items())
        roles = ", ".join(f"{name} v{version}" for name, version in cached)
        target = self.target.path if self.target else "no target"
        return f"{self.client}: {verdict}; cache: [{roles}]; {target}"


class TufClient(Protocol):
    name: str

    def run(
        self, metadata_url: str, targets_url: str, initial_root: Path, target_path: str, work: Path
    ) -> ClientOutcome: ...


def require_loopback(url: str) -> None:
    """Tests never touch the network: every URL a client gets must be on this machine."""
    host = parse.urlsplit(url).hostname
    if host not in _LOOPBACK_HOSTS:
        raise HarnessError(f"refusing non-loopback URL {url}")


def read_cache(metadata_dir: Path) -> dict[str, int]:
    """Role name -> version of each metadata file a client cached as DIR/<role>.json."""
    roles: dict[str, int] = {}
    if not metadata_dir.is_dir():
        return roles
    for path in metadata_dir.glob("*.json"):
        signed = json.loads(path.read_bytes())["signed"]
        roles[parse.unquote(path.stem)] = int(signed["version"])
    return roles


def _summary(path: str, length: int, hashes: Mapping[str, str]) -> TargetSummary:
    return TargetSummary(path=path, length=length, sha256=hashes["sha256"])


class LoopbackFetcher(FetcherInterface):
    """ngclient fetcher that ignores proxy settings and only talks to 127.0.0.1."""

    def __init__(self, timeout_seconds: float = 10.0) -> None:
        self._pool = urllib3.PoolManager(timeout=urllib3.Timeout(timeout_seconds), retries=False)

    def _fetch(self, url: str) -> Iterator[bytes]:
        require_loopback(url)
        response = self._pool.request("GET", url, preload_content=False)
        if response.status >= 400:
            response.release_conn()
            raise DownloadHTTPError(f"HTTP {response.status} for {url}", response.status)
        return self._chunks(response)

    @staticmethod
    def _chunks(response: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
        try:
            yield from response.stream(64 * 1024)
        finally:
            response.release_conn()


class PythonTufClient:
    """python-tuf's ngclient, in process."""

    name = "python-tuf"

    def run(
        self, metadata_url: str, targets_url: str, initial_root: Path, target_path: str, work: Path
    ) -> ClientOutcome:
        require_loopback(metadata_url)
        require_loopback(targets_url)
        metadata_dir, target_dir = work / "metadata", work / "targets"
        metadata_dir.mkdir(parents=True)
        target_dir.mkdir()
        target: TargetFile | None = None
        try:
            updater = Updater(
                str(metadata_dir),
                metadata_url,
                str(target_dir),
                targets_url,
                fetcher=LoopbackFetcher(),
                bootstrap=initial_root.read_bytes(),
            )
            updater.refresh()
            target = updater.get_targetinfo(target_path)
            downloaded = None
            if target is not None:
                downloaded = Path(updater.download_target(target)).read_bytes()
        except (RepositoryError, DownloadError) as e:
            return ClientOutcome(
                client=self.name,
                accepted=False,
                error=f"{type(e).__name__}: {e}",
                cached_roles=read_cache(metadata_dir),
            )
        cache = read_cache(metadata_dir)
        return ClientOutcome(
            client=self.name,
            accepted=True,
            root_version=cache.get("root"),
            cached_roles=cache,
            target=_summary(target.path, target.length, target.hashes) if target else None,
            downloaded=downloaded,
        )


@dataclass(frozen=True)
class TufJsRuntime:
    """A usable Node and the pinned tuf-js under js/node_modules."""

    node: Path
    node_version: str
    tufjs_version: str


def find_tufjs() -> TufJsRuntime:
    """Find `node` and the tuf-js pinned in js/package.json, or raise ToolMissingError."""
    hint = "install Node >= 20.17 and run scripts/install-test-deps"
    # scripts/install-test-deps puts a private Node 20 here when the system's is missing or
    # too old (Debian 12 ships Node 18).
    private = sorted((JS_DIR / ".node" / "node_modules").glob("node-linux-*/bin/node"))
    node = str(private[0]) if private else shutil.which("node")
    if node is None:
        raise ToolMissingError(f"node is not on PATH; {hint}")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    match = re.fullmatch(r"v(\d+)\.(\d+)\.\d+", version)
    if match is None or (int(match.group(1)), int(match.group(2))) < MIN_NODE:
        raise ToolMissingError(f"node {version or '?'} is too old for tuf-js; {hint}")
    pinned = json.loads((JS_DIR / "package.json").read_bytes())["dependencies"]["tuf-js"]
    installed_manifest = JS_DIR / "node_modules" / "tuf-js" / "package.json"
    if not installed_manifest.is_file():
        raise ToolMissingError(f"tuf-js is not installed in {JS_DIR}; {hint}")
    installed = json.loads(installed_manifest.read_bytes())["version"]
    if installed != pinned:
        raise ToolMissingError(f"tuf-js {installed} is installed, {pinned} is pinned; {hint}")
    return TufJsRuntime(node=Path(node), node_version=version, tufjs_version=installed)


class TufJsClient:
    """tuf-js through js/client.mjs, one process per protocol command."""

    name = "tuf-js"

    def __init__(self, runtime: TufJsRuntime) -> None:
        self._runtime = runtime

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run client.mjs; exit 0 or 1 is a verdict, anything else is a harness failure."""
        argv = [str(self._runtime.node), str(CLIENT_SCRIPT), *args]
        try:
            done = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                timeout=CLIENT_TIMEOUT_SECONDS,
                check=False,
                cwd=JS_DIR,
            )
        except subprocess.TimeoutExpired as e:
            raise HarnessError(f"tuf-js client timed out: {argv}") from e
        if done.returncode not in (0, 1):
            raise HarnessError(
                f"tuf-js client exited {done.returncode}: {argv}\n{done.stderr.strip()}"
            )
        return done

    def run(
        self, metadata_url: str, targets_url: str, initial_root: Path, target_path: str, work: Path
    ) -> ClientOutcome:
        require_loopback(metadata_url)
        require_loopback(targets_url)
        metadata_dir, target_dir = work / "metadata", work / "targets"
        common = ["--metadata-dir", str(metadata_dir), "--metadata-url", metadata_url]
        for step in (
            ["--metadata-dir", str(metadata_dir), "init", str(initial_root)],
            [*common, "refresh"],
        ):
            done = self.command(*step)
            if done.returncode != 0:
                return self._refused(done, metadata_dir)
        done = self.command(*common, "lookup", "--target-name", target_path)
        if done.returncode != 0:
            return self._refused(done, metadata_dir)
        found: Any = json.loads(done.stdout)
        target: TargetSummary | None = None
        downloaded: bytes | None = None
        if found is not None:
            target = _summary(found["path"], found["length"], found["hashes"])
            done = self.command(
                *common,
                "download",
                "--target-name",
                target_path,
                "--target-base-url",
                targets_url,
                "--target-dir",
                str(target_dir),
            )
            if done.returncode != 0:
                return self._refused(done, metadata_dir)
            downloaded = Path(json.loads(done.stdout)["file"]).read_bytes()
        cache = read_cache(metadata_dir)
        return ClientOutcome(
            client=self.name,
            accepted=True,
            root_version=cache.get("root"),
            cached_roles=cache,
            target=target,
            downloaded=downloaded,
        )

    def _refused(self, done: subprocess.CompletedProcess[str], metadata_dir: Path) -> ClientOutcome:
        lines = done.stderr.strip().splitlines()
        return ClientOutcome(
            client=self.name,
            accepted=False,
            error=lines[-1] if lines else f"exit {done.returncode} without a message",
            cached_roles=read_cache(metadata_dir),
        )
