"""What RSTUF reads from an RSTUF plan's ceremony: the payload, its key fields, the online signer.

The ceremony runs through the command line (init, two signatures, export `--format rstuf`)
with the fixed keys of tests/flows/test_online_targets.py. The payload is then checked as RSTUF
reads it: its API's rules (`rstuf_shape_problems`), python-tuf verifying root, keyids as RSTUF's
CLI computes them, and the steps of RSTUF's worker that find the online signer, restated below
from repository-service-tuf-worker at 58e91757171f91d864c8d3933e21d0e4be069fc5 (the same code
in every release since v0.17.0b1): `signer.py` `FileNameSigner` and `SignerStore.get`, and
`repository.py` `bootstrap` -> `_bootstrap_finalize` -> `_bootstrap_online_roles`, which takes
timestamp's first key as the online key and signs targets, snapshot and timestamp with
`SignerStore.get(online_key)`. A root whose online key lacks `x-rstuf-online-key-uri`, as this
tool wrote them before, fails there with `KeyError(<online keyid>)`.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from securesystemslib.signer import (
    SIGNER_FOR_URI_SCHEME,
    CryptoSigner,
    Key,
    SecretsHandler,
    Signer,
    SSlibKey,
)
from tuf.api.metadata import Metadata, Root, Snapshot, Targets, Timestamp

from ceremony.flows.initial import init_workspace
from ceremony.flows.keygen import public_key_file_bytes
from ceremony.model.rstuf import RstufSettings, bootstrap_payload
from tests.conftest import NOW, tree_digest
from tests.flows.test_online_targets import (
    PLAN,
    Room,
    fixed_private_key,
    fixed_signer,
    make_room,
    ok,
    run,
    sign,
)
from tests.model.test_rstuf import hand_keyid, rstuf_keyid, rstuf_shape_problems
from tests.tools import flowing

URI_FILE = "rstuf-online.pem"
RSTUF_PLAN = PLAN.replace(
    'name = "example"\n', 'name = "example"\nonline_service = "rstuf"\n'
).replace(
    'key = "keys/online.key.pub.json"\n',
    f'key = "keys/online.key.pub.json"\nuri = "fn:{URI_FILE}"\n',
)
DEFAULT_URI_PLAN = PLAN.replace(
    'name = "example"\n', 'name = "example"\nonline_service = "rstuf"\n'
)
BARE_PLAN = PLAN.replace('name = "example"\n', 'name = "example"\nbare_keys = true\n')
NAMES = ("alice", "bob", "carol", "online")


# RSTUF's worker, the part that finds the online signer ----------------------------------------

RSTUF_ONLINE_KEY_URI_FIELD = "x-rstuf-online-key-uri"


class FileNameSigner(CryptoSigner):
    """The worker's `FileNameSigner`: `fn:NAME` is the unencrypted PEM ONLINE_KEY_DIR/NAME."""

    SCHEME = "fn"
    DIR_VAR = "ONLINE_KEY_DIR"

    @classmethod
    def from_priv_key_uri(
        cls,
        priv_key_uri: str,
        public_key: Key,
        secrets_handler: SecretsHandler | None = None,
    ) -> FileNameSigner:
        _, _, file_name = priv_key_uri.partition(":")
        if not file_name:
            raise ValueError(f"bad uri: expected '{cls.SCHEME}:<file name>', 'got {priv_key_uri}'")
        dir_ = os.environ[cls.DIR_VAR]
        with open(Path(dir_, file_name), "rb") as f:  # noqa: PTH123 (the worker's code)
            private_pem = f.read()
        private_key = load_pem_private_key(private_pem, None)
        return cls(private_key, public_key)  # type: ignore[arg-type]


class SignerStore:
    """The worker's `SignerStore.get`, without its ambient settings."""

    def __init__(self) -> None:
        self._signers: dict[str, Signer] = {}

    def get(self, key: Key) -> Signer:
        if key.keyid not in self._signers:  # noqa: SIM102 (the worker's code, as it is)
            if uri := key.unrecognized_fields.get(RSTUF_ONLINE_KEY_URI_FIELD):
                signer = Signer.from_priv_key_uri(uri, key)
                self._signers[key.keyid] = signer
        return self._signers[key.keyid]


def worker_bootstrap(payload: dict[str, Any]) -> dict[str, Metadata[Any]]:
    """The worker's bootstrap up to the online roles it signs, each verified under root."""
    root: Metadata[Root] = Metadata.from_dict(copy.deepcopy(payload["metadata"]["root"]))
    assert root.signatures, "Metadata requires at least one valid signature"
    root.signed.verify_delegate("root", root.signed_bytes, root.signatures)  # threshold met
    # _bootstrap_finalize: "All roles except root share the same one key".
    keyid = root.signed.roles["timestamp"].keyids[0]
    key_dict = root.signed.keys[keyid].to_dict()
    key_dict["keyid"] = keyid  # the `ONLINE_KEY` setting, read back by `_online_key`
    online_key = Key.from_dict(key_dict.pop("keyid"), key_dict)
    store = SignerStore()
    online: dict[str, Metadata[Any]] = {
        "targets": Metadata(Targets()),
        "snapshot": Metadata(Snapshot()),
        "timestamp": Metadata(Timestamp()),
    }
    for role, md in online.items():
        md.sign(store.get(online_key))  # `_sign`
        root.signed.verify_delegate(role, md.signed_bytes, md.signatures)
    return online


@pytest.fixture
def online_key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ONLINE_KEY_DIR with the online private key as the worker's file signer reads it."""
    directory = tmp_path / "online-key-dir"
    directory.mkdir()
    monkeypatch.setenv(FileNameSigner.DIR_VAR, str(directory))
    monkeypatch.setitem(SIGNER_FOR_URI_SCHEME, FileNameSigner.SCHEME, FileNameSigner)
    return directory


def write_online_key(directory: Path, name: str) -> None:
    """The online private key as RSTUF's setup guide has it: unencrypted PKCS#8 PEM."""
    pem = fixed_private_key("online").private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    (directory / name).write_bytes(pem)


# The ceremony ----------------------------------------------------------------------------------


def ceremony(
    base: Path,
    plan: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Room, str]:
    """init (its output returned), alice and bob sign root v1."""
    room = make_room(base, plan, key_files=("alice", "bob"))
    printed = ok(["init", str(room.workspace), "--plan", str(room.plan)], capsys, monkeypatch)
    sign(room, "alice", capsys, monkeypatch)
    sign(room, "bob", capsys, monkeypatch)
    return room, printed


def payload_of(room: Room, name: str = "ceremony-payload.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((room.out / "rstuf" / name).read_text())
    return data


def test_the_payload_of_an_rstuf_plan_is_what_rstufs_worker_bootstraps_from(
    tmp_path: Path,
    online_key_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    room, printed = ceremony(tmp_path, RSTUF_PLAN, capsys, monkeypatch)
    assert "note:" not in printed  # the plan names the signer
    exported = ok(
        ["export", str(room.workspace), str(room.out), "--format", "rstuf"], capsys, monkeypatch
    )
    assert "RSTUF: " not in exported  # no warning: every key is named
    payload = payload_of(room)
    assert rstuf_shape_problems(payload, "bootstrap") == []

    keys = payload["metadata"]["root"]["signed"]["keys"]
    keyids = {name: fixed_signer(name).public_key.keyid for name in NAMES}
    assert set(keys) == set(keyids.values())
    for name, keyid in keyids.items():
        fields = {k: v for k, v in keys[keyid].items() if k not in ("keytype", "scheme", "keyval")}
        expected = {"x-rstuf-key-name": name}
        if name == "online":
            expected["x-rstuf-online-key-uri"] = f"fn:{URI_FILE}"
        assert fields == expected
        # RSTUF's keyids: securesystemslib's default over keytype, scheme and keyval, as its
        # CLI computes it for a key file, and by hand.
        key = SSlibKey.from_dict(keyid, copy.deepcopy(keys[keyid]))
        assert keyid == rstuf_keyid(key) == hand_keyid(key)

    root = Metadata[Root].from_dict(copy.deepcopy(payload["metadata"]["root"]))
    root.signed.verify_delegate("root", root.signed_bytes, root.signatures)
    assert payload["metadata"]["root"] == json.loads(
        (room.out / "metadata/1.root.json").read_text()
    )

    write_online_key(online_key_dir, URI_FILE)
    signed = worker_bootstrap(payload)
    assert set(signed) == {"targets", "snapshot", "timestamp"}


def test_without_a_uri_the_online_key_gets_rstufs_file_signer_and_a_note_says_so(
    tmp_path: Path,
    online_key_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    online = fixed_signer("online").public_key.keyid
    room, printed = ceremony(tmp_path, DEFAULT_URI_PLAN, capsys, monkeypatch)
    note = (
        f"note: online key online: no signer URI given, so root tells RSTUF's worker to sign "
        f"with fn:{online} (its file signer: the file {online} in ONLINE_KEY_DIR); for a KMS "
        "or Vault key, give [online_keys.online] uri in the plan"
    )
    lines = printed.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("note:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("  "))
    assert flowing(" ".join(lines[start:end])) == note
    assert all(len(line) <= 80 for line in lines[start:end])
    review = ok(["review", str(room.workspace)], capsys, monkeypatch)
    assert (
        f"note: online key online: RSTUF's worker signs with fn:{online} "
        f"(x-rstuf-online-key-uri), the default: its file signer, the file {online} in "
        "ONLINE_KEY_DIR"
    ) in flowing(review)

    ok(["export", str(room.workspace), str(room.out), "--format", "rstuf"], capsys, monkeypatch)
    payload = payload_of(room)
    key = payload["metadata"]["root"]["signed"]["keys"][online]
    assert key["x-rstuf-online-key-uri"] == f"fn:{online}"
    write_online_key(online_key_dir, online)  # RSTUF's setup: the key file named by keyid
    worker_bootstrap(payload)


def test_a_plan_without_rstuf_settings_still_exports_a_payload_rstufs_worker_bootstraps(
    tmp_path: Path,
    online_key_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The plan of tests/flows/test_online_targets.py, which names neither online_service nor
    # a uri: its payload was the one RSTUF's worker refused with KeyError(<online keyid>).
    room, _ = ceremony(tmp_path, PLAN, capsys, monkeypatch)
    ok(["export", str(room.workspace), str(room.out), "--format", "rstuf"], capsys, monkeypatch)
    write_online_key(online_key_dir, fixed_signer("online").public_key.keyid)
    assert set(worker_bootstrap(payload_of(room))) == {"targets", "snapshot", "timestamp"}


def test_a_root_without_the_signer_uri_fails_in_rstufs_worker_with_its_keyerror(
    tmp_path: Path, online_key_dir: Path
) -> None:
    # The payload this tool wrote before roots carried the field: the same root, bare.
    room = make_room(tmp_path, BARE_PLAN)
    init_workspace(room.plan, room.workspace, NOW)
    md = Metadata[Root].from_file(str(room.workspace / "staged" / "root.json"))
    for name in ("alice", "bob"):
        md.sign(fixed_signer(name), append=True)
    payload = bootstrap_payload(md, RstufSettings(365, 60, 7, 1))
    assert rstuf_shape_problems(payload, "bootstrap") == []  # RSTUF's API takes it
    write_online_key(online_key_dir, fixed_signer("online").public_key.keyid)
    online = fixed_signer("online").public_key.keyid
    with pytest.raises(KeyError) as info:
        worker_bootstrap(payload)
    assert info.value.args == (online,)


def test_bare_keys_carry_no_custom_field_and_rstuf_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room, printed = ceremony(tmp_path, BARE_PLAN, capsys, monkeypatch)
    assert "note:" not in printed
    staged = json.loads((room.workspace / "staged" / "root.json").read_text())
    assert all(
        set(key) == {"keytype", "scheme", "keyval"} for key in staged["signed"]["keys"].values()
    )

    before = tree_digest(tmp_path)
    code, out, err = run(
        ["export", str(room.workspace), str(room.out), "--format", "rstuf"], capsys, monkeypatch
    )
    assert code == 1
    assert out == ""
    error, hint = err.splitlines()
    assert error == (
        "ceremony: error: the plan keeps key objects bare ([repository] bare_keys = true), but "
        "RSTUF's worker finds the online signer in the online key's 'x-rstuf-online-key-uri'"
    )
    assert hint.startswith("ceremony: hint: export without --format rstuf")
    assert tree_digest(tmp_path) == before

    ok(["export", str(room.workspace), str(room.out)], capsys, monkeypatch)
    for path in (room.out / "metadata").glob("*.json"):
        signed = json.loads(path.read_text())["signed"]
        assert all(set(k) == {"keytype", "scheme", "keyval"} for k in signed["keys"].values())


def test_the_next_root_goes_to_rstuf_in_update_payload_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room, _ = ceremony(tmp_path, RSTUF_PLAN, capsys, monkeypatch)
    ok(
        ["export", str(room.workspace), str(tmp_path / "v1"), "--format", "rstuf"],
        capsys,
        monkeypatch,
    )
    ok(
        ["root", str(room.workspace), "set-expiry", "root", "--expires-in", "400"],
        capsys,
        monkeypatch,
    )
    sign(room, "alice", capsys, monkeypatch)
    sign(room, "bob", capsys, monkeypatch)
    ok(["export", str(room.workspace), str(room.out), "--format", "rstuf"], capsys, monkeypatch)
    # `rstuf admin metadata update` writes update-payload.json; `send update` takes it.
    assert sorted(p.name for p in (room.out / "rstuf").iterdir()) == ["update-payload.json"]
    payload = payload_of(room, "update-payload.json")
    assert rstuf_shape_problems(payload, "update") == []  # nothing RSTUF's API would drop
    # The worker's `_verify_new_root_signing`: root v2 is signed by root v1 and by itself.
    first = Metadata[Root].from_file(str(tmp_path / "v1" / "metadata" / "1.root.json"))
    second = Metadata[Root].from_dict(copy.deepcopy(payload["metadata"]["root"]))
    assert second.signed.version == first.signed.version + 1
    first.verify_delegate("root", second)
    second.verify_delegate("root", second)


def test_a_replacement_for_a_revoked_key_gets_the_fields_rstuf_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room, _ = ceremony(tmp_path, DEFAULT_URI_PLAN, capsys, monkeypatch)
    ok(
        ["export", str(room.workspace), str(tmp_path / "v1"), "--format", "rstuf"],
        capsys,
        monkeypatch,
    )
    new_online = tmp_path / "online-2.pub.json"
    online_key = fixed_signer("online-2").public_key
    new_online.write_bytes(public_key_file_bytes(online_key))
    new_carol = tmp_path / "carol-2.pub.json"
    carol_key = fixed_signer("carol-2").public_key
    new_carol.write_bytes(public_key_file_bytes(carol_key))
    workspace = str(room.workspace)
    out = ok(
        ["revoke", workspace, "--online-role", "timestamp", "--replacement", str(new_online)],
        capsys,
        monkeypatch,
    )
    assert f"sign with fn:{online_key.keyid}" in flowing(out)
    ok(
        ["revoke", workspace, "--keyholder", "carol", "--replacement", str(new_carol)],
        capsys,
        monkeypatch,
    )
    sign(room, "alice", capsys, monkeypatch)
    sign(room, "bob", capsys, monkeypatch)
    # Before, the replacement had no signer URI and `--format rstuf` refused this root.
    ok(["export", workspace, str(room.out), "--format", "rstuf"], capsys, monkeypatch)
    keys = payload_of(room, "update-payload.json")["metadata"]["root"]["signed"]["keys"]
    assert keys[online_key.keyid]["x-rstuf-online-key-uri"] == f"fn:{online_key.keyid}"
    assert keys[online_key.keyid]["x-rstuf-key-name"] == "online"
    assert keys[carol_key.keyid]["x-rstuf-key-name"] == "carol"
    assert "x-rstuf-online-key-uri" not in keys[carol_key.keyid]
    # RSTUF's CLI computes keyids before adding its fields: still the default keyids.
    assert rstuf_keyid(Key.from_dict(online_key.keyid, keys[online_key.keyid])) == (
        online_key.keyid
    )
