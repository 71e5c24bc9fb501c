"""Before the workspace exists: the plan draft, the roll call, and each keyholder's key
(runbook R1-R4), then the workspace created from them.

Keys are enrolled three ways: a new encrypted key file (on the keyholder's USB stick), a key
pair generated on a PKCS#11 token (guided/tokens.py), or an existing public key file. Each is
recorded in the wizard state (never a secret) and confirmed by its keyholder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ceremony.errors import KeyFileError, WorkspaceError
from ceremony.flows.keygen import keygen_keyfile, public_key_file_bytes, require_new_passphrase
from ceremony.guided import tokens as hardware
from ceremony.guided import wizard as files
from ceremony.guided.folder import Folder
from ceremony.guided.plan import PlanDraft, default_draft, plan_toml
from ceremony.guided.tokens import TokenView
from ceremony.guided.views import EnrolledView
from ceremony.guided.wizard import Enrolled, Participant
from ceremony.model.publickeys import format_keyid, parse_public_key_file
from ceremony.store.atomic import write_atomic
from ceremony.store.planfile import parse_plan, read_plan_bytes


def draft_of(folder: Folder) -> PlanDraft:
    if folder.wizard.draft is None:
        return default_draft()
    try:
        return PlanDraft.from_dict(folder.wizard.draft)
    except (KeyError, TypeError, ValueError) as e:
        raise WorkspaceError(
            f"{folder.location.wizard_path}: the saved plan draft is damaged ({e})",
            "build the plan again",
        ) from None


def save_draft(folder: Folder, draft: PlanDraft) -> None:
    """Check the draft's shape and keep it (no keys exist yet, so the plan is not final)."""
    if not draft.repository.strip():
        raise WorkspaceError("the repository has no name", "type the repository's name")
    if not draft.keyholders:
        raise WorkspaceError("there are no keyholders", "name at least one keyholder")
    for name in draft.keyholders:
        files.require_participant(name, "keyholder")
    for label, role in (("root", draft.root), ("targets", draft.targets)):
        unknown = [s for s in role.signers if s not in draft.keyholders]
        if unknown:
            raise WorkspaceError(
                f"{label} signer {unknown[0]!r} is not a keyholder",
                f"keyholders are: {', '.join(draft.keyholders)}",
            )
        if not role.signers or not 1 <= role.threshold <= len(role.signers):
            raise WorkspaceError(
                f"{label}: the threshold must be from 1 to {len(role.signers)}",
                "the threshold is how many of the signers must sign",
            )
    if not draft.online_key_file and not folder.practice:
        raise WorkspaceError(
            "no public key file for the online key",
            "give the path of the online key's public key file (JSON or PEM)",
        )
    folder.wizard.draft = draft.to_dict()
    folder.save()


def adopt_plan_file(folder: Folder, plan_path: Path) -> str:
    """Validate a plan file written by hand and take its keyholders as enrolled; returns the
    repository's name. The workspace is created from it next."""
    plan = parse_plan(read_plan_bytes(plan_path), plan_path)
    draft = PlanDraft(repository=plan.repository, keyholders=tuple(plan.keyholders))
    folder.wizard.draft = draft.to_dict()
    folder.wizard.enrolled = {
        name: Enrolled(
            name, holder.key.keyid, str(plan_path.parent / holder.key_file), "import", "", True
        )
        for name, holder in plan.keyholders.items()
    }
    folder.save()
    return plan.repository


def rollcall(folder: Folder) -> tuple[Participant, ...]:
    return files.read_rollcall(folder.location)


def set_rollcall(
    folder: Folder, participants: Sequence[tuple[str, str]]
) -> tuple[Participant, ...]:
    people = tuple(files.require_participant(n, r) for n, r in participants)
    if not any(p.role == "coordinator" for p in people):
        raise WorkspaceError(
            "nobody is the coordinator", "name one person as coordinator to lead the ceremony"
        )
    files.write_rollcall(folder.location, people)
    folder.wizard.rollcall_done = True
    folder.save()
    return people


def enrolled(folder: Folder) -> tuple[EnrolledView, ...]:
    return tuple(
        EnrolledView(
            e.name,
            e.method,
            e.keyid,
            format_keyid(e.keyid),
            e.public_key_file,
            e.reference,
            e.confirmed,
        )
        for e in folder.wizard.enrolled.values()
    )


def keyholders_to_enroll(folder: Folder) -> tuple[str, ...]:
    return tuple(n for n in draft_of(folder).keyholders if not folder.enrolled_confirmed(n))


def _record(folder: Folder, entry: Enrolled, public_bytes: bytes) -> EnrolledView:
    others = {e.keyid: n for n, e in folder.wizard.enrolled.items() if n != entry.name}
    if entry.keyid in others:
        raise KeyFileError(
            f"{entry.name}'s key is the same key as {others[entry.keyid]}'s",
            "every keyholder enrolls a key of their own",
        )
    keys_dir = folder.location.folder / files.KEYS_DIR
    keys_dir.mkdir(parents=True, exist_ok=True)
    target = keys_dir / f"{entry.name}.pub.json"
    write_atomic(target, public_bytes, replace=True)
    entry = replace(entry, public_key_file=f"{files.KEYS_DIR}/{entry.name}.pub.json")
    folder.wizard.enrolled[entry.name] = entry
    folder.save()
    return next(v for v in enrolled(folder) if v.name == entry.name)


def enroll_keyfile(
    folder: Folder, name: str, key_path: Path, passphrase: str, confirmation: str
) -> EnrolledView:
    """Generate an encrypted key file (e.g. on the keyholder's USB stick) and enroll it."""
    require_new_passphrase(passphrase, confirmation)
    result = keygen_keyfile(key_path, passphrase, "ed25519", folder.now())
    entry = Enrolled(name, result.keyid, "", "keyfile", result.uri, False)
    view = _record(folder, entry, public_key_file_bytes(result.public_key))
    return replace(view, warning=result.passphrase_warning or "")


def enroll_import(
    folder: Folder, name: str, public_key_path: Path, reference: str = ""
) -> EnrolledView:
    """Enroll an existing public key file (JSON or PEM) for `name`."""
    try:
        data = public_key_path.read_bytes()
    except OSError as e:
        raise KeyFileError(
            f"cannot read {public_key_path}: {e.strerror}", "check the path and the medium"
        ) from None
    key = parse_public_key_file(data, str(public_key_path))
    entry = Enrolled(name, key.keyid, "", "import", reference, False)
    return _record(folder, entry, public_key_file_bytes(key))


def enroll_pkcs11(
    folder: Folder, name: str, token: TokenView, key_label: str, algorithm: str, pin: str
) -> EnrolledView:
    """Generate a key pair on `token` (its PIN in `pin`, not kept) and enroll it (R1).

    The private key never leaves the token; the public key file goes into `keys/`. Device
    work: call it from a worker thread.
    """
    keys_dir = folder.location.folder / files.KEYS_DIR
    keys_dir.mkdir(parents=True, exist_ok=True)
    out = hardware.free_public_key_path(keys_dir, name)
    result = hardware.generate(token, key_label, algorithm, pin, out)
    del pin
    entry = Enrolled(name, result.public_key.keyid, "", "pkcs11", result.uri, False)
    return _record(folder, entry, public_key_file_bytes(result.public_key))


def confirm_enrollment(folder: Folder, name: str) -> None:
    entry = folder.wizard.enrolled.get(name)
    if entry is None:
        raise WorkspaceError(f"{name} has no enrolled key", "enroll the key first")
    folder.wizard.enrolled[name] = replace(entry, confirmed=True)
    folder.save()


def plan_text(folder: Folder) -> str:
    draft = draft_of(folder)
    key_files = {n: e.public_key_file for n, e in folder.wizard.enrolled.items()}
    if draft.online_key_file:
        key_files[draft.online_key] = draft.online_key_file
    return plan_toml(draft, key_files)


def write_plan(folder: Folder) -> Path:
    """plan.toml from the draft and the enrolled keys, once every key is confirmed (R3)."""
    missing = keyholders_to_enroll(folder)
    if missing:
        raise WorkspaceError(
            f"{missing[0]}'s key is not enrolled and confirmed yet",
            "enroll and confirm every keyholder's key first",
        )
    plan_path = folder.location.folder / files.PLAN_FILE
    write_atomic(plan_path, plan_text(folder).encode(), replace=True)
    return plan_path
