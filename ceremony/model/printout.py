"""The printable ceremony record: `record.md` and `record.html`, views of the manifest.

The record is what the participants print, read, sign by hand and file, in the manner of the
published DNSSEC root KSK ceremony scripts: who took part, what was signed in plain words, each
fingerprint in hex and in words (the same values keyholders read aloud at review), who signed
towards which threshold, the hash of every exported file, lines for wet signatures and
initials, and QR codes of the manifest's SHA-256 and of each fingerprint so that a phone can
compare the paper with the files later.

`record.html` is self-contained (inline style, QR codes as `data:` PNG images): it must open
and print the same on an air-gapped machine with no network and no other files. `record.md`
refers to the PNG files in `qr/` beside it.

Pure: the manifest, its digest and the QR images in, text out.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from dataclasses import dataclass

from ceremony.model.fingerprint import Fingerprint
from ceremony.model.manifest import (
    Grant,
    KeyRef,
    Manifest,
    MetadataEntry,
    Participant,
    SignerSetEntry,
)
from ceremony.model.publickeys import format_keyid
from ceremony.model.qr import qr_png
from ceremony.model.wording import progress_words, threshold_words

MANIFEST_QR = "manifest"
"""Key of the manifest digest's QR image; each fingerprint's image is keyed by its file path."""
RECORD_MD = "record.md"
RECORD_HTML = "record.html"

RECORD_GRANTS = 10
"""Grants the paper record lists per file: a role delegating to 100,000 projects lists the
first ones and how many more; manifest.json and the file itself list every one."""


def _more_grants(entry: MetadataEntry) -> str:
    more = len(entry.grants) - RECORD_GRANTS
    return (
        f"and {more} more delegations, each listed in manifest.json and in {entry.path} "
        "(covered by the fingerprint below)"
    )


def _participant_kind(p: Participant) -> str:
    """`keyholder`, `online key`, with `retired` and `COMPROMISED` where they apply."""
    kind = "online key" if p.online else "keyholder"
    if p.retired:
        kind += ", retired"
    if p.compromised:
        kind += ", COMPROMISED"
    return kind


def qr_payload(digest_hex: str) -> str:
    """The text a record's QR code carries: the digest in upper-case hex.

    Upper case is QR alphanumeric mode (a smaller, easier code), and it is what the TUI's
    fingerprint QR shows, so a phone reads the same text from the screen and from the paper.
    """
    return digest_hex.upper()


def qr_file_name(key: str) -> str:
    """`qr/manifest.png`, or `qr/1.root.png` for `metadata/1.root.json`."""
    if key == MANIFEST_QR:
        return "qr/manifest.png"
    return "qr/" + key.rsplit("/", 1)[-1].removesuffix(".json") + ".png"


@dataclass(frozen=True)
class RecordInput:
    manifest: Manifest
    manifest_sha256: str
    qr_images: Mapping[str, bytes]
    """PNG bytes by key: `MANIFEST_QR` and every metadata entry's path."""


def qr_images(manifest: Manifest, manifest_sha256: str) -> dict[str, bytes]:
    """The QR images of a record: the manifest's SHA-256, then each file's fingerprint."""
    images = {MANIFEST_QR: qr_png(qr_payload(manifest_sha256))}
    for entry in manifest.metadata:
        images[entry.path] = qr_png(qr_payload(entry.fingerprint))
    return images


def record_file_names(manifest: Manifest) -> frozenset[str]:
    """The paths `record_files` makes: they are made from the manifest, so not listed in it."""
    keys = [MANIFEST_QR, *(entry.path for entry in manifest.metadata)]
    return frozenset({RECORD_MD, RECORD_HTML, *(qr_file_name(key) for key in keys)})


def record_files(manifest: Manifest, manifest_sha256: str) -> dict[str, bytes]:
    """Every file made from the manifest and its SHA-256 (docs/export-bundle.md):
    `record.md`, `record.html` and `qr/*.png`, by path in the export directory.

    The export writes exactly these, and an audit makes them again to compare.
    """
    images = qr_images(manifest, manifest_sha256)
    record = RecordInput(manifest, manifest_sha256, images)
    files = {
        RECORD_MD: record_markdown(record).encode("utf-8"),
        RECORD_HTML: record_html(record).encode("utf-8"),
    }
    for key, png in images.items():
        files[qr_file_name(key)] = png
    return files


def _fingerprint(digest_hex: str) -> Fingerprint:
    return Fingerprint.from_digest(bytes.fromhex(digest_hex))


def _names(keys: tuple[KeyRef, ...]) -> str:
    return ", ".join(k.label for k in keys) if keys else "nobody"


def _grant_words(grant: Grant, online_names: frozenset[str]) -> str:
    names = _names(grant.keys)
    if grant.keys and all(k.keyholder in online_names for k in grant.keys):
        words = f"{grant.role}: signed online with the online key {names}"
        if grant.threshold != 1 or len(grant.keys) != 1:
            words += f" ({threshold_words(grant.threshold, len(grant.keys))})"
    else:
        words = f"{grant.role} ({threshold_words(grant.threshold, len(grant.keys))}): {names}"
    if grant.scope:
        words += f"; {grant.scope}"
    return words


def _summary(entry: MetadataEntry) -> str:
    what = {
        "root": "the root of trust: it names the keys and thresholds of every top-level role",
        "targets": "the top-level targets role: it lists target files and delegates to roles",
    }.get(entry.role, "a delegated targets role")
    text = f"{entry.role} version {entry.version}, valid until {entry.expires}: {what}."
    if entry.targets_count is not None:
        count = entry.targets_count
        text += f" It lists {count} target file{'s' if count != 1 else ''}."
    return text


def _set_words(signer_set: SignerSetEntry) -> str:
    state = "met" if signer_set.met else "NOT MET"
    keys = len(signer_set.signed) + len(signer_set.not_signed)
    progress = progress_words(len(signer_set.signed), signer_set.threshold)
    return (
        f"{signer_set.label}: {progress} ({_names(signer_set.signed)}), "
        f"{threshold_words(signer_set.threshold, keys)}: {state}"
    )


def _online_names(manifest: Manifest) -> frozenset[str]:
    return frozenset(p.name for p in manifest.participants if p.online)


# Markdown ---------------------------------------------------------------------------------

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|"})


def _md(text: str) -> str:
    """Escape text so that Markdown shows it as written (names and notices are data)."""
    return text.translate(_MD_SPECIAL)


def record_markdown(record: RecordInput) -> str:
    manifest = record.manifest
    online = _online_names(manifest)
    out: list[str] = []
    add = out.append
    add(f"# Ceremony record: {_md(manifest.repository)}")
    add("")
    add(f"- Ceremony id: `{manifest.ceremony_id}`")
    add(f"- Exported: {manifest.created}")
    add(f"- Tool: ceremony {_md(manifest.tool_version)}")
    add("")
    add("## Manifest")
    add("")
    add("SHA-256 of `manifest.json` (the QR code carries it in upper-case hex):")
    add("")
    digest = _fingerprint(record.manifest_sha256)
    add("```")
    add(digest.hex_text(groups_per_line=8))
    add("```")
    add("")
    add(digest.words_text())
    add("")
    add(f"![QR code of the manifest's SHA-256]({qr_file_name(MANIFEST_QR)})")
    add("")
    add("## Participants")
    add("")
    add("| Name | Kind | Keyid | Device |")
    add("|---|---|---|---|")
    for p in manifest.participants:
        kind = _participant_kind(p)
        add(f"| {_md(p.name)} | {kind} | `{p.keyid}` | {_md(p.device) or '-'} |")
    add("")
    add("Coordinator: ______________________  Witness: ______________________")
    add("")
    add("## What was signed")
    for entry in manifest.metadata:
        fp = _fingerprint(entry.fingerprint)
        add("")
        add(f"### `{entry.path}`")
        add("")
        add(_md(_summary(entry)))
        if entry.grants:
            add("")
            for grant in entry.grants[:RECORD_GRANTS]:
                add(f"- {_md(_grant_words(grant, online))}")
            if len(entry.grants) > RECORD_GRANTS:
                add(f"- {_md(_more_grants(entry))}")
        add("")
        add("Fingerprint (SHA-256 of the signed bytes):")
        add("")
        add("```")
        add(fp.hex_text(groups_per_line=8))
        add("```")
        add("")
        add(fp.words_text())
        add("")
        add(f"![QR code of the fingerprint of {entry.path}]({qr_file_name(entry.path)})")
        add("")
        add("Signatures:")
        add("")
        if not entry.signer_sets:
            add("- no threshold for this file in this export")
        for signer_set in entry.signer_sets:
            add(f"- {_md(_set_words(signer_set))}")
            for key in signer_set.signed:
                add(f"  - {_md(key.label)}: `{key.keyid}`")
        add("")
        add("Initials: ________  ________  ________")
    add("")
    add("## Files")
    add("")
    add("| File | Bytes | SHA-256 |")
    add("|---|---:|---|")
    for f in manifest.files:
        add(f"| `{f.path}` | {f.size} | `{f.sha256}` |")
    add("")
    add("## Transcript")
    add("")
    if manifest.transcript is None:
        add("No transcript was exported.")
    else:
        t = manifest.transcript
        add(f"- File: `{t.path}`, SHA-256 `{t.sha256}`")
        add(f"- Final hash of the chain: `{t.final_hash}`" if t.final_hash else "- No final hash")
    if manifest.notices:
        add("")
        add("## What the online side must do next")
        add("")
        for notice in manifest.notices:
            add(f"- {_md(notice)}")
    add("")
    add("## Signatures of the participants")
    add("")
    add("By signing, each participant confirms that the fingerprints above are the ones read")
    add("aloud and compared during the ceremony.")
    add("")
    add("| Name | Role | Signature | Date |")
    add("|---|---|---|---|")
    for p in manifest.participants:
        if not p.online and not p.retired:
            add(f"| {_md(p.name)} | keyholder | | |")
    add("| | coordinator | | |")
    add("| | witness | | |")
    add("")
    return "\n".join(out)


# HTML -------------------------------------------------------------------------------------

_STYLE = """
@page { size: A4; margin: 14mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt;
       color: #000; background: #fff; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 17pt; margin: 0 0 4pt; }
h2 { font-size: 13pt; border-bottom: 1.5pt solid #000; margin: 16pt 0 6pt; }
h3 { font-size: 11pt; margin: 0 0 4pt; font-family: monospace; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.75pt solid #000; padding: 3pt 4pt; text-align: left; vertical-align: top; }
.mono, code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; }
.hex { font-family: "DejaVu Sans Mono", monospace; font-size: 11pt; letter-spacing: 0.5pt; }
.words { font-style: italic; }
.digest { display: flex; gap: 10pt; align-items: flex-start; }
.qr img { width: 42mm; height: 42mm; image-rendering: pixelated; display: block; }
.qr figcaption { font-size: 8pt; text-align: center; }
.role { border: 1pt solid #000; padding: 6pt 8pt; margin: 0 0 8pt; break-inside: avoid; }
.keyid { font-family: monospace; font-size: 8pt; word-break: break-all; }
.wet td { height: 22pt; }
.initials { margin-top: 6pt; }
.notmet { font-weight: bold; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(alt)}">'


def _digest_block(digest_hex: str, png: bytes | None, alt: str, caption: str) -> list[str]:
    fp = _fingerprint(digest_hex)
    out = ['<div class="digest">']
    if png is not None:
        out.append(
            f'<figure class="qr">{_img(png, alt)}<figcaption>{_e(caption)}</figcaption></figure>'
        )
    out.append("<div>")
    hex_lines = _e(fp.hex_text(groups_per_line=4)).replace("\n", "<br>")
    out.append(f'<div class="hex">{hex_lines}</div>')
    words = _e(fp.words_text(words_per_line=4)).replace("\n", "<br>")
    out.append(f'<p class="words">{words}</p>')
    out.append("</div></div>")
    return out


def record_html(record: RecordInput) -> str:
    manifest = record.manifest
    online = _online_names(manifest)
    qr = record.qr_images
    out: list[str] = []
    add = out.append
    add("<!DOCTYPE html>")
    add('<html lang="en">')
    add("<head>")
    add('<meta charset="utf-8">')
    add(f"<title>Ceremony record: {_e(manifest.repository)} {_e(manifest.ceremony_id)}</title>")
    add(f"<style>{_STYLE}</style>")
    add("</head>")
    add("<body>")
    add(f"<h1>Ceremony record: {_e(manifest.repository)}</h1>")
    add(
        f"<p>Ceremony id <code>{_e(manifest.ceremony_id)}</code>; exported "
        f"{_e(manifest.created)}; ceremony {_e(manifest.tool_version)}</p>"
    )
    add("<h2>Manifest</h2>")
    add("<p>SHA-256 of <code>manifest.json</code>:</p>")
    out.extend(
        _digest_block(
            record.manifest_sha256,
            qr.get(MANIFEST_QR),
            "QR code of the SHA-256 of manifest.json",
            "manifest.json",
        )
    )
    add("<h2>Participants</h2>")
    add("<table><tr><th>Name</th><th>Kind</th><th>Keyid</th><th>Device</th></tr>")
    for p in manifest.participants:
        kind = _participant_kind(p)
        add(
            f"<tr><td>{_e(p.name)}</td><td>{kind}</td>"
            f'<td class="keyid">{_e(format_keyid(p.keyid))}</td><td>{_e(p.device) or "-"}</td></tr>'
        )
    add("</table>")
    add("<p>Coordinator: ______________________ &nbsp; Witness: ______________________</p>")
    add("<h2>What was signed</h2>")
    for entry in manifest.metadata:
        add('<section class="role">')
        add(f"<h3>{_e(entry.path)}</h3>")
        add(f"<p>{_e(_summary(entry))}</p>")
        if entry.grants:
            add("<ul>")
            for grant in entry.grants[:RECORD_GRANTS]:
                add(f"<li>{_e(_grant_words(grant, online))}</li>")
            if len(entry.grants) > RECORD_GRANTS:
                add(f"<li>{_e(_more_grants(entry))}</li>")
            add("</ul>")
        add("<p>Fingerprint (SHA-256 of the signed bytes):</p>")
        out.extend(
            _digest_block(
                entry.fingerprint,
                qr.get(entry.path),
                f"QR code of the fingerprint of {entry.path}",
                entry.path.rsplit("/", 1)[-1],
            )
        )
        add("<p>Signatures:</p><ul>")
        if not entry.signer_sets:
            add("<li>no threshold for this file in this export</li>")
        for signer_set in entry.signer_sets:
            css = "" if signer_set.met else ' class="notmet"'
            add(f"<li{css}>{_e(_set_words(signer_set))}<br>")
            for key in signer_set.signed:
                add(
                    f'<span class="keyid">{_e(key.label)}: {_e(format_keyid(key.keyid))}</span><br>'
                )
            add("</li>")
        add("</ul>")
        add('<p class="initials">Initials: ________ &nbsp; ________ &nbsp; ________</p>')
        add("</section>")
    add("<h2>Files</h2>")
    add("<table><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr>")
    for f in manifest.files:
        add(
            f'<tr><td class="mono">{_e(f.path)}</td><td>{f.size}</td>'
            f'<td class="keyid">{_e(f.sha256)}</td></tr>'
        )
    add("</table>")
    add("<h2>Transcript</h2>")
    if manifest.transcript is None:
        add("<p>No transcript was exported.</p>")
    else:
        t = manifest.transcript
        add(
            f'<p>File <code>{_e(t.path)}</code>, SHA-256 <span class="keyid">{_e(t.sha256)}'
            "</span></p>"
        )
        final = _e(t.final_hash) if t.final_hash else "none given"
        add(f'<p>Final hash of the chain: <span class="keyid">{final}</span></p>')
    if manifest.notices:
        add("<h2>What the online side must do next</h2><ul>")
        for notice in manifest.notices:
            add(f"<li>{_e(notice)}</li>")
        add("</ul>")
    add("<h2>Signatures of the participants</h2>")
    add(
        "<p>By signing, each participant confirms that the fingerprints above are the ones "
        "read aloud and compared during the ceremony.</p>"
    )
    add('<table class="wet"><tr><th>Name</th><th>Role</th><th>Signature</th><th>Date</th></tr>')
    for p in manifest.participants:
        if not p.online and not p.retired:
            add(f"<tr><td>{_e(p.name)}</td><td>keyholder</td><td></td><td></td></tr>")
    add("<tr><td></td><td>coordinator</td><td></td><td></td></tr>")
    add("<tr><td></td><td>witness</td><td></td><td></td></tr>")
    add("</table>")
    add("</body>")
    add("</html>")
    return "\n".join(out) + "\n"
