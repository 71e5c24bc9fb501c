"""Facts about the machine a ceremony runs on, recorded at its start (docs/transcript.md).

What the record needs to show later that the ceremony ran on the software and the air-gapped
machine it claims: the tool's version and a hash of its installed files, the Python and key
library versions, whether any network interface other than loopback is up, and the system
clock (TUF expiry dates are computed from it, so the coordinator confirms it against a trusted
clock).

Everything here only reads: package metadata, the package's own files and the kernel's view of
the network interfaces under /sys/class/net. No socket is ever opened or connected; the
fallback when /sys is not there lists interface names with `socket.if_nameindex()`, which asks
the kernel and sends nothing. Environment variables are never read: they may hold PINs.
"""

from __future__ import annotations

import hashlib
import platform
import socket
import sys
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from ceremony import __version__

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
"""The installed `ceremony` package directory whose files are hashed."""

SYS_NET = Path("/sys/class/net")

LIBRARIES = (
    "tuf",
    "securesystemslib",
    "cryptography",
    "pynacl",
    "python-pkcs11",
    "textual",
    "qrcode",
)
"""Distributions whose versions decide what is signed and how: metadata, keys, devices, UI."""

# Linux <net/if.h>: the interface is administratively up / is the loopback interface.
IFF_UP = 0x1
IFF_LOOPBACK = 0x8


@dataclass(frozen=True)
class Interface:
    """A network interface as the kernel reports it."""

    name: str
    operstate: str  # "up", "down", "dormant", "unknown" (the kernel's words)
    admin_up: bool | None  # IFF_UP; None when it could not be read
    loopback: bool

    @property
    def may_be_up(self) -> bool:
        """Up, or possibly up: what the air-gap warning is about.

        An interface switched on but without a link (operstate "down") is counted: plugging in
        a cable would connect it. Only an interface known to be switched off is not.
        """
        return not self.loopback and self.admin_up is not False


@dataclass(frozen=True)
class PackageDigest:
    """SHA-256 over `sha256sum`-style lines of every package file, sorted by path."""

    sha256: str
    files: int


@dataclass(frozen=True)
class EnvironmentFacts:
    tool_version: str
    python: str
    implementation: str
    system: str
    libraries: dict[str, str]  # distribution -> version, or "not installed"
    openssl: str
    package: PackageDigest
    interfaces: tuple[Interface, ...]
    interfaces_known: bool  # False when the state of the interfaces could not be read
    clock: datetime

    @property
    def network_up(self) -> tuple[Interface, ...]:
        return tuple(i for i in self.interfaces if i.may_be_up)


def package_files(root: Path = PACKAGE_ROOT) -> list[Path]:
    """The package's own files, without compiled bytecode (it differs per interpreter run)."""
    return sorted(
        (
            p
            for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
        ),
        key=lambda p: p.relative_to(root.parent).as_posix(),
    )


def package_digest(root: Path = PACKAGE_ROOT) -> PackageDigest:
    """The hash a witness can recompute by hand in the directory holding the package:

    `find ceremony -type f ! -path '*/__pycache__/*' ! -name '*.py[co]' | LC_ALL=C sort |
    xargs sha256sum | sha256sum`
    """
    listing = hashlib.sha256()
    files = package_files(root)
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        listing.update(f"{digest}  {path.relative_to(root.parent).as_posix()}\n".encode())
    return PackageDigest(listing.hexdigest(), len(files))


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    result: dict[str, str] = {}
    for name in names:
        try:
            result[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            result[name] = "not installed"
    return result


def openssl_version() -> str:
    """The OpenSSL that cryptography signs and verifies with (it may bundle its own)."""
    try:
        from cryptography.hazmat.backends.openssl.backend import backend

        return str(backend.openssl_version_text())
    except (ImportError, AttributeError):
        return "unknown"


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None


def read_interfaces(sys_net: Path) -> tuple[tuple[Interface, ...], bool]:
    """Every network interface and whether their states could be read.

    From /sys/class/net/NAME/{operstate,flags}; without /sys (another kernel, a restricted
    container), the names from `socket.if_nameindex()` with unknown state, which the caller
    must treat as possibly up.
    """
    if sys_net.is_dir():
        result = []
        for entry in sorted(sys_net.iterdir()):
            flags_text = _read_text(entry / "flags")
            try:
                flags = int(flags_text, 16) if flags_text is not None else None
            except ValueError:
                flags = None
            operstate = _read_text(entry / "operstate") or "unknown"
            loopback = flags is not None and bool(flags & IFF_LOOPBACK)
            admin_up = None if flags is None else bool(flags & IFF_UP)
            result.append(Interface(entry.name, operstate, admin_up, loopback))
        return tuple(result), True
    try:
        names = sorted(name for _index, name in socket.if_nameindex())
    except OSError:
        return (), False
    return tuple(Interface(n, "unknown", None, n == "lo") for n in names), False


def gather(
    clock: datetime, *, package_root: Path | None = None, sys_net: Path | None = None
) -> EnvironmentFacts:
    """The facts of this machine now; `clock` is the system clock as the caller read it.

    `package_root` and `sys_net` default to this package and /sys/class/net.
    """
    interfaces, known = read_interfaces(sys_net or SYS_NET)
    return EnvironmentFacts(
        tool_version=__version__,
        python=platform.python_version(),
        implementation=sys.implementation.name,
        system=f"{platform.system()} {platform.release()} {platform.machine()}".strip(),
        libraries=library_versions(),
        openssl=openssl_version(),
        package=package_digest(package_root or PACKAGE_ROOT),
        interfaces=interfaces,
        interfaces_known=known,
        clock=clock,
    )
