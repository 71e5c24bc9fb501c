"""Does the printed record speak of this manifest? record.md, record.html and the QR codes.

The record is made from the manifest and its SHA-256 alone (`record_files`), so when the
bundle was made by this version of the tool, the record files must be exactly the ones this
manifest gives; the first line that differs is named. A bundle made by another version may lay
its record out differently: then both records must still name the manifest's SHA-256 and every
fingerprint in it. Each QR image must decode to its value in upper-case hex: the manifest's
SHA-256 for `qr/manifest.png`, each file's fingerprint for `qr/N.ROLE.png` (when a decoder is
installed; otherwise a note says so).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ceremony.model.audit.differences import show
from ceremony.model.audit.findings import Finding, finding
from ceremony.model.audit.inputs import BundleInput
from ceremony.model.manifest import Manifest
from ceremony.model.printout import (
    MANIFEST_QR,
    RECORD_HTML,
    RECORD_MD,
    qr_file_name,
    qr_payload,
    record_files,
)

_LAYOUT = re.compile(r"\s+|<br>")


def qr_values(manifest: Manifest, manifest_sha256: str) -> Iterator[tuple[str, str, str]]:
    """(image path, the text it must carry, what that text is) for every QR image."""
    yield (
        qr_file_name(MANIFEST_QR),
        qr_payload(manifest_sha256),
        "the SHA-256 of manifest.json",
    )
    for entry in manifest.metadata:
        yield (
            qr_file_name(entry.path),
            qr_payload(entry.fingerprint),
            f"the fingerprint of {entry.path}",
        )


_IMAGE = b"data:image/png;base64,"
_CONTEXT = 60
"""Characters of a differing line quoted from where it starts to differ."""


def _differing_line(found: bytes, expected: bytes) -> tuple[int, int, str, str]:
    """(line, column, found text, expected text) of the first difference worth reading.

    A line that embeds a QR image differs whenever its code does; the first differing line of
    text (the digest in hex next to it) says more, so it is named when there is one.
    """
    ours, theirs = found.split(b"\n"), expected.split(b"\n")
    differing = []
    for number in range(1, max(len(ours), len(theirs)) + 1):
        line = ours[number - 1] if number <= len(ours) else b""
        want = theirs[number - 1] if number <= len(theirs) else b""
        if line != want:
            differing.append((number, line, want))
    text = [d for d in differing if _IMAGE not in d[1] and _IMAGE not in d[2]]
    number, line, want = (text or differing)[0]
    ours_text, theirs_text = line.decode("utf-8", "replace"), want.decode("utf-8", "replace")
    column = next(
        (i for i, (a, b) in enumerate(zip(ours_text, theirs_text, strict=False)) if a != b),
        min(len(ours_text), len(theirs_text)),
    )
    start = max(0, column - 10)
    return (
        number,
        column + 1,
        ours_text[start : start + _CONTEXT],
        theirs_text[start : start + _CONTEXT],
    )


def _same_version(bundle: BundleInput, manifest: Manifest, digest: str) -> list[Finding]:
    found: list[Finding] = []
    for path, expected in record_files(manifest, digest).items():
        data = bundle.files.get(path)
        if data is None:
            if path not in bundle.unreadable:
                found.append(
                    finding(
                        "record-missing",
                        path,
                        "",
                        "is not in the bundle; it is made from manifest.json and belongs with it",
                    )
                )
            continue
        if data == expected:
            continue
        if path.endswith(".png"):
            found.append(
                finding(
                    "record-differs",
                    path,
                    "",
                    "is not the QR image made from manifest.json (its bytes differ)",
                )
            )
            continue
        number, column, line, want = _differing_line(data, expected)
        found.append(
            finding(
                "record-differs",
                path,
                f"line {number}, column {column}",
                f"has {show(line)}, where the record made from manifest.json has {show(want)}",
            )
        )
    return found


def _other_version(bundle: BundleInput, manifest: Manifest, digest: str) -> list[Finding]:
    found = [
        finding(
            "record-other-version",
            RECORD_HTML,
            "",
            f"the bundle was made by ceremony {manifest.tool_version} and this is ceremony "
            f"{bundle.tool_version}: the record's layout was not compared, only the digests "
            "it names",
        )
    ]
    wanted = [("the SHA-256 of manifest.json", digest)]
    wanted += [(f"the fingerprint of {e.path}", e.fingerprint) for e in manifest.metadata]
    for path in (RECORD_MD, RECORD_HTML):
        data = bundle.files.get(path)
        if data is None:
            if path not in bundle.unreadable:
                found.append(finding("record-missing", path, "", "is not in the bundle"))
            continue
        text = _LAYOUT.sub("", data.decode("utf-8", "replace")).lower()
        for what, value in wanted:
            if value not in text:
                found.append(finding("record-digest", path, "", f"does not name {what} ({value})"))
    for image, _, _ in qr_values(manifest, digest):
        if image not in bundle.files and image not in bundle.unreadable:
            found.append(finding("record-missing", image, "", "is not in the bundle"))
    return found


def _qr_codes(bundle: BundleInput, manifest: Manifest, digest: str) -> list[Finding]:
    if bundle.qr_decoder is None:
        return [
            finding(
                "no-decoder",
                "qr/",
                "",
                "no QR decoder is installed (zbarimg, package zbar-tools): the QR images were "
                "not decoded",
            )
        ]
    found: list[Finding] = []
    for image, text, what in qr_values(manifest, digest):
        if image not in bundle.files:
            continue  # missing or unreadable: reported with the record's files
        reading = bundle.qr_readings.get(image)
        if reading is None or reading.problem:
            problem = reading.problem if reading is not None else "was not decoded"
            found.append(finding("qr-unreadable", image, "", problem))
        elif reading.texts != (text,):
            decoded = " and ".join(reading.texts) or "nothing"
            found.append(
                finding("qr-value", image, "", f"decodes to {decoded}, not {what} ({text})")
            )
    return found


def check_record(bundle: BundleInput, manifest: Manifest, digest: str) -> tuple[Finding, ...]:
    """The record files and QR codes against `manifest` (whose SHA-256 is `digest`)."""
    if manifest.tool_version == bundle.tool_version:
        found = _same_version(bundle, manifest, digest)
    else:
        found = _other_version(bundle, manifest, digest)
    return tuple(found + _qr_codes(bundle, manifest, digest))
