"""N projects under the offline `claimed` role, side by side with python-tuf itself.

    .venv/bin/python scripts/bench_scale.py [N] [--keep DIR] [--json]

Builds N projects with one ed25519 key each (a JSON project list and N public key files),
then on a rehearsal workspace (the practice ceremony of `ceremony rehearse`, key files only):

- import:  `ceremony delegate WS import-projects LIST --delegator claimed`
- review:  `ceremony review WS claimed` (a summary), `review --raw` (the complete JSON)
- status:  `ceremony status WS` (a summary), `status --json` (complete)
- sign:    `ceremony sign WS --keyholder alice ...` (one Argon2id key file opening)
- export:  `ceremony export WS OUT`
- verify:  `ceremony verify OUT`

and the python-tuf floor on the same input in the same run:

- build:   read the same list and key files, add N `DelegatedRole`s to claimed, bump the
           version, sign with one ed25519 key, write;
- load:    read it back (`Metadata.from_file`) and verify its signature;
- argon2:  open alice's key file (the Argon2id derivation a signing turn pays once).

Every step runs in its own process, so each one's peak RSS (from wait4) is its own. The script
prints each step's time, its ratio to the floor and its peak RSS, and the targets of
docs/performance.md. `--json` prints the figures as JSON instead (the test suite runs a small
N that way).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_N = 100_000
SUMMARY_LINES = 120
"""`review` and `status` print a summary, never one line per project (the review's ten
delegations and ten keys take two or three lines each, cut to 80 columns)."""

# The floor's two steps and the key file opening, run by this script in a child process.
_FLOOR_BUILD = """
import json, sys
from pathlib import Path
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import DelegatedRole, Delegations, Metadata
from tuf.api.serialization.json import JSONSerializer

listing, trusted, signing_key, out = (Path(a) for a in sys.argv[1:5])
projects = json.loads(listing.read_bytes())
md = Metadata.from_file(str(trusted))
delegations = md.signed.delegations
if delegations is None:
    delegations = md.signed.delegations = Delegations(keys={}, roles={})
for project in projects:
    keyids = []
    for name in project["keys"]:
        data = json.loads((listing.parent / name).read_bytes())
        keyid = data.pop("keyid")
        delegations.keys[keyid] = SSlibKey.from_dict(keyid, data)
        keyids.append(keyid)
    delegations.roles[project["project"]] = DelegatedRole(
        project["project"], keyids, project["threshold"], project.get("terminating", False),
        paths=project["paths"],
    )
md.signed.version += 1
md.signatures.clear()
private = load_pem_private_key(signing_key.read_bytes(), None)
md.sign(CryptoSigner(private))
md.to_file(str(out), JSONSerializer(compact=False))
"""

_FLOOR_LOAD = """
import sys
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata

md = Metadata.from_file(sys.argv[1])
with open(sys.argv[2], "rb") as f:
    key = CryptoSigner(load_pem_private_key(f.read(), None)).public_key
key.verify_signature(md.signatures[key.keyid], md.signed_bytes)
"""

_ARGON2 = """
import sys
from pathlib import Path
from ceremony.keys.keyfile import decrypt_key_file
path = Path(sys.argv[1])
decrypt_key_file(path.read_bytes(), sys.stdin.readline().rstrip("\\n"), str(path))
"""


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    peak_rss_mib: float
    lines: int = 0
    exit_status: int = 0
    cpu_seconds: float = 0.0  # user + system: what the step costs when others share the CPU


def run(
    name: str, argv: list[str], *, stdin: str = "", cwd: Path | None = None, check: bool = True
) -> Step:
    """Run `argv` as a child process; its wall time and its own peak RSS (wait4).

    A failure stops the benchmark unless `check` is false (then the exit status is reported).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=out, stderr=err, cwd=cwd or REPO
        )
        assert child.stdin is not None
        child.stdin.write(stdin.encode())
        child.stdin.close()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output = out.read()
        if child.returncode != 0 and check:
            sys.stderr.write(err.read().decode(errors="replace")[-4000:])
            raise SystemExit(f"{name} failed with exit status {child.returncode}")
    # ru_maxrss is in KiB on Linux.
    cpu = usage.ru_utime + usage.ru_stime
    return Step(name, seconds, usage.ru_maxrss / 1024, output.count(b"\n"), child.returncode, cpu)


def ceremony(name: str, *args: str, stdin: str = "", check: bool = True) -> Step:
    return run(name, [sys.executable, "-m", "ceremony", *args], stdin=stdin, check=check)


def python(name: str, code: str, *args: str, stdin: str = "") -> Step:
    return run(name, [sys.executable, "-c", code, *args], stdin=stdin)


@dataclass(frozen=True)
class Prepared:
    workspace: Path
    listing: Path
    trusted_claimed: Path
    floor_key: Path
    alice_key: Path
    alice_passphrase: str


def _public_key_file(key: ed25519.Ed25519PrivateKey) -> bytes:
    # The public key file format of `ceremony keygen` (docs/keyfile-format.md).
    from securesystemslib.signer import SSlibKey

    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    ssl_key = SSlibKey.from_crypto(key.public_key())
    assert ssl_key.keyval["public"] == public
    return json.dumps({"keyid": ssl_key.keyid, **ssl_key.to_dict()}).encode()


def prepare(base: Path, n: int) -> Prepared:
    """A rehearsal workspace whose initial ceremony is exported, and N projects to import."""
    sys.path.insert(0, str(REPO))
    from ceremony.flows.rehearse import practice_passphrase, rehearse

    now = datetime.now(UTC).replace(microsecond=0)
    rehearsal = rehearse(base / "rehearsal", now, lambda _line: None, use_softhsm=False)
    projects_dir = base / "projects"
    (projects_dir / "keys").mkdir(parents=True)
    listing = []
    for i in range(n):
        name = f"project-{i:06d}"
        key_file = f"keys/{name}.pub.json"
        key = ed25519.Ed25519PrivateKey.generate()
        (projects_dir / key_file).write_bytes(_public_key_file(key))
        listing.append(
            {
                "project": name,
                "paths": [f"claimed/{name}/*"],
                "keys": [key_file],
                "threshold": 1,
                "terminating": True,
            }
        )
    (projects_dir / "projects.json").write_text(json.dumps(listing, indent=1))
    floor_key = base / "floor" / "signing.pem"
    floor_key.parent.mkdir()
    floor_key.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    assert rehearsal.base == base / "rehearsal"
    assert practice_passphrase("alice") == ALICE_PASSPHRASE
    return _layout(base)


ALICE_PASSPHRASE = "practice-alice"  # noqa: S105 (a practice passphrase that protects nothing)


def _layout(base: Path) -> Prepared:
    workspace = base / "rehearsal" / "workspace"
    return Prepared(
        workspace,
        base / "projects" / "projects.json",
        workspace / "metadata" / "1.claimed.json",
        base / "floor" / "signing.pem",
        base / "rehearsal" / "usb-alice" / "alice.key",
        ALICE_PASSPHRASE,
    )


def _prepared(base: Path, n: int) -> Prepared:
    """`prepare` in a child process: the rehearsal's Argon2id key derivations would otherwise
    stay in this process's memory, and every child started from it would count them in its
    peak RSS."""
    subprocess.run(
        [sys.executable, __file__, str(n), "--prepare-only", str(base)], check=True, cwd=REPO
    )
    return _layout(base)


def measure(base: Path, n: int) -> dict[str, Step]:
    p = _prepared(base, n)
    ws = str(p.workspace)
    floor_out = base / "floor" / "2.claimed.json"
    steps = [
        python("floor build", _FLOOR_BUILD, str(p.listing), str(p.trusted_claimed),
               str(p.floor_key), str(floor_out)),
        python("floor load", _FLOOR_LOAD, str(floor_out), str(p.floor_key)),
        python("argon2 opening", _ARGON2, str(p.alice_key), stdin=p.alice_passphrase + "\n"),
        ceremony("import", "delegate", ws, "import-projects", str(p.listing),
                 "--delegator", "claimed"),
        ceremony("review", "review", ws, "claimed"),
        ceremony("review --raw", "review", ws, "claimed", "--raw"),
        ceremony("status", "status", ws),
        ceremony("status --json", "status", ws, "--json"),
        ceremony("sign", "sign", ws, "--keyholder", "alice", "--key", f"keyfile:{p.alice_key}",
                 "--role", "claimed", "--secret-stdin", stdin=p.alice_passphrase + "\n"),
        ceremony("export", "export", ws, str(base / "export")),
        ceremony("verify", "verify", str(base / "export")),
    ]  # fmt: skip
    return {s.name: s for s in steps}


def figures(n: int, steps: dict[str, Step]) -> dict[str, Any]:
    """The ratios the targets are about (docs/performance.md)."""
    build = steps["floor build"].seconds
    load = steps["floor load"].seconds
    argon = steps["argon2 opening"].seconds
    floor_rss = max(steps["floor build"].peak_rss_mib, steps["floor load"].peak_rss_mib)
    ours = [s for s in steps.values() if not s.name.startswith(("floor", "argon2"))]
    sign_export = steps["sign"].seconds + steps["export"].seconds

    def cpu(name: str) -> float:
        return max(steps[name].cpu_seconds, 1e-9)

    return {
        "n": n,
        "steps": {
            s.name: {
                "seconds": s.seconds,
                "cpu_seconds": s.cpu_seconds,
                "peak_rss_mib": s.peak_rss_mib,
                "lines": s.lines,
                "exit_status": s.exit_status,
            }
            for s in steps.values()
        },
        "ratios": {
            "import / floor build": steps["import"].seconds / build,
            "sign + export / (floor build + argon2)": sign_export / (build + argon),
            "verify / floor load": steps["verify"].seconds / load,
            "peak RSS / floor peak RSS": max(s.peak_rss_mib for s in ours) / floor_rss,
        },
        "cpu ratios": {
            "import / floor build": steps["import"].cpu_seconds / cpu("floor build"),
            "sign + export / (floor build + argon2)": (
                steps["sign"].cpu_seconds + steps["export"].cpu_seconds
            )
            / (cpu("floor build") + cpu("argon2 opening")),
            "verify / floor load": steps["verify"].cpu_seconds / cpu("floor load"),
        },
        "targets": {
            "import / floor build": 3.0,
            "sign + export / (floor build + argon2)": 1.5,
            "verify / floor load": 1.5,
            "peak RSS / floor peak RSS": 1.5,
        },
    }


def report(result: dict[str, Any]) -> list[str]:
    steps = result["steps"]
    build = steps["floor build"]["seconds"]
    load = steps["floor load"]["seconds"]
    lines = [f"N = {result['n']} projects under claimed", ""]
    lines.append(
        f"{'step':<16} {'seconds':>9} {'cpu s':>7} {'x floor':>8} {'peak RSS MiB':>13} {'lines':>7}"
    )
    for name, s in steps.items():
        floor = load if name == "verify" else build
        ratio = "" if name.startswith(("floor", "argon2")) else f"{s['seconds'] / floor:8.2f}"
        status = f"  (exit status {s['exit_status']})" if s["exit_status"] else ""
        lines.append(
            f"{name:<16} {s['seconds']:9.2f} {s['cpu_seconds']:7.2f} {ratio:>8} "
            f"{s['peak_rss_mib']:13.0f} "
            f"{s['lines']:7d}{status}"
        )
    lines.append("")
    for name, value in result["ratios"].items():
        target = result["targets"][name]
        verdict = "ok" if value <= target else "ABOVE TARGET"
        lines.append(f"{name:<40} {value:6.2f}  (target <= {target}: {verdict})")
    lines.append("")
    lines.append("the same ratios in CPU time (user + system), steadier when the CPU is shared:")
    for name, value in result["cpu ratios"].items():
        lines.append(f"{name:<40} {value:6.2f}")
    for name in ("review", "status"):
        count = steps[name]["lines"]
        verdict = "ok" if count <= SUMMARY_LINES else "TOO LONG"
        lines.append(f"{name + ' prints':<40} {count:6d} lines ({verdict})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=DEFAULT_N, help="number of projects")
    parser.add_argument("--keep", type=Path, help="keep the workspaces in this new directory")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--prepare-only", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare_only is not None:
        prepare(args.prepare_only, args.n)
        return 0
    base = args.keep or Path(tempfile.mkdtemp(prefix="ceremony-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        result = figures(args.n, measure(base, args.n))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("\n".join(report(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
