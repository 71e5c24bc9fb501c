"""Serve a repository directory over HTTP on 127.0.0.1, in-process, for the TUF clients.

Only the loopback interface is used and the port is chosen by the kernel, so tests can run
in parallel and nothing is reachable from outside the machine.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"


@dataclass
class ServedDirectory:
    """A directory being served; `requests` lists the URL paths clients asked for, in order."""

    root: Path
    base_url: str
    requests: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)


class _RepositoryServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__((LOOPBACK, 0), _QuietHandler)
        port = self.server_address[1]
        self.served = ServedDirectory(root=root, base_url=f"http://{LOOPBACK}:{port}")


class _QuietHandler(SimpleHTTPRequestHandler):
    def __init__(self, request: Any, client_address: Any, server: _RepositoryServer) -> None:
        self._served = server.served
        super().__init__(request, client_address, server, directory=str(server.served.root))

    def do_GET(self) -> None:
        self._served.record(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: `ServedDirectory.requests` is the access log."""


@contextmanager
def serve_directory(root: Path) -> Iterator[ServedDirectory]:
    """Serve `root` read-only on an ephemeral 127.0.0.1 port until the block exits."""
    server = _RepositoryServer(root)
    thread = threading.Thread(
        target=server.serve_forever, name=f"repo-server-{server.server_address[1]}", daemon=True
    )
    thread.start()
    try:
        yield server.served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
