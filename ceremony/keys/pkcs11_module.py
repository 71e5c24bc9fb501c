"""Loading a PKCS#11 module (the vendor's .so), once per process, by its real path.

python-pkcs11 keeps one loaded library per path string. The same .so reached through two paths
(Debian's `/usr/lib/softhsm/libsofthsm2.so` is a symlink to the multiarch copy) would be
loaded and initialised twice, which fails with CKR_CRYPTOKI_ALREADY_INITIALIZED (feasibility
notes, section 1). So every path is resolved with `realpath` first.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pkcs11

from ceremony.errors import UsageError
from ceremony.keys.pkcs11_errors import ModuleLoadError, module_failure

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Pkcs11Lib

_HINT_INSTALL = (
    "install the token's PKCS#11 module (Debian: softhsm2, ykcs11, opensc-pkcs11, "
    "or the vendor's package) and give its path"
)


def resolve_module_path(path: str | os.PathLike[str] | None) -> str:
    """The real, absolute path of a module file; refuses what cannot be a module."""
    if path is None or str(path) == "":
        raise UsageError(
            "no PKCS#11 module given",
            "add ?module-path=/path/to/module.so to the pkcs11: URI, or give --module "
            "(`ceremony tokens --module PATH` prints complete key references)",
        )
    given = Path(path).expanduser()
    # realpath, not Path.resolve(strict=True): a dangling symlink must read as "not found".
    real = Path(os.path.realpath(given))
    if not real.exists():
        raise ModuleLoadError(f"PKCS#11 module {given} not found", _HINT_INSTALL)
    if not real.is_file():
        raise ModuleLoadError(f"PKCS#11 module {given} is not a file", _HINT_INSTALL)
    return str(real)


# Modules this process loaded, by real path, so that `release_module` can finalise one without
# loading it (python-pkcs11's `lib()` would initialise it again).
_LOADED: dict[str, Pkcs11Lib] = {}


def load_module(path: str | os.PathLike[str] | None) -> Pkcs11Lib:
    """The loaded, initialised module at `path` (resolved to its real path first)."""
    real = resolve_module_path(path)
    try:
        # Initialises the module again if `release_module` finalised it.
        lib = pkcs11.lib(real)
    except pkcs11.PKCS11Error as e:
        raise module_failure(real, e) from e
    _LOADED[real] = lib
    return lib


def release_module(path: str | os.PathLike[str]) -> None:
    """C_Finalize the module if this process initialised it; the next load initialises it again.

    A module reads its configuration at C_Initialize (SoftHSM2 reads SOFTHSM2_CONF then), so
    this is how a rehearsal switches this process to its own throwaway tokens. It ends every
    open session of the module, so it is only for moments where none is open.
    """
    lib = _LOADED.get(os.path.realpath(Path(path).expanduser()))
    if lib is not None and lib.initialized:
        with contextlib.suppress(pkcs11.PKCS11Error):
            lib.finalize()
