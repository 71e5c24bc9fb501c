"""Throwaway SoftHSM2 tokens for rehearsals: a private configuration, never the system's.

SoftHSM2 keeps its tokens in the directory its configuration file names, and reads the file
named by SOFTHSM2_CONF when the module is initialised. A rehearsal writes its own
configuration and token directory, points SOFTHSM2_CONF at it and re-initialises the module, so
the machine's real tokens are never touched and nothing is left behind outside the rehearsal.

Tokens are created with `softhsm2-util` because python-pkcs11 has no C_InitToken. Its practice
PINs go on that tool's command line: they protect nothing, and the rehearsal prints them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ceremony.errors import DeviceError
from ceremony.keys.pkcs11_module import release_module

ENV_VAR: Final = "SOFTHSM2_CONF"
# Where distributions install the module; the Debian path is a symlink to the multiarch copy.
MODULE_CANDIDATES: Final = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
)
# softhsm2-util's defaults for new tokens need an SO PIN; a practice one is enough.
PRACTICE_SO_PIN: Final = "practice-so-pin"


@dataclass(frozen=True)
class SoftHsmInstall:
    module: str
    util: str


def find_softhsm() -> SoftHsmInstall | None:
    """SoftHSM2's module and its `softhsm2-util`, or None when it is not installed."""
    util = shutil.which("softhsm2-util")
    module = next((m for m in MODULE_CANDIDATES if Path(m).is_file()), None)
    if util is None or module is None:
        return None
    return SoftHsmInstall(module=module, util=util)


def write_config(directory: Path) -> Path:
    """A SoftHSM2 configuration keeping tokens in `directory/tokens`; returns its path."""
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
        "slots.removable = false\n",
        "utf-8",
    )
    return conf


def init_token(install: SoftHsmInstall, conf: Path, label: str, pin: str) -> None:
    """Create a token in the free slot of the SoftHSM2 instance configured by `conf`.

    SoftHSM2 only finds tokens when it is initialised, so the module is finalised afterwards
    (ending any session this process has open on it): its next use sees the new token.
    """
    env = {**os.environ, ENV_VAR: str(conf)}
    done = subprocess.run(
        [
            install.util,
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            pin,
            "--so-pin",
            PRACTICE_SO_PIN,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise DeviceError(
            f"softhsm2-util could not create the token {label!r}"
            + (f": {detail[-1]}" if detail else ""),
            "check that softhsm2 is installed and the rehearsal directory is writable",
        )
    release_module(install.module)


@contextmanager
def softhsm_config(install: SoftHsmInstall, conf: Path) -> Iterator[None]:
    """Use the SoftHSM2 configuration `conf` in this process, then restore the previous one."""
    previous = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(conf)
    release_module(install.module)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = previous
        release_module(install.module)
