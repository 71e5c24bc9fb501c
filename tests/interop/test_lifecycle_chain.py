"""A root's life through the command line, every step checked as clients check it.

One workspace goes through the lifecycle of issue 4, each step ending in an export to a new
directory:

1. v1: the initial ceremony (root 2 of alice, bob, carol; targets 2 of alice, bob; `claimed`
   1 of alice, bob);
2. re-sign only: root, targets and claimed N+1 with a new expiry;
3. keyholder dave added to root and root's threshold raised from 2 to 3;
4. carol's key revoked as compromised, with a replacement key (carol's stolen key offers its
   signature, through `sign` and through `merge`: refused, and not in the export);
5. snapshot and timestamp move to a new online key, signed across machines (`request`,
   `sign-request` by bob, carol and dave, `merge`);
6. claimed is signed by dave instead of bob;
7. hash bins (TAP 15) nested under a new offline role `bins`.

After every step the export must satisfy `ceremony verify`, and python-tuf's ngclient and
tuf-js, each bootstrapped with `1.root.json`, must follow every root rotation up to the
newest root and look a path up under `claimed`, verifying targets and claimed. The online side
(tests/interop/online.py) signs snapshot and timestamp with the online key root lists at that
step. The commands run in process (`ceremony.cli.main`) with secrets on stdin; the chain is
built once for the module, since every signing turn opens an Argon2id key file.

Then the negative cases this chain is the natural place for: after the online key rotation
the old key's snapshot and timestamp are refused, after the delegation change bob's key no
longer signs claimed, and root N+2 after N is refused by the tool (review, sign, export) and,
in a hand-made repository, by `ceremony verify` and both clients. Root rotations signed only by
old or only by new keys are covered in tests/flows/test_revoke.py and
tests/interop/test_clients.py.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner, Signer
from tuf.api.metadata import Metadata, Root, SuccinctRoles, Targets
from tuf.api.serialization.json import JSONSerializer

from ceremony.cli import main
from ceremony.keys.keyfile import decrypt_key_file
from ceremony.model.detached import DetachedSignature, signatures_text
from ceremony.model.fingerprint import payload_fingerprint
from ceremony.model.publickeys import parse_public_key_file
from tests.conftest import TestKey
from tests.interop.clients import TufJsRuntime
from tests.interop.harness import InteropResult, run_both_clients
from tests.interop.online import Artifact, write_sha256sums
from tests.lifecycle_helpers import write_plan
from tests.tools import flowing

pytestmark = [pytest.mark.interop, pytest.mark.slow]

TARGET = "claimed/example-1.0.tar.gz"
BINS_BIT_LENGTH = 2
CAROL_NEW_PASSPHRASE = "carol's 2027 device passphrase"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


class Cli:
    """`ceremony ARGS` in this process, with `stdin` as standard input."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch

    def __call__(self, *args: str | Path, stdin: str = "", status: int = 0) -> Run:
        argv = [str(a) for a in args]
        self._monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
        run = Run(code, out.getvalue(), err.getvalue())
        assert code == status, (
            f"ceremony {' '.join(argv)} exited {code}, not {status}\n{run.out}\n{run.err}"
        )
        return run


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    export: Path
    online: Signer  # the online key that root lists for snapshot and timestamp
    root_version: int
    roles: dict[str, int]  # the newest version of each offline targets-type role


@dataclass
class Chain:
    base: Path
    workspace: Path
    keyring: dict[str, TestKey]
    carol_new: TestKey
    online_new: CryptoSigner
    bins: CryptoSigner
    steps: list[Step] = field(default_factory=list)
    output: dict[str, Run] = field(default_factory=dict)  # noteworthy command outputs
    _signers: dict[str, Signer] = field(default_factory=dict)

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)

    def signer(self, name: str) -> Signer:
        """A keyholder's current key, opened from its key file (slow: Argon2id)."""
        if name not in self._signers:
            key = self.carol_new if name == "carol-new" else self.keyring[name]
            data = key.path.read_bytes()
            self._signers[name] = decrypt_key_file(data, key.passphrase, str(key.path))
        return self._signers[name]


def pem_signer(directory: Path, name: str) -> tuple[CryptoSigner, Path]:
    """An online key: the online side holds the private key, the ceremony gets the PEM."""
    private = Ed25519PrivateKey.generate()
    pem = directory / f"{name}.pub.pem"
    pem.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return CryptoSigner(private), pem


def newest_roles(metadata: Path) -> dict[str, int]:
    roles: dict[str, int] = {}
    for path in metadata.glob("*.*.json"):
        version, role = path.name.removesuffix(".json").split(".", 1)
        if role != "root":
            roles[role] = max(int(version), roles.get(role, 0))
    return roles


def load(export: Path, name: str) -> Metadata[Any]:
    return Metadata.from_file(str(export / "metadata" / name))


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey]) -> Chain:
    base = tmp_path_factory.mktemp("lifecycle-chain")
    plan = write_plan(base / "plan", keyring)
    ws = base / "ws"
    (base / "keys").mkdir()
    online_new, online_new_pem = pem_signer(base / "keys", "online-2027")
    bins, bins_pem = pem_signer(base / "keys", "bins")
    carol_new_path = base / "usb" / "carol-2027.key"
    carol_new_path.parent.mkdir()

    with pytest.MonkeyPatch.context() as monkeypatch:
        cli = Cli(monkeypatch)
        cli("keygen", "keyfile", carol_new_path, "--passphrase-stdin",
            stdin=f"{CAROL_NEW_PASSPHRASE}\n")  # fmt: skip
        carol_pub = carol_new_path.with_name("carol-2027.key.pub.json")
        carol_key = parse_public_key_file(carol_pub.read_bytes(), str(carol_pub))
        carol_new = TestKey("carol", carol_new_path, carol_pub, CAROL_NEW_PASSPHRASE, carol_key)
        chain = Chain(base, ws, keyring, carol_new, online_new, bins)
        alice, bob, dave = keyring["alice"], keyring["bob"], keyring["dave"]

        def sign(key: TestKey, *roles: str) -> None:
            role_args = [a for role in roles for a in ("--role", role)]
            cli(
                "sign", ws, "--keyholder", key.name, "--key", key.uri, "--secret-stdin",
                *role_args, stdin=f"{key.passphrase}\n",
            )  # fmt: skip

        def export(name: str, online: Signer) -> Run:
            number = len(chain.steps) + 1
            out = base / f"export-{number}-{name}"
            run = cli("export", ws, out)
            metadata = out / "metadata"
            root_version = json.loads((metadata / "root.json").read_bytes())["signed"]["version"]
            chain.steps.append(
                Step(number, name, out, online, root_version, newest_roles(metadata))
            )
            return run

        # 1. The initial ceremony.
        cli("init", ws, "--plan", plan)
        online_v1 = decrypt_key_file(
            keyring["online"].path.read_bytes(), keyring["online"].passphrase, "online"
        )
        sign(alice)
        sign(bob)
        export("initial", online_v1)

        # 2. Re-sign only.
        cli("resign", ws, "root", "targets", "claimed")
        sign(alice)
        sign(bob)
        export("resign", online_v1)

        # 3. dave joins root, and root needs 3 signatures instead of 2.
        cli("root", ws, "add-keyholder", "dave", "--public-key", keyring["dave"].pub_path)
        cli("root", ws, "set-threshold", "root", "3")
        chain.output["review-3"] = cli("review", ws)
        sign(alice)
        sign(bob)
        sign(dave)
        export("add-dave", online_v1)

        # 4. carol's key is stolen: revoked, with her new key in its place.
        chain.output["revoke"] = cli(
            "revoke", ws, "--keyholder", "carol", "--replacement", carol_pub
        )
        carol_old = keyring["carol"]
        for how, extra in (("stolen-sign", ()), ("stolen-sign-old", ("--old-key",))):
            chain.output[how] = cli(
                "sign", ws, "--keyholder", "carol", "--key", carol_old.uri, "--secret-stdin",
                *extra, stdin=f"{carol_old.passphrase}\n", status=1,
            )  # fmt: skip
        staged = Metadata[Root].from_file(str(ws / "staged" / "root.json"))
        thief = decrypt_key_file(carol_old.path.read_bytes(), carol_old.passphrase, "stolen")
        stolen = DetachedSignature(
            "carol",
            carol_old.key.keyid,
            "root",
            staged.signed.version,
            payload_fingerprint(staged.signed_bytes).digest_hex,
            thief.sign(staged.signed_bytes).signature,
        )
        stolen_file = base / "stolen.sigs"
        stolen_file.write_bytes(signatures_text([stolen]))
        chain.output["stolen-merge"] = cli("merge", ws, stolen_file, status=1)
        sign(alice)
        sign(bob)
        sign(dave)
        sign(carol_new)  # for the new root
        export("revoke-carol", online_v1)

        # 5. A new online key, signed on other machines.
        cli("root", ws, "set-online-key", "snapshot", "--public-key", online_new_pem,
            "--name", "online-2027")  # fmt: skip
        cli("root", ws, "set-online-key", "timestamp", "--public-key", online_new_pem)
        here, there = base / "machine-a" / "req.json", base / "machine-b" / "req.json"
        here.parent.mkdir()
        there.parent.mkdir()
        cli("request", ws, here)
        shutil.copy(here, there)
        sigs = []
        for key in (bob, carol_new, dave):
            out = there.parent / f"{key.name}.sigs"
            cli(
                "sign-request", there, "--keyholder", key.name, "--key", key.uri, "--out", out,
                "--secret-stdin", stdin=f"{key.passphrase}\n",
            )  # fmt: skip
            sigs.append(out)
        chain.output["merge"] = cli("merge", ws, *reversed(sigs))
        chain.output["export-5"] = export("online-key", online_new)

        # 6. claimed: dave signs instead of bob.
        cli("delegate", ws, "update", "claimed", "--signers", "alice,dave")
        sign(dave)
        sign(alice, "targets")
        sign(bob)
        export("claimed-signer", online_new)

        # 7. Hash bins under a new offline role, the bins themselves signed online.
        cli(
            "delegate", ws, "hash-bins", "--online-key", bins_pem,
            "--bit-length", str(BINS_BIT_LENGTH), "--name-prefix", "bin", "--under", "bins",
            "--signers", "alice,bob", "--threshold", "1",
        )  # fmt: skip
        sign(alice)
        sign(bob)
        export("hash-bins", online_new)
    return chain


STEPS = (
    # name, root version, newest targets, claimed, bins
    ("initial", 1, 1, 1, None),
    ("resign", 2, 2, 2, None),
    ("add-dave", 3, 2, 2, None),
    ("revoke-carol", 4, 2, 2, None),
    ("online-key", 5, 2, 2, None),
    ("claimed-signer", 5, 3, 3, None),
    ("hash-bins", 5, 4, 3, 1),
)


def check_clients(result: InteropResult, step: Step) -> None:
    """Both clients trust the step's newest root, reached from v1 one version at a time."""
    result.require_accepted(root_version=step.root_version, roles={"targets", "claimed"})
    for version in range(2, step.root_version + 2):
        assert f"/metadata/{version}.root.json" in result.requests
    for outcome in result.outcomes:
        assert outcome.cached_roles["targets"] == step.roles["targets"], outcome.describe()
        assert outcome.cached_roles["claimed"] == step.roles["claimed"], outcome.describe()


@pytest.mark.parametrize(
    ("name", "root_version", "targets", "claimed", "bins"),
    [pytest.param(*s, id=f"{n}-{s[0]}") for n, s in enumerate(STEPS, start=1)],
)
def test_every_step_verified_and_followed_by_both_clients(
    chain: Chain,
    tufjs: TufJsRuntime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    root_version: int,
    targets: int,
    claimed: int,
    bins: int | None,
) -> None:
    step = chain.step(name)
    assert step.root_version == root_version
    expected = {"targets": targets, "claimed": claimed} | ({"bins": bins} if bins else {})
    assert step.roles == expected

    # Every root of the previous export is still here, byte for byte, with the new ones.
    metadata = step.export / "metadata"
    assert sorted(p.name for p in metadata.glob("*.root.json")) == sorted(
        f"{v}.root.json" for v in range(1, root_version + 1)
    )
    if step.number > 1:
        previous = chain.steps[step.number - 2].export / "metadata"
        for old in previous.glob("*.root.json"):
            if old.name != "root.json":
                assert (metadata / old.name).read_bytes() == old.read_bytes(), old.name

    verified = Cli(monkeypatch)("verify", step.export)
    assert verified.out.splitlines()[-1].startswith("ok: "), verified.out

    result = run_both_clients(
        step.export,
        step.online,
        TARGET,
        tufjs=tufjs,
        work_dir=tmp_path / "w",
        bins_signer=chain.bins if bins else None,
    )
    check_clients(result, step)
    # claimed is terminating: a path under it never reaches the bins.
    assert not any(r.startswith("/metadata/1.bin") for r in result.requests)


@pytest.mark.parametrize("name", [s[0] for s in STEPS])
def test_every_export_of_the_chain_passes_the_audit(
    chain: Chain, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Revocation, merged signatures, new online keys, delegation changes, hash bins: each
    bundle agrees with itself, and each file of the chain is found in the transcript."""
    step = chain.step(name)
    audited = Cli(monkeypatch)("audit", step.export, "--json")
    report = json.loads(audited.out)
    assert report["ok"], [f["message"] for f in report["findings"]]
    codes = {f["code"] for f in report["findings"] if f["severity"] != "note"}
    assert codes <= {"not-reviewed", "targets-online"}, report["findings"]
    assert "before-transcript" not in {f["code"] for f in report["findings"]}
    signers = [s for f in report["files"] for t in f["thresholds"] for s in t["signed_by"]]
    assert signers
    assert all(s["device"] and s["line"] for s in signers)


def test_resign_changes_only_version_and_expiry(chain: Chain) -> None:
    before, after = chain.step("initial").export, chain.step("resign").export
    for role in ("root", "targets", "claimed"):
        old = load(before, f"1.{role}.json").signed.to_dict()
        new = load(after, f"2.{role}.json").signed.to_dict()
        assert new["version"] == 2
        assert new["expires"] > old["expires"]
        for changed in ("version", "expires"):
            del old[changed], new[changed]
        assert new == old, role


def test_dave_joins_root_and_the_threshold_is_raised(chain: Chain) -> None:
    export, keys = chain.step("add-dave").export, chain.keyring
    root = load(export, "3.root.json")
    role = root.signed.roles["root"]
    assert role.threshold == 3
    assert set(role.keyids) == {keys[n].key.keyid for n in ("alice", "bob", "carol", "dave")}
    assert set(root.signatures) == {keys[n].key.keyid for n in ("alice", "bob", "dave")}
    assert (
        "root role root: threshold 2, 3 keys → threshold 3, 4 keys" in chain.output["review-3"].out
    )


def test_the_stolen_key_is_refused_and_never_counted(chain: Chain) -> None:
    stolen = chain.keyring["carol"].key.keyid
    # The output's lines are cut at 80 columns: read it as running text.
    revoked = flowing(chain.output["revoke"].out)
    assert f"carol's key {stolen} is marked compromised" in revoked
    assert "without carol (compromised)" in revoked
    assert "verdict: possible; the fewest keyholders who can do it together: alice, bob, dave" in (
        revoked
    )
    # As carol's current key (it is not any more), and as her old key for root v3's threshold.
    assert "carol.key holds key" in chain.output["stolen-sign"].err
    assert (
        f"carol's replaced key {stolen} is marked compromised and can never sign again"
        in chain.output["stolen-sign-old"].err
    )
    assert (
        f"carol's key {stolen} is marked compromised; its signature for root v4 is never accepted"
        in chain.output["stolen-merge"].err
    )
    export = chain.step("revoke-carol").export
    root = load(export, "4.root.json")
    assert stolen not in root.signed.keys
    assert chain.carol_new.key.keyid in root.signed.roles["root"].keyids
    # Root v3 still lists the stolen key; the tool never let it count towards v3's threshold.
    assert stolen not in root.signatures
    assert load(export, "3.root.json").signed.roles["root"].keyids.count(stolen) == 1
    signed_by = {chain.keyring[n].key.keyid for n in ("alice", "bob", "dave")}
    assert set(root.signatures) == signed_by | {chain.carol_new.key.keyid}


def test_online_key_rotated_through_detached_signatures(
    chain: Chain, tufjs: TufJsRuntime, tmp_path: Path
) -> None:
    step = chain.step("online-key")
    root = load(step.export, "5.root.json")
    new = chain.online_new.public_key.keyid
    assert root.signed.roles["snapshot"].keyids == [new]
    assert root.signed.roles["timestamp"].keyids == [new]
    # Signed only on the other machine: bob, carol's new key and dave, no alice.
    keys = chain.keyring
    assert set(root.signatures) == {
        keys["bob"].key.keyid,
        chain.carol_new.key.keyid,
        keys["dave"].key.keyid,
    }
    merged = chain.output["merge"].out.splitlines()
    for name in ("bob", "carol", "dave"):
        assert f"merged: {name}: root v5; signature verified" in merged
    sets = [line.strip() for line in merged if line.strip().startswith(("old root", "new root"))]
    assert [line.split(":")[0] for line in sets] == ["old root v4", "new root v5"]
    assert all(line.endswith("3 of 3 signatures: met") for line in sets), sets
    assert "must now sign new snapshot and timestamp" in chain.output["export-5"].out

    # The online side still signing with the old key: both clients refuse.
    old = chain.step("revoke-carol").online
    result = run_both_clients(
        step.export, old, TARGET, tufjs=tufjs, work_dir=tmp_path / "w", check_online_key=False
    )
    result.require_refused(r"timestamp was signed by 0/1 keys")


def test_claimed_is_signed_by_its_new_signer(
    chain: Chain, tufjs: TufJsRuntime, tmp_path: Path
) -> None:
    step = chain.step("claimed-signer")
    keys = chain.keyring
    targets = load(step.export, "3.targets.json").signed
    assert isinstance(targets, Targets)
    assert targets.delegations is not None
    delegation = targets.delegations.roles
    assert delegation is not None
    assert set(delegation["claimed"].keyids) == {keys["alice"].key.keyid, keys["dave"].key.keyid}
    assert set(load(step.export, "3.claimed.json").signatures) == {keys["dave"].key.keyid}

    data = b"example 1.0, released by dave\n"
    published = Artifact(TARGET, data, "claimed", [chain.signer("dave")])
    result = run_both_clients(
        step.export, step.online, TARGET, tufjs=tufjs, artifact=published, work_dir=tmp_path / "d"
    )
    result.require_accepted(root_version=5, roles={"claimed"}, target=data)

    # bob signed claimed until this step; his signature no longer counts.
    by_bob = Artifact(TARGET, data, "claimed", [chain.signer("bob")])
    result = run_both_clients(
        step.export, step.online, TARGET, tufjs=tufjs, artifact=by_bob, work_dir=tmp_path / "b"
    )
    result.require_refused(r"claimed was signed by 0/1 keys")


def test_hash_bins_are_walked_to_an_online_signed_bin(
    chain: Chain, tufjs: TufJsRuntime, tmp_path: Path
) -> None:
    step = chain.step("hash-bins")
    bins = load(step.export, "1.bins.json").signed
    assert isinstance(bins, Targets)
    assert bins.delegations is not None
    succinct = bins.delegations.succinct_roles
    assert isinstance(succinct, SuccinctRoles)
    assert succinct.bit_length == BINS_BIT_LENGTH
    assert succinct.keyids == [chain.bins.public_key.keyid]

    path = "packages/example-2.0.tar.gz"  # not under claimed/: only the bins delegate it
    data = b"example 2.0\n"
    in_bin = succinct.get_role_for_target(path)
    artifact = Artifact(path, data, in_bin, [chain.bins])
    result = run_both_clients(
        step.export,
        step.online,
        path,
        tufjs=tufjs,
        artifact=artifact,
        work_dir=tmp_path / "w",
        bins_signer=chain.bins,
    )
    result.require_accepted(root_version=5, roles={"targets", "bins", in_bin}, target=data)


# Root N+2 after N.


def _gap_root(chain: Chain, *, signed: bool = True) -> Metadata[Root]:
    """Root v7 after v5, signed by a threshold of v5's keys and of its own: only the version
    is wrong."""
    final = chain.steps[-1].export
    md = Metadata[Root].from_file(str(final / "metadata" / "5.root.json"))
    md.signed.version = 7
    md.signed.expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=365)
    md.signatures.clear()
    if signed:
        for name in ("alice", "bob", "dave"):
            md.sign(chain.signer(name), append=True)
    return md


def test_root_n_plus_2_is_refused_by_the_tool(
    chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(monkeypatch)
    ws = tmp_path / "ws"
    shutil.copytree(chain.workspace, ws)
    # The commands only ever stage N+1: root v6 here. A hand-edited file makes it v7.
    assert "staged root v6" in cli("resign", ws, "root").out
    staged = ws / "staged" / "root.json"
    serializer = JSONSerializer(compact=False)
    staged.write_bytes(_gap_root(chain, signed=False).to_bytes(serializer))
    message = "version 7 must be 6: one more than the trusted version 5 (spec 5.3.5)"

    assert message in cli("review", ws).out
    alice = chain.keyring["alice"]
    refused = cli(
        "sign", ws, "--keyholder", "alice", "--key", alice.uri, "--secret-stdin", stdin="", status=1
    )
    assert f"root v7 must not be signed: {message}" in refused.err

    # Signed outside the tool by the keys both thresholds need: export still refuses it.
    staged.write_bytes(_gap_root(chain).to_bytes(serializer))
    refused = cli("export", ws, tmp_path / "out", status=1)
    assert message in refused.err
    assert not (tmp_path / "out").exists()


def test_root_version_gap_refused_by_verify_and_both_clients(
    chain: Chain, tufjs: TufJsRuntime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    md = _gap_root(chain)
    previous = load(chain.steps[-1].export, "5.root.json").signed
    assert isinstance(previous, Root)
    # Its signatures meet root v5's threshold and its own: only the version is wrong.
    previous.verify_delegate(Root.type, md.signed_bytes, md.signatures)
    md.signed.verify_delegate(Root.type, md.signed_bytes, md.signatures)

    export = tmp_path / "export"
    shutil.copytree(chain.steps[-1].export, export)
    data = md.to_bytes(JSONSerializer(compact=False))
    # Served where clients look for the next root, which must be version 6.
    (export / "metadata" / "6.root.json").write_bytes(data)
    (export / "metadata" / "root.json").write_bytes(data)
    write_sha256sums(export)

    cli = Cli(monkeypatch)
    refused = cli("verify", export, status=1)
    assert "error: 6.root.json: the file name says version 6 but signed.version is 7" in (
        refused.err.splitlines()
    )

    result = run_both_clients(
        export,
        chain.steps[-1].online,
        TARGET,
        tufjs=tufjs,
        work_dir=tmp_path / "w",
        bins_signer=chain.bins,
    )
    result.require_refused(r"[Ee]xpected (root )?version 6,? (instead )?got (version )?7")
    assert all(o.cached_roles.get("root") == 5 for o in result.outcomes)

    # Under its own version's name, with 6 missing, the chain is broken for `ceremony verify`
    # (clients would stop at v5, never fetching 7.root.json).
    (export / "metadata" / "6.root.json").rename(export / "metadata" / "7.root.json")
    write_sha256sums(export)
    refused = cli("verify", export, status=1)
    assert "root version 6 is missing" in refused.err
