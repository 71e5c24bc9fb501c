"""The printable record: everything the participants check and sign, in Markdown and HTML."""

from __future__ import annotations

import base64
import re

from ceremony.model.fingerprint import Fingerprint
from ceremony.model.manifest import (
    FileEntry,
    Grant,
    KeyRef,
    Manifest,
    MetadataEntry,
    Participant,
    SignerSetEntry,
    TranscriptEntry,
)
from ceremony.model.printout import (
    MANIFEST_QR,
    RecordInput,
    qr_file_name,
    qr_images,
    qr_payload,
    record_file_names,
    record_files,
    record_html,
    record_markdown,
)

ALICE = KeyRef("a1" * 32, "alice")
BOB = KeyRef("b2" * 32, "bob")
CAROL = KeyRef("c3" * 32, "carol")
ONLINE = KeyRef("d4" * 32, "online")
MANIFEST_DIGEST = "e5" * 32
ROOT_FP = "0123456789abcdef" * 4
TARGETS_FP = "fedcba9876543210" * 4


def manifest(*, notices: tuple[str, ...] = (), met: bool = True) -> Manifest:
    signed = (ALICE, BOB) if met else (ALICE,)
    not_signed = (CAROL,) if met else (BOB, CAROL)
    return Manifest(
        ceremony_id="example-20261122T090000Z",
        created="2026-11-22T09:00:00Z",
        tool_version="1.2.3",
        repository="example",
        participants=(
            Participant("alice", ALICE.keyid, False, "YubiKey 5 #1"),
            Participant("bob", BOB.keyid, False),
            Participant("carol", CAROL.keyid, False, compromised=True),
            Participant("online", ONLINE.keyid, True),
        ),
        metadata=(
            MetadataEntry(
                path="metadata/1.root.json",
                role="root",
                version=1,
                expires="2027-11-22T09:00:00Z",
                fingerprint=ROOT_FP,
                signer_sets=(SignerSetEntry("root v1", 2, signed, not_signed),),
                grants=(
                    Grant("root", 2, (ALICE, BOB, CAROL)),
                    Grant("timestamp", 1, (ONLINE,)),
                ),
            ),
            MetadataEntry(
                path="metadata/1.targets.json",
                role="targets",
                version=1,
                expires="2027-05-21T09:00:00Z",
                fingerprint=TARGETS_FP,
                signer_sets=(SignerSetEntry("targets (root v1)", 2, (ALICE, BOB), ()),),
                grants=(Grant("claimed", 1, (ALICE, BOB), "paths claimed/*"),),
                targets_count=1,
            ),
        ),
        files=(
            FileEntry("SHA256SUMS", 10, "aa" * 32),
            FileEntry("metadata/1.root.json", 2000, "bb" * 32),
        ),
        transcript=TranscriptEntry("transcript.jsonl", "cc" * 32, "dd" * 32),
        notices=notices,
    )


def record(m: Manifest | None = None) -> RecordInput:
    images = {
        MANIFEST_QR: b"\x89PNG manifest",
        "metadata/1.root.json": b"\x89PNG root",
        "metadata/1.targets.json": b"\x89PNG targets",
    }
    return RecordInput(m or manifest(), MANIFEST_DIGEST, images)


def test_qr_names_and_payloads() -> None:
    assert qr_file_name(MANIFEST_QR) == "qr/manifest.png"
    assert qr_file_name("metadata/12.bins-0a.json") == "qr/12.bins-0a.png"
    # Upper case: QR alphanumeric mode, and the same text as the TUI's fingerprint code.
    assert qr_payload(ROOT_FP) == ROOT_FP.upper()


def test_markdown_has_everything_to_check_and_sign() -> None:
    text = record_markdown(record())
    for digest in (MANIFEST_DIGEST, ROOT_FP, TARGETS_FP):
        fp = Fingerprint.from_digest(bytes.fromhex(digest))
        assert fp.hex_text(groups_per_line=8) in text
        assert fp.words_text() in text
    assert "![QR code of the manifest's SHA-256](qr/manifest.png)" in text
    assert "(qr/1.root.png)" in text
    assert "(qr/1.targets.png)" in text
    assert f"| alice | keyholder | `{ALICE.keyid}` | YubiKey 5 #1 |" in text
    assert "| carol | keyholder, COMPROMISED |" in text
    assert "- root (threshold 2, 3 keys): alice, bob, carol" in text
    assert "- timestamp: signed online with the online key online" in text
    assert "- claimed (threshold 1, 2 keys): alice, bob; paths claimed/\\*" in text
    assert "root v1: 2 of 2 signatures (alice, bob), threshold 2, 3 keys: met" in text
    assert "It lists 1 target file." in text
    assert f"| `metadata/1.root.json` | 2000 | `{'bb' * 32}` |" in text
    assert f"Final hash of the chain: `{'dd' * 32}`" in text
    assert text.count("Initials: ") == 2
    for name in ("alice", "bob", "carol"):
        assert f"| {name} | keyholder | | |" in text
    assert "| online | keyholder" not in text
    assert "| | coordinator | | |" in text
    assert "| | witness | | |" in text


def test_an_unmet_threshold_is_shown_loudly() -> None:
    text = record_markdown(record(manifest(met=False)))
    assert "root v1: 1 of 2 signatures (alice), threshold 2, 3 keys: NOT MET" in text
    page = record_html(record(manifest(met=False)))
    assert (
        '<li class="notmet">root v1: 1 of 2 signatures (alice), threshold 2, 3 keys: NOT MET'
        in page
    )


def test_html_embeds_each_qr_image_and_nothing_external() -> None:
    page = record_html(record())
    sources = re.findall(r'<img src="([^"]+)" alt="([^"]+)">', page)
    assert sources == [
        (
            "data:image/png;base64," + base64.b64encode(b"\x89PNG manifest").decode(),
            "QR code of the SHA-256 of manifest.json",
        ),
        (
            "data:image/png;base64," + base64.b64encode(b"\x89PNG root").decode(),
            "QR code of the fingerprint of metadata/1.root.json",
        ),
        (
            "data:image/png;base64," + base64.b64encode(b"\x89PNG targets").decode(),
            "QR code of the fingerprint of metadata/1.targets.json",
        ),
    ]
    assert "<script" not in page
    assert "<link" not in page
    assert "http" not in page.replace('lang="en"', "")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<section") == page.count("</section>") == 2


def test_hostile_text_is_escaped() -> None:
    notice = "<script>alert(1)</script> **bold** [link](x)"
    page = record_html(record(manifest(notices=(notice,))))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    text = record_markdown(record(manifest(notices=(notice,))))
    assert "\\<script\\>alert(1)\\</script\\> \\*\\*bold\\*\\* \\[link\\](x)" in text


def test_missing_transcript_and_notices() -> None:
    m = manifest(notices=("sign new snapshot and timestamp",))
    bare = Manifest(**{**m.__dict__, "transcript": None, "notices": ()})
    text = record_markdown(record(bare))
    assert "No transcript was exported." in text
    assert "What the online side must do next" not in text
    assert "- sign new snapshot and timestamp" in record_markdown(record(m))


def test_the_record_files_are_the_names_the_audit_expects() -> None:
    made = record_files(manifest(), MANIFEST_DIGEST)
    assert set(made) == record_file_names(manifest())
    assert list(made)[:3] == ["record.md", "record.html", "qr/manifest.png"]
    record = RecordInput(manifest(), MANIFEST_DIGEST, qr_images(manifest(), MANIFEST_DIGEST))
    assert made["record.md"] == record_markdown(record).encode()
