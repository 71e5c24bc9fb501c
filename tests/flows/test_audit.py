"""`ceremony audit`: each tampered bundle is refused with its own message, naming the file and
the first place it differs; untouched bundles pass (docs/audit.md)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import png
import pytest

from ceremony.flows.audit import audit_bundle
from ceremony.flows.initial import init_workspace
from ceremony.model.audit import AuditReport, Finding
from ceremony.model.fingerprint import Fingerprint
from ceremony.model.manifest import parse_manifest
from ceremony.model.printout import qr_payload, record_files
from ceremony.model.qr import qr_png
from ceremony.model.transcript import check_transcript
from tests.conftest import NOW
from tests.flows.audit_bundles import Event, cli_ceremony, events_of, forge_transcript
from tests.flows.test_online_targets import Room
from tests.tools import tool_or_skip

OTHER = "ab" * 32
_TEMPLATE: dict[str, Room] = {}


@pytest.fixture
def bundle(
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A copy of one command-line ceremony's export bundle (made once per test run)."""
    if "cli" not in _TEMPLATE:
        base = tmp_path_factory.mktemp("audit-template")
        _TEMPLATE["cli"] = cli_ceremony(base, capsys, monkeypatch)
    out = tmp_path / "export"
    shutil.copytree(_TEMPLATE["cli"].out, out)
    return out


def audit(out: Path) -> AuditReport:
    return audit_bundle(out, None, NOW)


def manifest_of(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "manifest.json").read_bytes())
    return data


def edit_manifest(out: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = manifest_of(out)
    change(data)
    (out / "manifest.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def file_index(out: Path, path: str) -> int:
    return [f["path"] for f in manifest_of(out)["files"]].index(path)


def line_of(out: Path, event: str, **fields: object) -> int:
    """The line number of the first `event` whose fields include `fields`."""
    for number, item in enumerate(events_of(out), start=1):
        if item["event"] == event and all(item["fields"].get(k) == v for k, v in fields.items()):
            return number
    raise AssertionError(f"no {event} {fields}")


def transcript_lines(out: Path) -> list[bytes]:
    return (out / "transcript.jsonl").read_bytes().splitlines(keepends=True)


def write_lines(out: Path, lines: list[bytes]) -> None:
    (out / "transcript.jsonl").write_bytes(b"".join(lines))


def the_finding(report: AuditReport, code: str) -> Finding:
    found = [f for f in report.findings if f.code == code]
    assert found, f"no {code} finding in:\n" + "\n".join(f.line() for f in report.findings)
    return found[0]


# Tampering, and where it is found ------------------------------------------------------------


def manifest_hash(out: Path) -> tuple[str, str, str, str]:
    index = file_index(out, "metadata/1.root.json")
    edit_manifest(out, lambda d: d["files"][index].update(sha256="0" * 64))
    where = f"files[{index}].sha256"
    return "file-sha256", "manifest.json", where, "but the SHA-256 of metadata/1.root.json is"


def manifest_size(out: Path) -> tuple[str, str, str, str]:
    index = file_index(out, "metadata/1.targets.json")
    size = manifest_of(out)["files"][index]["size"]
    edit_manifest(out, lambda d: d["files"][index].update(size=size + 1))
    return (
        "file-size",
        "manifest.json",
        f"files[{index}].size",
        f"says {size + 1} bytes, but metadata/1.targets.json has {size}",
    )


def manifest_signer(out: Path) -> tuple[str, str, str, str]:
    place = "metadata[0].signatures[0].signed_by[1].keyholder"
    edit_manifest(out, lambda d: d["metadata"][0]["signatures"][0]["signed_by"][1].update(
        keyholder="carol"))  # fmt: skip
    return (
        "metadata-entry",
        "manifest.json",
        place,
        'is "carol", but metadata/1.root.json gives "bob"',
    )


def manifest_version(out: Path) -> tuple[str, str, str, str]:
    edit_manifest(out, lambda d: d["metadata"][1].update(version=2))
    return (
        "metadata-entry",
        "manifest.json",
        "metadata[1].version",
        "is 2, but metadata/1.targets.json gives 1",
    )


def manifest_fingerprint(out: Path) -> tuple[str, str, str, str]:
    real = manifest_of(out)["metadata"][2]["fingerprint"]
    edit_manifest(out, lambda d: d["metadata"][2].update(fingerprint=OTHER))
    return (
        "metadata-entry",
        "manifest.json",
        "metadata[2].fingerprint",
        f'is "{OTHER}", but metadata/1.claimed.json gives "{real}"',
    )


def file_added(out: Path) -> tuple[str, str, str, str]:
    (out / "metadata" / "notes.txt").write_text("an extra file on the stick\n")
    return "file-unlisted", "metadata/notes.txt", "", "manifest.json does not list it"


def file_removed(out: Path) -> tuple[str, str, str, str]:
    index = file_index(out, "metadata/1.claimed.json")
    (out / "metadata" / "1.claimed.json").unlink()
    return (
        "file-missing",
        "manifest.json",
        f"files[{index}]",
        "lists metadata/1.claimed.json, which is not in the bundle",
    )


def line_edited(out: Path) -> tuple[str, str, str, str]:
    number = line_of(out, "signature_added", keyholder="bob", role="targets")
    lines = transcript_lines(out)
    event = json.loads(lines[number - 1])
    event["fields"]["device"] = "keyfile:/media/mallory-usb/bob.key"
    lines[number - 1] = (json.dumps(event, sort_keys=True, separators=(",", ":")) + "\n").encode()
    write_lines(out, lines)
    return "transcript-chain", "transcript.jsonl", f"line {number}", "changed after it was written"


def line_removed(out: Path) -> tuple[str, str, str, str]:
    lines = transcript_lines(out)
    del lines[4]
    write_lines(out, lines)
    return "transcript-chain", "transcript.jsonl", "line 5", "seq is 6, expected 5"


def lines_swapped(out: Path) -> tuple[str, str, str, str]:
    lines = transcript_lines(out)
    lines[4], lines[5] = lines[5], lines[4]
    write_lines(out, lines)
    return "transcript-chain", "transcript.jsonl", "line 5", "seq is 6, expected 5"


def last_lines_cut(out: Path) -> tuple[str, str, str, str]:
    lines = transcript_lines(out)[:-2]
    write_lines(out, lines)
    assert check_transcript(b"".join(lines)).ok  # still a valid chain on its own
    return (
        "transcript-chain",
        "transcript.jsonl",
        f"line {len(lines)}",
        "not the expected",
    )


def other_ceremony(out: Path) -> tuple[str, str, str, str]:
    other = out.parent / "other-ws"
    init_workspace(_TEMPLATE["cli"].plan, other, NOW)  # the same plan, another ceremony
    shutil.copy(other / "transcript.jsonl", out / "transcript.jsonl")
    ours = manifest_of(out)["ceremony_id"]
    theirs = events_of(out)[0]["fields"]["ceremony_id"]
    return (
        "ceremony-id",
        "transcript.jsonl",
        "line 1 (transcript_started)",
        f"names ceremony {theirs}, but manifest.json names {ours}",
    )


def _record_naming_another_digest(out: Path, name: str, groups: int) -> tuple[str, str, str, str]:
    digest = Fingerprint.from_digest(bytes.fromhex(_sha256(out / "manifest.json")))
    other = Fingerprint.from_digest(bytes.fromhex(OTHER))
    before = (out / name).read_text()
    after = before
    for ours, theirs in zip(
        digest.hex_text(groups).splitlines(), other.hex_text(groups).splitlines(), strict=True
    ):
        after = after.replace(ours, theirs)
    (out / name).write_text(after)
    first = next(i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b)
    number = before[:first].count("\n") + 1
    column = first - before.rfind("\n", 0, first)
    place = f"line {number}, column {column}"
    return "record-differs", name, place, other.hex_text(groups).splitlines()[0][:20]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record_md_digest(out: Path) -> tuple[str, str, str, str]:
    return _record_naming_another_digest(out, "record.md", 8)


def record_html_digest(out: Path) -> tuple[str, str, str, str]:
    return _record_naming_another_digest(out, "record.html", 4)


TAMPERED = {
    "a manifest hash changed": manifest_hash,
    "a manifest size changed": manifest_size,
    "a manifest signer changed": manifest_signer,
    "a manifest version changed": manifest_version,
    "a manifest fingerprint changed": manifest_fingerprint,
    "a file added": file_added,
    "a file removed": file_removed,
    "a transcript line edited": line_edited,
    "a transcript line removed": line_removed,
    "two transcript lines swapped": lines_swapped,
    "the transcript's last lines cut": last_lines_cut,
    "another ceremony's transcript": other_ceremony,
    "record.md naming another digest": record_md_digest,
    "record.html naming another digest": record_html_digest,
}


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_tampered_bundle_is_refused_naming_the_file_and_the_place(
    bundle: Path, case: str
) -> None:
    code, file, place, words = TAMPERED[case](bundle)
    report = audit(bundle)
    assert not report.ok
    found = the_finding(report, code)
    assert found.severity == "error"
    assert (found.file, found.place) == (file, place), found.line()
    assert words in found.message, found.line()
    where = f"{file}: {place}" if place else file
    assert found.line().startswith(f"error: {where}: ")
    assert report.verdict().startswith(f"failed: {bundle}: ")


def test_a_qr_image_of_another_digest_is_refused(bundle: Path) -> None:
    tool_or_skip("zbarimg")
    (bundle / "qr" / "manifest.png").write_bytes(qr_png(qr_payload(OTHER)))
    report = audit(bundle)
    assert not report.ok
    found = the_finding(report, "qr-value")
    assert found.file == "qr/manifest.png"
    digest = _sha256(bundle / "manifest.json").upper()
    assert found.message == (
        f"decodes to {OTHER.upper()}, not the SHA-256 of manifest.json ({digest})"
    )
    assert [c.status for c in report.checks() if c.check == "qr"] == ["failed"]


def test_each_qr_code_is_decoded_when_zbarimg_is_installed(bundle: Path) -> None:
    tool_or_skip("zbarimg")
    report = audit(bundle)
    assert report.qr_decoder == "zbarimg"
    assert [c.summary for c in report.checks() if c.check == "qr"] == [
        "4 QR codes decoded with zbarimg"
    ]
    # A fingerprint's image swapped for another file's is found too.
    shutil.copy(bundle / "qr" / "1.root.png", bundle / "qr" / "1.targets.png")
    found = the_finding(audit(bundle), "qr-value")
    assert found.file == "qr/1.targets.png"
    assert "not the fingerprint of metadata/1.targets.json" in found.message


def test_without_a_decoder_one_note_says_so_and_the_rest_still_runs(bundle: Path) -> None:
    (bundle / "qr" / "manifest.png").write_bytes(qr_png(qr_payload(OTHER)))
    report = audit_bundle(bundle, None, NOW, find=lambda: None)
    notes = [f for f in report.findings if f.code == "no-decoder"]
    assert [n.line() for n in notes] == [
        "note: qr/: no QR decoder is installed (zbarimg, package zbar-tools): the QR "
        "images were not decoded"
    ]
    # The image is still compared with the one the manifest gives.
    assert the_finding(report, "record-differs").file == "qr/manifest.png"
    assert [c.status for c in report.checks() if c.check == "qr"] == ["not checked"]


# Transcripts that disagree with the exported files -------------------------------------------


def _drop(event: str, **fields: object) -> Callable[[list[Event]], list[Event]]:
    def change(events: list[Event]) -> list[Event]:
        for index, item in enumerate(events):
            if item["event"] == event and all(
                item["fields"].get(k) == v for k, v in fields.items()
            ):
                return events[:index] + events[index + 1 :]
        raise AssertionError(f"no {event} {fields}")

    return change


def _edit(
    event: str, changes: dict[str, object], **fields: object
) -> Callable[[list[Event]], list[Event]]:
    def change(events: list[Event]) -> list[Event]:
        for item in events:
            if item["event"] == event and all(
                item["fields"].get(k) == v for k, v in fields.items()
            ):
                item["fields"].update(changes)
                return events
        raise AssertionError(f"no {event} {fields}")

    return change


def _unlisted(events: list[Event]) -> list[Event]:
    exported = events[-1]
    exported["fields"]["files"] = [
        f for f in exported["fields"]["files"] if f["path"] != "metadata/1.claimed.json"
    ]
    return events


def _reviewed_other(events: list[Event]) -> list[Event]:
    review = dict(events[-1], event="proposal_reviewed", step="R5")
    review["fields"] = {"role": "root", "version": 1, "fingerprint": OTHER}
    return [*events[:-3], review, *events[-3:]]


DISAGREEING = {
    "the export event does not list a file": (
        _unlisted,
        "export-event",
        "(exported)",
        "does not list metadata/1.claimed.json",
    ),
    "a counted signature not recorded": (
        _drop("signature_added", keyholder="bob", role="root"),
        "signature-not-recorded",
        "(exported)",
        "exports bob's signature on root v1 (keyid ",
    ),
    "a signature recorded under another name": (
        _edit("signature_added", {"keyholder": "carol"}, keyholder="alice", role="targets"),
        "signature-keyholder",
        "(signature_added)",
        "as carol's, but manifest.json names alice",
    ),
    "a signature recorded without a device": (
        _edit("signature_added", {"device": ""}, keyholder="alice", role="claimed"),
        "signature-device",
        "(signature_added)",
        "records alice's signature on claimed v1 without a device",
    ),
    "a version never staged": (
        _drop("proposal_staged", role="claimed"),
        "not-staged",
        "(exported)",
        "promotes claimed v1 (metadata/1.claimed.json), but no proposal_staged",
    ),
    "a version staged with other bytes": (
        _edit("proposal_staged", {"fingerprint": OTHER}, role="targets"),
        "not-staged",
        "(proposal_staged)",
        f"stages targets v1 with fingerprint {OTHER}, but metadata/1.targets.json has ",
    ),
    "a version reviewed with other bytes": (
        _reviewed_other,
        "reviewed-other",
        "(proposal_reviewed)",
        f"reviews root v1 with fingerprint {OTHER}, but metadata/1.root.json has ",
    ),
}


@pytest.mark.parametrize("case", list(DISAGREEING))
def test_a_transcript_that_disagrees_with_the_exported_files_is_refused(
    bundle: Path, case: str
) -> None:
    change, code, event, words = DISAGREEING[case]
    forge_transcript(bundle, change)
    report = audit(bundle)
    assert not report.ok
    assert [f.code for f in report.errors] == [code], [f.line() for f in report.errors]
    found = report.errors[0]
    assert found.file == "transcript.jsonl"
    assert found.place.startswith("line "), found.line()
    assert found.place.endswith(event), found.line()
    assert words in found.message, found.line()


def test_a_forged_but_consistent_transcript_alone_passes(bundle: Path) -> None:
    # The forger's rewrite itself changes nothing the audit compares: the cases above fail
    # for what they changed, not for the rewriting.
    forge_transcript(bundle, lambda events: events)
    assert audit(bundle).ok


# Warnings and notes --------------------------------------------------------------------------


def test_a_command_line_ceremony_warns_that_no_review_was_recorded(bundle: Path) -> None:
    report = audit(bundle)
    assert report.ok
    [warning] = report.warnings
    assert warning.code == "not-reviewed"
    assert warning.message.startswith(
        "records no review (proposal_reviewed) of root v1, targets v1, claimed v1: "
    )


def test_reviews_recorded_with_the_exported_fingerprints_clear_the_warning(bundle: Path) -> None:
    def reviewed(events: list[Event]) -> list[Event]:
        staged = [e for e in events if e["event"] == "proposal_staged"]
        reviews = [
            dict(e, event="proposal_reviewed", step="R5", fields={
                k: e["fields"][k] for k in ("role", "version", "fingerprint")})
            for e in staged
        ]  # fmt: skip
        first = events.index(staged[-1]) + 1
        return [*events[:first], *reviews, *events[first:]]

    forge_transcript(bundle, reviewed)
    report = audit(bundle)
    assert report.ok
    assert report.warnings == ()


def test_events_after_the_export_are_a_warning(bundle: Path) -> None:
    def noted(events: list[Event]) -> list[Event]:
        note = dict(events[-1], event="note", step=None, fields={"text": "stick handed over"})
        return [*events, note]

    forge_transcript(bundle, noted)
    report = audit(bundle)
    assert report.ok
    found = the_finding(report, "after-export")
    last = len(events_of(bundle))
    assert (found.severity, found.place) == ("warning", f"lines {last} to {last}")


def test_files_promoted_before_the_transcript_began_are_noted(bundle: Path) -> None:
    forge_transcript(bundle, _edit("exported", {"promoted": []}))
    report = audit(bundle)
    assert report.ok
    notes = [f for f in report.findings if f.code == "before-transcript"]
    assert [n.file for n in notes] == [
        "metadata/1.root.json",
        "metadata/1.targets.json",
        "metadata/1.claimed.json",
    ]


def _other_sha256(events: list[Event]) -> list[Event]:
    for item in events[-1]["fields"]["files"]:
        if item["path"] == "metadata/1.root.json":
            item["sha256"] = OTHER
    return events


def test_an_export_event_with_another_hash_is_refused(bundle: Path) -> None:
    forge_transcript(bundle, _other_sha256)
    report = audit(bundle)
    [error] = report.errors
    assert error.code == "export-event"
    assert error.message.startswith(f"lists metadata/1.root.json with SHA-256 {OTHER}, but ")


# The bundle as read ----------------------------------------------------------------------------


def test_a_link_in_the_bundle_is_not_followed(bundle: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("not part of the bundle\n")
    (bundle / "notes.txt").symlink_to(tmp_path / "secret.txt")
    report = audit(bundle)
    lines = [f.line() for f in report.errors]
    assert "error: notes.txt: not read: is a symbolic link; links are not followed" in lines
    assert the_finding(report, "file-unlisted").file == "notes.txt"


def test_a_manifest_that_is_not_strict_json_stops_the_comparisons(bundle: Path) -> None:
    data = (bundle / "manifest.json").read_bytes()
    (bundle / "manifest.json").write_bytes(data.replace(b"{\n", b'{\n  "version": 1,\n', 1))
    report = audit(bundle)
    found = the_finding(report, "manifest-format")
    assert found.line() == "error: manifest.json: duplicate object key 'version'"
    statuses = {c.check: c.status for c in report.checks()}
    assert statuses == {
        "metadata": "ok",
        "manifest": "failed",
        "transcript": "not checked",
        "record": "not checked",
        "qr": "not checked",
    }
    assert report.files == ()


def test_a_qr_image_without_a_code_is_refused(bundle: Path) -> None:
    tool_or_skip("zbarimg")
    blank = io.BytesIO()
    png.Writer(232, 232, greyscale=True, bitdepth=1).write(blank, [[1] * 232] * 232)
    (bundle / "qr" / "1.claimed.png").write_bytes(blank.getvalue())
    found = the_finding(audit(bundle), "qr-unreadable")
    assert found.line() == "error: qr/1.claimed.png: holds no QR code zbarimg can read"


def test_a_bundle_made_by_another_version_is_checked_by_the_digests_its_record_names(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ceremony.flows.audit.__version__", "99.0")
    report = audit(bundle)
    assert report.ok
    note = the_finding(report, "record-other-version")
    assert "this is ceremony 99.0: the record's layout was not compared" in note.message
    record_html_digest(bundle)
    found = the_finding(audit(bundle), "record-digest")
    digest = _sha256(bundle / "manifest.json")
    assert found.line() == (
        f"error: record.html: does not name the SHA-256 of manifest.json ({digest})"
    )


def test_a_bundle_without_a_transcript_passes_with_a_warning(bundle: Path) -> None:
    manifest = parse_manifest((bundle / "manifest.json").read_bytes())
    manifest = dataclasses.replace(
        manifest,
        transcript=None,
        files=tuple(f for f in manifest.files if f.path != "transcript.jsonl"),
    )
    (bundle / "transcript.jsonl").unlink()
    data = manifest.to_bytes()
    (bundle / "manifest.json").write_bytes(data)
    for path, content in record_files(manifest, hashlib.sha256(data).hexdigest()).items():
        (bundle / path).write_bytes(content)
    report = audit(bundle)
    assert report.ok
    warning = the_finding(report, "no-transcript")
    assert warning.line().startswith("warning: manifest.json: transcript: is null: ")
    assert "    alice: the signature is not recorded in the transcript" in report.lines()
