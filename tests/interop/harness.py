"""Does a ceremony export work with real TUF clients? Run python-tuf and tuf-js against it.

`run_both_clients()` takes an export directory (what `ceremony export` writes: the root
history `N.root.json`, `root.json`, `N.targets.json`, delegated `N.<role>.json` and
`SHA256SUMS`) and the signer of the online key that the ceremony listed in root for snapshot
and timestamp. It adds the online metadata (see `tests/interop/online.py`), serves the result
on 127.0.0.1, bootstraps each client with `1.root.json` (or `trusted_root_version`), refreshes,
and looks `target_path` up, walking the delegations. It never raises for a client's verdict:
it returns an `InteropResult`, and the test enforces what it expects.

Typical use, e.g. in an end-to-end test of the command line::

    from securesystemslib.signer import CryptoSigner
    from tests.interop.harness import run_both_clients

    @pytest.mark.interop
    def test_export_is_accepted(tmp_path: Path, tufjs: TufJsRuntime) -> None:
        online = CryptoSigner.generate_ed25519()  # its public key goes into the plan
        ...  # run `ceremony init/sign/export` with subprocess, into tmp_path / "out"
        result = run_both_clients(tmp_path / "out", online, "claimed/pkg.tar.gz", tufjs=tufjs)
        result.require_accepted(root_version=1, roles={"claimed"})

`tufjs` is the fixture from `tests/interop/conftest.py`: it skips the test when Node or the
pinned tuf-js is missing, and fails it instead when the environment has `CI=true`.
Negative cases use e.g. `result.require_refused(r"root was signed by 1/2 keys")`: both
clients must refuse, and each one's error message must match that pattern.

To publish a real artifact, pass `artifact=Artifact(path, data, role, signers)`: that role is
re-signed (version + 1) with test keys, and both clients must then download the same bytes
(`require_accepted(target=data)`).

An export that delegates to hash bins needs `bins_signer=`, the online key the ceremony listed
for them: every bin is published empty, signed by it (an artifact may go into a bin).

Delegated `paths` globs match one path segment per `*` (spec: a wildcard does not cross "/"),
so with `paths = ["claimed/*"]` look up `claimed/NAME`, not `claimed/a/b`.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from securesystemslib.signer import Signer

from tests.interop.clients import (
    ClientOutcome,
    PythonTufClient,
    TufClient,
    TufJsClient,
    TufJsRuntime,
    find_tufjs,
)
from tests.interop.online import Artifact, Repository, build_repository
from tests.interop.server import serve_directory


@dataclass(frozen=True)
class InteropResult:
    """Both clients' outcomes for one repository, plus what the server was asked for."""

    repository: Repository
    outcomes: tuple[ClientOutcome, ...]
    requests: tuple[str, ...]

    def outcome(self, client: str) -> ClientOutcome:
        return next(o for o in self.outcomes if o.client == client)

    def describe(self) -> str:
        return "\n".join(o.describe() for o in self.outcomes)

    def require_accepted(
        self,
        *,
        root_version: int | None = None,
        roles: Iterable[str] = (),
        target: bytes | None = None,
    ) -> None:
        """Every client accepted; each trusts `root_version`, cached `roles`, got `target`."""
        expected_root = root_version or self.repository.root_version
        wanted = set(roles)
        problems: list[str] = []
        for o in self.outcomes:
            if not o.accepted:
                problems.append(f"{o.client} refused: {o.error}")
                continue
            if o.root_version != expected_root:
                problems.append(f"{o.client} trusts root v{o.root_version}, not v{expected_root}")
            for role in sorted(wanted - set(o.cached_roles)):
                problems.append(f"{o.client} did not download and verify {role}")
            for role, version in o.cached_roles.items():
                served = self.repository.targets_roles.get(role)
                if served is not None and version != served:
                    problems.append(f"{o.client} cached {role} v{version}, served v{served}")
            if target is not None and o.downloaded != target:
                problems.append(f"{o.client} did not download the expected target bytes")
        if problems:
            raise AssertionError("\n".join([*problems, self.describe()]))

    def require_refused(self, reason: str) -> None:
        """Every client refused, and each error message matches the regular expression `reason`.

        Match the message, not an exception class: tuf-js wraps some errors in a RuntimeError
        whose text keeps only the inner message (e.g. "claimed was signed by 0/1 keys").
        """
        problems = [
            f"{o.client} accepted" if o.accepted else f"{o.client} refused for another reason"
            for o in self.outcomes
            if o.accepted or not re.search(reason, o.error or "")
        ]
        if problems:
            raise AssertionError("\n".join([*problems, f"expected: {reason}", self.describe()]))


def run_both_clients(
    export_dir: Path,
    online_signer: Signer,
    target_path: str,
    *,
    tufjs: TufJsRuntime | None = None,
    artifact: Artifact | None = None,
    trusted_root_version: int = 1,
    work_dir: Path | None = None,
    now: datetime | None = None,
    bins_signer: Signer | None = None,
    check_online_key: bool = True,
    target_files: Mapping[str, bytes] | None = None,
) -> InteropResult:
    """Serve the export (plus online metadata) and run python-tuf and tuf-js against it.

    `bins_signer`, `check_online_key` and `target_files` are passed on to
    `build_repository()`: the signer of the hash bins, if any, False to let a key the newest
    root does not list sign snapshot and timestamp (for negative tests), and target files the
    exported roles list already.
    Work files (the served repository, each client's cache) go to `work_dir` when given, which
    keeps them for inspection (pass pytest's `tmp_path`), else to a temporary directory.
    Raises `ToolMissingError` if `tufjs` is not given and cannot be found, `ExportLayoutError`
    if the export is malformed, and `HarnessError` if a client could not be run at all.
    """
    clients: tuple[TufClient, ...] = (PythonTufClient(), TufJsClient(tufjs or find_tufjs()))
    with ExitStack() as stack:
        if work_dir is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="interop-")))
        else:
            work = work_dir
            work.mkdir(parents=True, exist_ok=True)
        repository = build_repository(
            export_dir,
            work / "repo",
            online_signer,
            artifact=artifact,
            trusted_root_version=trusted_root_version,
            now=now,
            bins_signer=bins_signer,
            check_online_key=check_online_key,
            target_files=target_files,
        )
        served = stack.enter_context(serve_directory(repository.root))
        outcomes = tuple(
            client.run(
                f"{served.base_url}/metadata/",
                f"{served.base_url}/targets/",
                repository.initial_root,
                target_path,
                work / client.name,
            )
            for client in clients
        )
        return InteropResult(
            repository=repository, outcomes=outcomes, requests=tuple(served.requests)
        )
