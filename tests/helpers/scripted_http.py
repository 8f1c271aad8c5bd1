"""A small misbehaving OpenAI-compatible server for fault tests: stdlib ThreadingHTTPServer in a thread.

Each path gets a script: a list of behaviours played one per request, the last one repeating. Every request is
recorded (method, path, headers, JSON body). Binds 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Recorded", "ScriptedServer", "chat", "models", "reply", "slow", "wait_until"]

Behaviour = Callable[[BaseHTTPRequestHandler, threading.Event], None]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


def reply(status: int, body: str | dict[str, Any], headers: dict[str, str] | None = None) -> Behaviour:
    """Answer with a status and a body (a dict is sent as JSON)."""
    payload = json.dumps(body) if isinstance(body, dict) else body

    def act(handler: BaseHTTPRequestHandler, _stop: threading.Event) -> None:
        data = payload.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/html")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    return act


def chat(text: str) -> Behaviour:
    """A well-formed chat completion whose answer is ``text``."""
    return reply(
        200,
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
        },
    )


def models(*ids: str, owned_by: str = "someone") -> Behaviour:
    return reply(200, {"object": "list", "data": [{"id": i, "object": "model", "owned_by": owned_by} for i in ids]})


def slow(seconds: float, then: Behaviour) -> Behaviour:
    """Wait (cut short when the server stops), then behave as ``then``."""

    def act(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        if not stop.wait(seconds):
            then(handler, stop)

    return act


class _KillableServer(ThreadingHTTPServer):
    """Tracks open connections so that stop() can cut them like a killed process would."""

    daemon_threads = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.connections: set[socket.socket] = set()

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.connections.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        for conn in list(self.connections):
            with contextlib.suppress(OSError):  # already closed by the peer: nothing left to cut
                conn.shutdown(socket.SHUT_RDWR)


@dataclass
class ScriptedServer:
    port: int = 0
    scripts: dict[str, list[Behaviour]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    in_flight_max: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._in_flight = 0
        self._server = _KillableServer(("127.0.0.1", self.port), self._handler_class())
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, path: str, *behaviours: Behaviour) -> None:
        self.scripts[path] = list(behaviours)

    def hits(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> "ScriptedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.cut_connections()
        self._thread.join(timeout=5)

    def _next(self, path: str) -> Behaviour:
        with self._lock:
            script = self.scripts.get(path)
            if not script:
                return reply(404, {"error": {"message": f"no script for {path}"}})
            return script.pop(0) if len(script) > 1 else script[0]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with self._lock:
            self.requests.append(Recorded(handler.command, handler.path, dict(handler.headers), body))
            self._in_flight += 1
            self.in_flight_max = max(self.in_flight_max, self._in_flight)
        try:
            self._next(handler.path)(handler, self._stop)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                owner._serve(self)

            def do_POST(self) -> None:  # noqa: N802
                owner._serve(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
                return None

        return Handler


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds pass (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
