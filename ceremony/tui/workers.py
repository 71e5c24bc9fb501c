"""Device work off the screen's thread, with one error handler for every worker.

Token listings, device checks, key generation and signing run in a worker thread so the screen
stays responsive. `in_thread` runs one such piece of work and hands its result, or its error,
back on the screen's thread; a device library failing in an unexpected way becomes one clear
`CeremonyError` (never a traceback), said the same way for every worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.dom import DOMNode

from ceremony.errors import CeremonyError

T = TypeVar("T")

DEVICE_HINT = "check the device and try again"


def unexpected(error: Exception, hint: str = DEVICE_HINT) -> CeremonyError:
    """What the keyholder reads when a device library fails in a way nobody planned for."""
    return CeremonyError(f"the device failed: {type(error).__name__}", hint)


def in_thread(
    node: DOMNode,
    work: Callable[[], T],
    done: Callable[[T], None],
    failed: Callable[[CeremonyError], None],
    *,
    group: str,
    hint: str = DEVICE_HINT,
) -> None:
    """Run `work` in a worker thread of `node`; `done(result)` or `failed(error)` then runs on
    the screen's thread. `hint` is the hint of an unexpected failure."""
    app = node.app

    def run() -> None:
        try:
            result = work()
        except CeremonyError as e:
            app.call_from_thread(failed, e)
            return
        except Exception as e:  # a device library failing in an unexpected way
            app.call_from_thread(failed, unexpected(e, hint))
            return
        app.call_from_thread(done, result)

    node.run_worker(run, thread=True, group=group, exit_on_error=False)
