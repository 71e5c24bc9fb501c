"""`ceremony adopt WORKSPACE --from DIR`: real repositories in, a workspace or a refusal out.

Sigstore's production root chain (tests/data/realworld/sigstore-root-signing, public keys
only) is adopted from the oldest root a client can start from, its keyholders named from
`x-tuf-on-ci-keyowner`; root v16 is staged and a signing request written. Bad input (a set
python-tuf refuses, a tampered file, keys without names, an existing workspace, a names file
that names the wrong keys) is one error and a hint, and nothing on disk.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from ceremony.cli import main
from ceremony.store import environment
from tests.realworld import REALWORLD

pytestmark = pytest.mark.filterwarnings("ignore:keytype 'ecdsa-sha2-nistp256':DeprecationWarning")

SIGSTORE = REALWORLD / "sigstore-root-signing" / "metadata"
SIGSTORE_AT = "2026-08-28T18:25:56Z"  # meta.json's reference_time: nothing final expired yet
ONLINE = "0c87432c3bf09fd99189fdc32fa5eaedf4e4a5fac7bab73fa04a2e0fc64af6f5"
NPM = "5e3a4021b11a425fd0a444f1670457ce5b15bbe036144f2417426f7f4b9721da"
KEYHOLDERS = {
    "lance": "183e64f37670dc13ca0d28995a3053f3740954ddce44321a41e46534cf44e632",
    "santiagotorres": "22f4caec6d8e6f9555af66b3d4c3cb06a3bb23fdc7e39c916c61f462e6f52b06",
    "bobcallaway": "61643838125b440b40db6942f5cb5a31c0dc04368316eb2aaa58b95904a58222",
    "joshuagl": "a687e5bf4fab82b0ee58d46e05c9535145a2c9afb458f43d42b45ca0fdce2a70",
    "mnm678": "e71a54d543835ba86adad9460379c7641fb8726d164ea766801a1c522aba7ea2",
}


@pytest.fixture(autouse=True)
def air_gapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine whose only network interface is loopback (the environment record, R0)."""
    (tmp_path / "sys-net" / "lo").mkdir(parents=True)
    (tmp_path / "sys-net" / "lo" / "operstate").write_text("unknown")
    (tmp_path / "sys-net" / "lo" / "flags").write_text("0x9")
    monkeypatch.setattr(environment, "SYS_NET", tmp_path / "sys-net")


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def names_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "names.toml"
    path.write_text(text, "utf-8")
    return path


def online_names(tmp_path: Path) -> Path:
    return names_file(tmp_path, f'[online_keys.online]\nkeyid = "{ONLINE}"\n')


def events(workspace: Path) -> list[dict[str, Any]]:
    lines = (workspace / "transcript.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def two_lines(err: str) -> tuple[str, str]:
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("ceremony: error: ")
    assert lines[1].startswith("ceremony: hint: ")
    return lines[0], lines[1]


@pytest.fixture
def sigstore_ws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str, str]:
    ws = tmp_path / "ws"
    code, out, err = run(
        ["adopt", str(ws), "--from", str(SIGSTORE), "--names", str(online_names(tmp_path))],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    return ws, out, err


def test_sigstore_is_adopted_from_the_oldest_root_a_client_can_start_from(
    sigstore_ws: tuple[Path, str, str],
) -> None:
    ws, out, _ = sigstore_ws
    assert "trusted root: 5.root.json (root v5); the chain to root v15 verifies" in out
    kept = sorted(p.name for p in (ws / "metadata").iterdir())
    assert kept == sorted([*(f"{v}.root.json" for v in range(5, 16)), "14.targets.json"])
    for name in kept:  # byte for byte as published
        assert (ws / "metadata" / name).read_bytes() == (SIGSTORE / name).read_bytes()
    roster = json.loads((ws / "roster.json").read_bytes())
    assert {n: e["key"]["keyid"] for n, e in roster["keyholders"].items()} == KEYHOLDERS
    assert roster["keyholders"]["lance"]["key"]["x-tuf-on-ci-keyowner"] == "@lance"
    assert list(roster["online_keys"]) == ["online"]
    assert "signed outside the ceremony (kept as delegated, never staged):" in out
    assert "registry.npmjs.org" in out
    summary = out.split("environment (recorded in the transcript")[0]
    assert max(len(line) for line in summary.splitlines()) <= 80


def test_an_expired_newest_root_is_adopted_with_a_loud_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root v15 expired on 2026-11-20: after that, clients refuse it until a new one is out.
    at_expiry = "2026-11-21T00:00:00Z"
    code, _, err = run(
        [
            "adopt", str(tmp_path / "ws2"), "--from", str(SIGSTORE),
            "--names", str(online_names(tmp_path)), "--at", at_expiry,
        ],
        capsys, monkeypatch,
    )  # fmt: skip
    assert code == 0
    text = " ".join(err.split())
    assert (
        "ceremony: WARNING: 15.root.json: expired at 2026-11-20T13:58:18Z (the newest root; TUF "
        "spec 5.3.10): clients refuse it until the next ceremony exports a new one"
    ) in text
    assert "8.registry.npmjs.org.json: expired at 2026-10-13T19:45:24Z: clients refuse it " \
        "until its signer, outside the ceremony, publishes a new one" in text  # fmt: skip
    code, _, err = run(
        [
            "adopt", str(tmp_path / "ws3"), "--from", str(SIGSTORE),
            "--names", str(online_names(tmp_path)), "--at", SIGSTORE_AT,
        ],
        capsys, monkeypatch,
    )  # fmt: skip
    assert (code, err) == (0, "")


def test_root_v16_is_staged_for_sigstores_keyholders_and_a_request_written(
    sigstore_ws: tuple[Path, str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws, _, _ = sigstore_ws
    code, out, err = run(["resign", str(ws), "root"], capsys, monkeypatch)
    assert (code, out.splitlines()[0]) == (0, "staged root v16"), err
    code, out, _ = run(["status", str(ws), "--json"], capsys, monkeypatch)
    (root,) = json.loads(out)["roles"]
    assert (root["role"], root["version"]) == ("root", 16)
    for signer_set in root["sets"]:
        named = {s["keyholder"]: s["keyid"] for s in signer_set["signers"]}
        assert named == KEYHOLDERS
        assert signer_set["threshold"] == 3
    request = tmp_path / "request.json"
    code, out, err = run(["request", str(ws), str(request)], capsys, monkeypatch)
    assert code == 0, err
    data = json.loads(request.read_bytes())
    (proposal,) = data["proposals"]
    assert proposal["metadata"]["signed"]["version"] == 16
    roster = data["roster"]["keyholders"]
    assert {n: e["key"]["keyid"] for n, e in roster.items()} == KEYHOLDERS


def test_the_policy_comes_from_x_tuf_on_ci_periods_and_calendar_shows_it(
    sigstore_ws: tuple[Path, str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws, _, _ = sigstore_ws
    policy = json.loads((ws / "policy.json").read_bytes())["roles"]
    assert policy["root"] == {"expires_in_days": 197, "resign_before_days": 46}
    assert policy["targets"] == {"expires_in_days": 3650, "resign_before_days": 31}
    assert policy["timestamp"] == {"expires_in_days": 7, "resign_before_days": 6}
    code, text, _ = run(["calendar", str(ws)], capsys, monkeypatch)
    assert code == 0
    assert "(46 days before expiry, period 197 days)" in text
    assert "online timestamp: signed online by online; new versions valid 7 days" in text


def test_the_adoption_is_in_the_transcript(sigstore_ws: tuple[Path, str, str]) -> None:
    ws, _, _ = sigstore_ws
    adopted = next(e for e in events(ws) if e["event"] == "repository_adopted")
    assert adopted["step"] == "R15"
    fields = adopted["fields"]
    digest = hashlib.sha256((SIGSTORE / "5.root.json").read_bytes()).hexdigest()
    assert fields["trusted_root"] == {"file": "5.root.json", "version": 5, "sha256": digest}
    listed = {f["path"]: f["sha256"] for f in fields["files"]}
    assert listed == {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SIGSTORE.iterdir()
    }
    lance = next(k for k in fields["keys"] if k["name"] == "lance" and not k["retired"])
    assert lance["named_by"] == "x-tuf-on-ci-keyowner @lance"
    assert lance["keyid"] == KEYHOLDERS["lance"]
    online = next(k for k in fields["keys"] if k["name"] == "online" and not k["retired"])
    assert online["named_by"] == "the names file"
    assert fields["outside_roles"] == ["registry.npmjs.org"]
    enrolled = {e["fields"]["keyholder"] for e in events(ws) if e["event"] == "key_enrolled"}
    assert enrolled == {*KEYHOLDERS, "online"}
    assert [e["event"] for e in events(ws)][-1] == "environment"  # runbook R0, as at init


def test_naming_the_delegated_roles_key_makes_it_a_role_of_the_ceremony(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = names_file(
        tmp_path,
        f'[online_keys.online]\nkeyid = "{ONLINE}"\n[keyholders.npm]\nkeyid = "{NPM}"\n',
    )
    ws = tmp_path / "ws"
    code, out, err = run(
        ["adopt", str(ws), "--from", str(SIGSTORE), "--names", str(names)], capsys, monkeypatch
    )
    assert code == 0, err
    assert (ws / "metadata" / "8.registry.npmjs.org.json").is_file()
    assert "signed outside the ceremony" not in out
    code, out, err = run(["resign", str(ws), "registry.npmjs.org"], capsys, monkeypatch)
    assert code == 0, err
    code, out, _ = run(["status", str(ws), "--json"], capsys, monkeypatch)
    (role,) = json.loads(out)["roles"]
    assert role["role"] == "registry.npmjs.org"
    assert role["sets"][0]["signers"][0]["keyholder"] == "npm"


def test_keys_without_names_are_refused_with_the_lines_to_paste(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    code, out, err = run(["adopt", str(ws), "--from", str(SIGSTORE)], capsys, monkeypatch)
    assert code == 1
    error, hint = two_lines(err)
    assert error == (
        "ceremony: error: 1 key of root v15 has no name: the newest root's keys, and the keys "
        "of each role the ceremony signs, need one"
    )
    assert "--names" in hint
    assert "# signs snapshot, timestamp\n[online_keys.online-1]\n" in out
    assert f'keyid = "{ONLINE}"\n' in out
    assert not ws.exists()
    # The lines as printed are a names file.
    code, _, err = run(
        ["adopt", str(ws), "--from", str(SIGSTORE), "--names", str(names_file(tmp_path, out))],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert list(json.loads((ws / "roster.json").read_bytes())["online_keys"]) == ["online-1"]


def tampered_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "tampered" / "metadata"
    shutil.copytree(SIGSTORE, copy)
    path = copy / "14.targets.json"
    data = json.loads(path.read_bytes())
    data["signed"]["x-tuf-on-ci-signing-period"] = 32  # signed content changed after signing
    path.write_text(json.dumps(data, indent=2))
    return copy


@pytest.mark.parametrize(
    ("case", "message"),
    [
        pytest.param(
            "go-tuf-v2-testutils",
            "ceremony: error: {source} does not verify: {source}/1.root.json: expires "
            "'2030-08-15T14:30:45.0000001Z' is not a whole-second UTC time",
            id="python-tuf-refuses",
        ),
        pytest.param(
            "rust-tuf-interop-cs-true",
            "ceremony: error: no root in {source} verifies on its own, so no client could",
            id="no-root-to-start-from",
        ),
        pytest.param(
            "tampered",
            "ceremony: error: {source} does not verify: 14.targets.json: ",
            id="tampered-file",
        ),
        pytest.param("existing", "ceremony: error: {ws} already exists and is not empty", id="ws"),
        pytest.param(
            "unknown-keyid",
            "ceremony: error: the names file names carol with keyid " + "ab" * 32 + ", which no",
            id="unknown-keyid",
        ),
        pytest.param(
            "online-root-key",
            "ceremony: error: key {lance} signs root, so it cannot be online key 'lance'",
            id="online-key-signs-root",
        ),
        pytest.param(
            "bad-name",
            "ceremony: error: {names}: keyholders.Lance: name 'Lance' is not a safe file name",
            id="bad-name",
        ),
    ],
)
def test_bad_input_is_one_error_and_nothing_on_disk(
    case: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = tmp_path / "ws"
    source = SIGSTORE
    names = online_names(tmp_path)
    extra: list[str] = []
    if case == "go-tuf-v2-testutils":
        source = REALWORLD / case / "metadata"
        extra = ["--trusted-root", str(source / "1.root.json")]
    elif case == "rust-tuf-interop-cs-true":
        source = REALWORLD / case / "metadata"
    elif case == "tampered":
        source = tampered_copy(tmp_path)
    elif case == "existing":
        ws.mkdir()
        (ws / "notes.txt").write_text("mine")
    else:
        entries = {
            "unknown-keyid": f'[keyholders.carol]\nkeyid = "{"ab" * 32}"\n',
            "online-root-key": f'[online_keys.lance]\nkeyid = "{KEYHOLDERS["lance"]}"\n',
            "bad-name": f'[keyholders.Lance]\nkeyid = "{KEYHOLDERS["lance"]}"\n',
        }
        names = names_file(tmp_path, names.read_text() + entries[case])
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    code, out, err = run(
        ["adopt", str(ws), "--from", str(source), "--names", str(names), *extra],
        capsys,
        monkeypatch,
    )
    assert (code, out) == (1, "")
    error, _ = two_lines(err)
    expected = message.format(source=source, ws=ws, names=names, lance=KEYHOLDERS["lance"])
    assert error.startswith(expected), error
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
