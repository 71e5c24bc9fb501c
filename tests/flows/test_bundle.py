"""The export bundle: golden structure, QR codes that decode, a record that renders, RSTUF.

Keys here are derived from fixed seeds and the clock is fixed, so a whole ceremony (init, two
signatures, export, bundle) gives the same bytes every run: ed25519 signatures are
deterministic and the PNG encoder writes no timestamps. The golden files under
tests/golden/bundle/ are regenerated with `UPDATE_GOLDEN=1 pytest tests/flows/test_bundle.py`;
review the diff before committing it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
from datetime import timedelta
from functools import partial
from pathlib import Path
from unittest import mock

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.cli import main
from ceremony.errors import ExportError
from ceremony.flows import clock
from ceremony.flows.bundle import check_rstuf_export, write_bundle
from ceremony.flows.calendar import policy_bytes
from ceremony.flows.export import ExportResult, export
from ceremony.flows.initial import init_workspace, json_bytes
from ceremony.flows.keygen import public_key_file_bytes
from ceremony.flows.state import load_state
from ceremony.flows.transcript import Recorder
from ceremony.flows.transcript import final_hash as transcript_final_hash
from ceremony.model.calendar import Policy, RolePeriod
from ceremony.model.keyfields import KeyFields, root_key
from ceremony.model.metadata_io import metadata_bytes
from ceremony.model.roster import Roster, RosterKey
from ceremony.model.transcript import TranscriptError
from ceremony.store.workspace import create_workspace
from tests.conftest import BASE_PLAN, NAMES, NOW, tree_digest
from tests.tools import flowing, tool_or_skip

GOLDEN = Path(__file__).parent.parent / "golden" / "bundle"
TOOL_VERSION = "0.0.0+golden"  # fixed, so a release does not change the golden files
CEREMONY_ID = "c0ffee" * 5 + "00"
# The flows record the ceremony in the transcript: with a fixed clock and id, the same bytes.
fixed_recorder = partial(Recorder, clock=lambda: NOW, new_id=lambda: CEREMONY_ID)


# Deterministic keys and ceremonies ---------------------------------------------------------------


def exported(result: ExportResult) -> tuple[dict[str, str], tuple[str, ...]]:
    """What `write_bundle` takes of an export: its files' digests and its notices."""
    return {f.path: f.sha256 for f in result.files}, result.notices


def fixed_signer(name: str) -> CryptoSigner:
    seed = hashlib.sha256(f"ceremony bundle test key {name}".encode()).digest()
    private = Ed25519PrivateKey.from_private_bytes(seed)
    return CryptoSigner(private, SSlibKey.from_crypto(private.public_key()))


def fixed_plan(directory: Path) -> Path:
    (directory / "keys").mkdir(parents=True)
    for name in NAMES:
        key = fixed_signer(name).public_key
        assert isinstance(key, SSlibKey)
        (directory / "keys" / f"{name}.key.pub.json").write_bytes(public_key_file_bytes(key))
    (directory / "plan.toml").write_text(BASE_PLAN)
    return directory / "plan.toml"


def sign_as(workspace: Path, *names: str) -> None:
    """Each named keyholder signs every staged role that expects their key."""
    state = load_state(workspace)
    for status in state.statuses():
        md = state.staged[status.role]
        for name in names:
            signer = fixed_signer(name)
            if status.expects(signer.public_key.keyid):
                md.sign(signer, append=True)
        state.workspace.write_staged(status.role, metadata_bytes(md))


def signed_workspace(tmp_path: Path) -> Path:
    """The base plan's first ceremony with fixed keys, signed by alice and bob."""
    workspace = tmp_path / "ws"
    init_workspace(fixed_plan(tmp_path / "plan"), workspace, NOW, recorder=fixed_recorder)
    sign_as(workspace, "alice", "bob")
    return workspace


def exported_bundle(tmp_path: Path) -> Path:
    # The transcript's first line names the tool version: fixed here too. It records the export
    # directory as given: relative, the same in every run.
    with mock.patch("ceremony.flows.transcript.__version__", TOOL_VERSION):
        workspace = signed_workspace(tmp_path)
    with contextlib.chdir(tmp_path):
        out = Path("out")
        result = export(workspace, out, NOW, bundle=False, recorder=fixed_recorder)
        write_bundle(workspace, out, *exported(result), NOW, tool_version=TOOL_VERSION)
    return tmp_path / "out"


def files_of(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def tree_listing(directory: Path) -> str:
    lines = []
    for name in files_of(directory):
        data = (directory / name).read_bytes()
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {len(data):>7}  {name}")
    return "\n".join(lines) + "\n"


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual)
    assert path.is_file(), f"no golden file {path}; run with UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text(), f"{name} differs from its golden file"


# Golden structure --------------------------------------------------------------------------------


def test_bundle_matches_the_golden_files(tmp_path: Path) -> None:
    out = exported_bundle(tmp_path)
    assert files_of(out) == [
        "SHA256SUMS",
        "manifest.json",
        "metadata/1.claimed.json",
        "metadata/1.root.json",
        "metadata/1.targets.json",
        "metadata/root.json",
        "qr/1.claimed.png",
        "qr/1.root.png",
        "qr/1.targets.png",
        "qr/manifest.png",
        "record.html",
        "record.md",
        "transcript.jsonl",
    ]
    check_golden("manifest.json", (out / "manifest.json").read_text())
    check_golden("record.md", (out / "record.md").read_text())
    check_golden("tree.txt", tree_listing(out))


def test_bundle_is_deterministic(tmp_path: Path) -> None:
    first = exported_bundle(tmp_path / "a")
    second = exported_bundle(tmp_path / "b")
    assert tree_digest(first) == tree_digest(second)


def test_manifest_lists_every_exported_file_and_who_signed(tmp_path: Path) -> None:
    out = exported_bundle(tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == {
        "SHA256SUMS",
        "metadata/1.claimed.json",
        "metadata/1.root.json",
        "metadata/1.targets.json",
        "metadata/root.json",
        "transcript.jsonl",
    }
    for path, entry in listed.items():
        data = (out / path).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    root = next(m for m in manifest["metadata"] if m["path"] == "metadata/1.root.json")
    assert [s["keyholder"] for s in root["signatures"][0]["signed_by"]] == ["alice", "bob"]
    assert [s["keyholder"] for s in root["signatures"][0]["not_signed_by"]] == ["carol"]
    assert root["signatures"][0]["threshold"] == 2
    md = Metadata[Root].from_bytes((out / "metadata/1.root.json").read_bytes())
    assert root["fingerprint"] == hashlib.sha256(md.signed_bytes).hexdigest()
    assert manifest["tool"] == {"name": "ceremony", "version": TOOL_VERSION}
    assert manifest["ceremony_id"] == CEREMONY_ID
    assert manifest["transcript"]["final_hash"] == transcript_final_hash(out)


# QR codes ----------------------------------------------------------------------------------------


def zbar_decode(zbarimg: str, image: Path) -> list[str]:
    """Every QR code zbarimg finds in `image`, as text (`--raw`: no type prefix)."""
    result = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode in (0, 4), result.stderr  # 4: no code found
    return [line for line in result.stdout.splitlines() if line]


def expected_qr_texts(out: Path) -> dict[str, str]:
    """What each QR image must carry, computed independently of the bundle code."""
    manifest_digest = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    expected = {"qr/manifest.png": manifest_digest.upper()}
    for path in sorted((out / "metadata").glob("[0-9]*.json")):
        md = Metadata.from_bytes(path.read_bytes())
        fingerprint = hashlib.sha256(md.signed_bytes).hexdigest()
        expected[f"qr/{path.name.removesuffix('.json')}.png"] = fingerprint.upper()
    return expected


def test_every_qr_png_decodes_to_its_digest(tmp_path: Path) -> None:
    zbarimg = tool_or_skip("zbarimg")
    out = exported_bundle(tmp_path)
    expected = expected_qr_texts(out)
    assert sorted(expected) == [f"qr/{name}" for name in files_of(out / "qr")]
    for name, text in expected.items():
        assert zbar_decode(zbarimg, out / name) == [text], name


# The printable record ----------------------------------------------------------------------------


def test_record_html_is_self_contained(tmp_path: Path) -> None:
    out = exported_bundle(tmp_path)
    page = (out / "record.html").read_text()
    assert "<script" not in page
    assert "<link" not in page
    assert "url(" not in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 4  # the manifest and three fingerprints
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert "http://" not in page
    assert "https://" not in page
    for participant in ("alice", "bob", "carol"):
        assert f"<td>{participant}</td><td>keyholder</td><td></td><td></td>" in page


def chromium_screenshot(html: Path, png: Path, profile: Path) -> None:
    chromium = tool_or_skip("chromium")
    # Flags from the machine notes: without the background-networking ones Chromium tries to
    # reach Google's hosts at start; a fresh profile keeps the run independent of others.
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--window-size=1000,5200",
            f"--screenshot={png}",
            html.as_uri(),
        ],
        capture_output=True,
        check=True,
        timeout=180,
    )


@pytest.mark.slow
def test_record_html_renders_with_its_qr_codes(tmp_path: Path) -> None:
    zbarimg = tool_or_skip("zbarimg")
    out = exported_bundle(tmp_path)
    screenshot = tmp_path / "record.png"
    chromium_screenshot(out / "record.html", screenshot, tmp_path / "profile")
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    # The rendered page itself carries every QR code, readable by a scanner: the images were
    # embedded, decoded by the browser and laid out large enough to scan.
    found = zbar_decode(zbarimg, screenshot)
    assert sorted(found) == sorted(expected_qr_texts(out).values())


# Refusals and the transcript ---------------------------------------------------------------------


def test_bundle_never_overwrites_and_writes_nothing_on_a_clash(tmp_path: Path) -> None:
    workspace = signed_workspace(tmp_path)
    out = tmp_path / "out"
    result = export(workspace, out, NOW, bundle=False)
    (out / "record.md").write_text("precious")
    before = tree_digest(out)
    with pytest.raises(ExportError, match="already exists"):
        write_bundle(workspace, out, *exported(result), NOW)
    assert tree_digest(out) == before


def test_bundle_refuses_metadata_changed_after_export(tmp_path: Path) -> None:
    workspace = signed_workspace(tmp_path)
    out = tmp_path / "out"
    result = export(workspace, out, NOW, bundle=False)
    target = out / "metadata/1.targets.json"
    target.write_bytes(target.read_bytes().replace(b'"version": 1', b'"version": 1 '))
    before = tree_digest(out)
    with pytest.raises(ExportError, match="changed after it was written"):
        write_bundle(workspace, out, *exported(result), NOW)
    assert tree_digest(out) == before


def test_transcript_is_copied_and_its_hashes_recorded(tmp_path: Path) -> None:
    workspace = signed_workspace(tmp_path)
    fixed_recorder(workspace).note("the witness checked the seals on both tokens")
    out = tmp_path / "out"
    result = export(workspace, out, NOW, bundle=False)
    transcript = (workspace / "transcript.jsonl").read_bytes()  # with the export's events
    write_bundle(workspace, out, *exported(result), NOW)
    assert (out / "transcript.jsonl").read_bytes() == transcript
    manifest = json.loads((out / "manifest.json").read_text())
    final = transcript_final_hash(workspace)
    assert final != "0" * 64
    assert manifest["transcript"] == {
        "path": "transcript.jsonl",
        "sha256": hashlib.sha256(transcript).hexdigest(),
        "final_hash": final,
    }
    assert manifest["ceremony_id"] == CEREMONY_ID  # the transcript names the ceremony
    assert "transcript.jsonl" in {f["path"] for f in manifest["files"]}
    assert final in (out / "record.md").read_text()


def test_a_damaged_transcript_is_not_vouched_for(tmp_path: Path) -> None:
    workspace = signed_workspace(tmp_path)
    out = tmp_path / "out"
    result = export(workspace, out, NOW, bundle=False)
    Recorder(workspace, clock=lambda: NOW).note("first")
    Recorder(workspace, clock=lambda: NOW).note("second")
    path = workspace / "transcript.jsonl"
    first = len(path.read_bytes().splitlines()) - 1  # the line of the note "first"
    path.write_bytes(path.read_bytes().replace(b"first", b"fir5t"))
    before = tree_digest(out)
    with pytest.raises(TranscriptError, match=f"line {first}:"):
        write_bundle(workspace, out, *exported(result), NOW)
    assert tree_digest(out) == before


# RSTUF -------------------------------------------------------------------------------------------


def test_rstuf_refuses_a_root_with_offline_targets_before_anything_is_written(
    tmp_path: Path,
) -> None:
    workspace = signed_workspace(tmp_path)
    before = tree_digest(workspace)
    with pytest.raises(ExportError, match="RSTUF signs targets with the online key") as info:
        check_rstuf_export(workspace)
    assert fixed_signer("alice").public_key.keyid in info.value.message
    assert "--format rstuf" in info.value.hint
    assert tree_digest(workspace) == before


RSTUF_FIELDS = KeyFields(rstuf_names=True)


def rstuf_root(
    version: int, signers: tuple[str, ...], fields: KeyFields = RSTUF_FIELDS
) -> Metadata[Root]:
    """A root as RSTUF runs it: root offline (2 of alice, bob, carol), the rest online; the
    key objects carry what an RSTUF plan gives them (`fields`)."""
    root = Root(version=version, expires=NOW + timedelta(days=365), consistent_snapshot=True)
    for name in ("alice", "bob", "carol"):
        key = fixed_signer(name).public_key
        assert isinstance(key, SSlibKey)
        root.add_key(root_key(key, name, fields, online=False), "root")
    online = fixed_signer("online").public_key
    assert isinstance(online, SSlibKey)
    for role in ("targets", "snapshot", "timestamp"):
        root.add_key(root_key(online, "online", fields, online=True), role)
    root.roles["root"].threshold = 2
    md = Metadata(root)
    for name in signers:
        md.sign(fixed_signer(name), append=True)
    return md


def rstuf_workspace(tmp_path: Path, roots: list[Metadata[Root]]) -> Path:
    """A workspace whose trusted history holds `roots` and a targets v1 signed online."""
    targets = Metadata(Targets(version=1, expires=NOW + timedelta(days=30)))
    targets.sign(fixed_signer("online"))
    keys = {name: fixed_signer(name).public_key for name in NAMES}
    roster = Roster(
        "example",
        keyholders={n: RosterKey(n, keys[n]) for n in ("alice", "bob", "carol")},
        online_keys={"online": RosterKey("online", keys["online"], online=True)},
    )
    policy = Policy(
        {
            "root": RolePeriod(365),
            "targets": RolePeriod(30),
            "snapshot": RolePeriod(7),
            "timestamp": RolePeriod(1),
        }
    )
    files = {
        "roster.json": json_bytes(roster.to_dict()),
        "policy.json": policy_bytes(policy),
        "metadata/1.targets.json": metadata_bytes(targets),
    }
    for md in roots:
        files[f"metadata/{md.signed.version}.root.json"] = metadata_bytes(md)
    workspace = tmp_path / "rstuf-ws"
    create_workspace(workspace, files)
    return workspace


def export_rstuf(tmp_path: Path, workspace: Path) -> Path:
    report = check_rstuf_export(workspace)
    assert report.ok
    out = tmp_path / "out"
    result = export(workspace, out, NOW, bundle=False)
    bundle = write_bundle(workspace, out, *exported(result), NOW, rstuf=True, rstuf_bins=16)
    assert bundle.rstuf_payloads
    return out


def test_rstuf_first_root_gets_the_bootstrap_payload(tmp_path: Path) -> None:
    root = rstuf_root(1, ("alice", "bob"))
    out = export_rstuf(tmp_path, rstuf_workspace(tmp_path, [root]))
    assert not (out / "rstuf/update-payload.json").exists()
    payload = json.loads((out / "rstuf/ceremony-payload.json").read_text())
    assert payload["settings"] == {
        "roles": {
            "root": {"expiration": 365},
            "targets": {"expiration": 30},
            "snapshot": {"expiration": 7},
            "timestamp": {"expiration": 1},
            "bins": {"expiration": 1, "number_of_delegated_bins": 16},
        }
    }
    exported = json.loads((out / "metadata/1.root.json").read_text())
    assert payload["metadata"] == {"root": exported}
    manifest = json.loads((out / "manifest.json").read_text())
    assert "rstuf/ceremony-payload.json" in {f["path"] for f in manifest["files"]}
    assert not any("RSTUF" in n for n in manifest["notices"])


def test_rstuf_root_without_key_names_gets_a_notice(tmp_path: Path) -> None:
    root = rstuf_root(1, ("alice", "bob"), KeyFields())
    out = export_rstuf(tmp_path, rstuf_workspace(tmp_path, [root]))
    manifest = json.loads((out / "manifest.json").read_text())
    assert any("carry no 'x-rstuf-key-name'" in n for n in manifest["notices"])


def test_rstuf_refuses_a_root_whose_online_key_names_no_signer(tmp_path: Path) -> None:
    # What the tool wrote before roots carried x-rstuf-online-key-uri: RSTUF's worker fails
    # its bootstrap with KeyError(online keyid) on it (tests/flows/test_rstuf_bootstrap.py).
    workspace = rstuf_workspace(tmp_path, [rstuf_root(1, ("alice", "bob"), KeyFields(bare=True))])
    before = tree_digest(tmp_path)
    with pytest.raises(ExportError, match="has no 'x-rstuf-online-key-uri'") as info:
        check_rstuf_export(workspace)
    assert "--uri" in info.value.hint
    with pytest.raises(ExportError, match="has no 'x-rstuf-online-key-uri'"):
        export(workspace, tmp_path / "out", NOW, rstuf=True)
    assert tree_digest(tmp_path) == before


def test_rstuf_later_root_gets_the_metadata_update_payload(tmp_path: Path) -> None:
    first = rstuf_root(1, ("alice", "bob"))
    second = rstuf_root(2, ("alice", "carol"))
    out = export_rstuf(tmp_path, rstuf_workspace(tmp_path, [first, second]))
    assert not (out / "rstuf/ceremony-payload.json").exists()
    payload = json.loads((out / "rstuf/update-payload.json").read_text())
    assert payload == {"metadata": {"root": json.loads((out / "metadata/2.root.json").read_text())}}


def test_without_rstuf_no_payload_is_written(tmp_path: Path) -> None:
    root = rstuf_root(1, ("alice", "bob"))
    workspace = rstuf_workspace(tmp_path, [root])
    out = tmp_path / "out"
    write_bundle(workspace, out, *exported(export(workspace, out, NOW, bundle=False)), NOW)
    assert not (out / "rstuf").exists()


# The export command writes the bundle ---------------------------------------------------------


def test_export_writes_the_bundle(tmp_path: Path) -> None:
    workspace = signed_workspace(tmp_path)
    out = tmp_path / "out"
    result = export(workspace, out, NOW)
    assert result.bundle is not None
    assert (out / "record.html").is_file()
    manifest_data = (out / "manifest.json").read_bytes()
    assert result.bundle.manifest_sha256 == hashlib.sha256(manifest_data).hexdigest()
    listed = {f["path"] for f in json.loads(manifest_data)["files"]}
    assert listed == {f.path for f in result.files} | {"transcript.jsonl"}
    assert result.bundle.rstuf_payloads == ()


def test_export_with_rstuf_refuses_before_promoting(tmp_path: Path) -> None:
    workspace = signed_workspace(tmp_path)
    before = tree_digest(workspace)
    with pytest.raises(ExportError, match="RSTUF signs targets"):
        export(workspace, tmp_path / "out", NOW, rstuf=True)
    assert tree_digest(workspace) == before
    assert not (tmp_path / "out").exists()


def test_cli_export_format_rstuf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)
    workspace = rstuf_workspace(tmp_path, [rstuf_root(1, ("alice", "bob"))])
    out = tmp_path / "out"
    code = main(["export", str(workspace), str(out), "--format", "rstuf"])
    assert code == 0
    printed = capsys.readouterr().out
    assert f"RSTUF payload: {out / 'rstuf/ceremony-payload.json'}" in flowing(printed)
    assert f"ceremony record: {out / 'record.html'}" in flowing(printed)
    assert (out / "rstuf/ceremony-payload.json").is_file()
