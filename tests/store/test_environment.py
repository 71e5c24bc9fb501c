"""Environment facts: versions, the package hash, network interfaces, read without a socket."""

from __future__ import annotations

import socket
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ceremony import __version__
from ceremony.store.environment import (
    LIBRARIES,
    gather,
    library_versions,
    package_digest,
    read_interfaces,
)

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)


def fake_sys_net(tmp_path: Path, interfaces: dict[str, tuple[str, str | None]]) -> Path:
    """A /sys/class/net look-alike: name -> (operstate, flags in hex or None for unreadable)."""
    root = tmp_path / "sys-class-net"
    root.mkdir()
    for name, (operstate, flags) in interfaces.items():
        (root / name).mkdir()
        (root / name / "operstate").write_text(operstate + "\n")
        if flags is not None:
            (root / name / "flags").write_text(flags + "\n")
    return root


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to make a socket fails the test: facts are read, never asked over a network."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_interfaces_that_are_up_or_may_come_up_are_flagged(tmp_path: Path) -> None:
    sys_net = fake_sys_net(
        tmp_path,
        {
            "lo": ("unknown", "0x9"),  # loopback, up: never a concern
            "eth0": ("up", "0x1003"),  # up with a link
            "usb0": ("down", "0x1003"),  # switched on, no cable yet
            "wlan0": ("down", "0x1002"),  # switched off
            "odd0": ("unknown", None),  # flags unreadable: assume the worst
        },
    )
    interfaces, known = read_interfaces(sys_net)
    assert known
    by_name = {i.name: i for i in interfaces}
    assert by_name["lo"].loopback
    assert by_name["eth0"].admin_up is True
    assert by_name["wlan0"].admin_up is False
    assert by_name["odd0"].admin_up is None
    facts = gather(NOW, sys_net=sys_net)
    assert [i.name for i in facts.network_up] == ["eth0", "odd0", "usb0"]


def test_an_air_gapped_machine_has_nothing_up(tmp_path: Path) -> None:
    sys_net = fake_sys_net(tmp_path, {"lo": ("unknown", "0x9"), "eth0": ("down", "0x1002")})
    facts = gather(NOW, sys_net=sys_net)
    assert facts.interfaces_known
    assert facts.network_up == ()


@pytest.mark.usefixtures("no_sockets")
def test_without_sys_the_names_come_from_the_kernel_and_count_as_possibly_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "if_nameindex", lambda: [(1, "lo"), (2, "eth0")])
    facts = gather(NOW, sys_net=tmp_path / "no-sys")
    assert not facts.interfaces_known
    assert [i.name for i in facts.network_up] == ["eth0"]


@pytest.mark.usefixtures("no_sockets")
def test_gathering_opens_no_socket_and_reads_the_real_machine() -> None:
    facts = gather(NOW)
    assert facts.tool_version == __version__
    assert facts.clock == NOW
    assert set(facts.libraries) == set(LIBRARIES)
    assert facts.libraries["tuf"][0].isdigit()
    assert facts.package.files > 10
    assert len(facts.package.sha256) == 64


def test_unknown_libraries_are_named_not_installed() -> None:
    versions = library_versions(("tuf", "no-such-distribution-here"))
    assert versions["no-such-distribution-here"] == "not installed"
    assert versions["tuf"] != "not installed"


def make_package(tmp_path: Path) -> Path:
    root = tmp_path / "site" / "ceremony"
    (root / "cli").mkdir(parents=True)
    (root / "__pycache__").mkdir()
    (root / "__init__.py").write_text('__version__ = "0.1.0"\n')
    (root / "cli" / "main.py").write_text("print('hi')\n")
    (root / "cli" / "a-b.txt").write_text("data\n")
    (root / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"\x00bytecode")
    return root


def test_package_hash_is_the_documented_shell_pipeline(tmp_path: Path) -> None:
    root = make_package(tmp_path)
    pipeline = (
        "find ceremony -type f ! -path '*/__pycache__/*' ! -name '*.py[co]' | LC_ALL=C sort "
        "| xargs sha256sum | sha256sum"
    )
    by_hand = subprocess.run(
        ["sh", "-c", pipeline], cwd=root.parent, capture_output=True, text=True, check=True
    ).stdout.split()[0]
    digest = package_digest(root)
    assert digest.sha256 == by_hand
    assert digest.files == 3


def test_package_hash_changes_with_any_source_file_but_not_bytecode(tmp_path: Path) -> None:
    root = make_package(tmp_path)
    before = package_digest(root).sha256
    (root / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"other bytecode")
    assert package_digest(root).sha256 == before
    (root / "cli" / "main.py").write_text("print('hi!')\n")
    assert package_digest(root).sha256 != before


def test_environment_variables_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOFTHSM_USER_PIN", "918273645")
    facts = gather(NOW)
    assert "918273645" not in repr(facts)
