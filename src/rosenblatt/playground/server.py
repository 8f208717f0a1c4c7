"""The playground's web server: the page, and a small JSON API over the sessions.

The standard library's threading HTTP server is enough here: the page polls (asks
for the next step when it has drawn the last, so a slow tab never piles requests
up), every answer is one small JSON object, and the server listens on the loopback
interface for one person's tabs. Polling, not streaming, also means no second
protocol and no dependency.

API (every body is JSON; errors are ``{"error": message}`` with a 4xx status):

- ``POST /api/session`` ``{"spec": {...}}``: a new network; its id, data and view.
- ``POST /api/step`` ``{"id": ..., "epochs": k}``: train k epochs (1958: k samples).
- ``POST /api/close`` ``{"id": ...}``: the tab is going away; free its network.
- ``GET /api/export?id=...&format=model|python``: the model file, or a script.
"""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from rosenblatt.playground.export import model_file, python_snippet
from rosenblatt.playground.session import Session, Spec, SpecError

__all__ = ["Playground", "serve"]

MAX_BODY = 16 * 1024  # bytes: a spec is far smaller
MAX_SESSIONS = 16
IDLE_SECONDS = 120.0  # a tab that has not asked for this long is gone
MAX_EPOCHS_PER_STEP = 50
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
}


class RequestError(Exception):
    """A request the server refuses: its status and the message the page shows."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class Sessions:
    """The live networks by id, each with its own lock; idle ones are dropped."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[str, tuple[Session, threading.Lock, float]] = {}

    def create(self, spec: Spec) -> tuple[str, Session]:
        session = Session(spec)
        with self._lock:
            self._drop_idle()
            if len(self._live) >= MAX_SESSIONS:
                raise RequestError(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    f"{MAX_SESSIONS} networks are training already; close a tab",
                )
            key = secrets.token_hex(8)
            self._live[key] = (session, threading.Lock(), time.monotonic())
        return key, session

    def get(self, key: Any) -> tuple[Session, threading.Lock]:
        with self._lock:
            self._drop_idle()
            if not isinstance(key, str) or key not in self._live:
                raise RequestError(
                    HTTPStatus.NOT_FOUND, "no such network (it may have timed out)"
                )
            session, lock, _ = self._live[key]
            self._live[key] = (session, lock, time.monotonic())
        return session, lock

    def close(self, key: Any) -> None:
        with self._lock:
            if isinstance(key, str):
                self._live.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._live)

    def _drop_idle(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, _, t) in self._live.items() if now - t > IDLE_SECONDS]:
            del self._live[key]


class Playground(ThreadingHTTPServer):
    """The HTTP server, holding the sessions its handlers share."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self.sessions = Sessions()


class _Handler(BaseHTTPRequestHandler):
    server: Playground
    server_version = "rosenblatt-playground"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per request would bury the address the user needs."""

    def do_GET(self) -> None:
        self._answer(self._get)

    def do_POST(self) -> None:
        self._answer(self._post)

    def _answer(self, route: Any) -> None:
        try:
            status, body, kind, extra = route()
        except RequestError as error:
            status, kind, extra = error.status, "application/json", {}
            body = json.dumps({"error": str(error)}).encode()
        except Exception as error:  # noqa: BLE001 (the server must stay up)
            print(f"playground: {type(error).__name__}: {error}", file=sys.stderr)
            status, kind, extra = (
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "application/json",
                {},
            )
            body = json.dumps({"error": "the server could not do that"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    # --- routes ---

    def _get(self) -> tuple[HTTPStatus, bytes, str, dict[str, str]]:
        url = urlsplit(self.path)
        if url.path in STATIC:
            name, kind = STATIC[url.path]
            body = resources.files("rosenblatt.playground").joinpath("static", name)
            return HTTPStatus.OK, body.read_bytes(), kind, {}
        if url.path == "/api/export":
            query = parse_qs(url.query, max_num_fields=4)
            key = (query.get("id") or [""])[0]
            form = (query.get("format") or ["model"])[0]
            if form not in ("model", "python"):
                raise RequestError(HTTPStatus.BAD_REQUEST, "format: model or python")
            session, lock = self.server.sessions.get(key)
            with lock:
                if form == "python":
                    text = python_snippet(session).encode()
                    disposition = 'attachment; filename="playground.py"'
                    return (
                        HTTPStatus.OK,
                        text,
                        "text/x-python; charset=utf-8",
                        {"Content-Disposition": disposition},
                    )
                data = _model_bytes(session)
            disposition = 'attachment; filename="playground.safetensors"'
            return (
                HTTPStatus.OK,
                data,
                "application/octet-stream",
                {"Content-Disposition": disposition},
            )
        raise RequestError(HTTPStatus.NOT_FOUND, f"no page {url.path[:60]!r}")

    def _post(self) -> tuple[HTTPStatus, bytes, str, dict[str, str]]:
        request = self._json()
        path = urlsplit(self.path).path
        sessions = self.server.sessions
        answer: dict[str, Any]
        if path == "/api/session":
            try:
                spec = Spec.parse(request.get("spec"))
            except (SpecError, TypeError) as error:
                raise RequestError(HTTPStatus.BAD_REQUEST, str(error)) from None
            key, session = sessions.create(spec)
            answer = {"id": key, "data": session.data(), "view": session.view()}
        elif path == "/api/step":
            epochs = request.get("epochs", 1)
            if (
                isinstance(epochs, bool)
                or not isinstance(epochs, int)
                or not 0 <= epochs <= MAX_EPOCHS_PER_STEP
            ):
                raise RequestError(
                    HTTPStatus.BAD_REQUEST,
                    f"epochs must be an integer in [0, {MAX_EPOCHS_PER_STEP}]",
                )
            session, lock = sessions.get(request.get("id"))
            with lock:
                session.step(epochs)
                answer = {"view": session.view()}
        elif path == "/api/close":
            sessions.close(request.get("id"))
            answer = {"closed": True}
        else:
            raise RequestError(HTTPStatus.NOT_FOUND, f"no API {path[:60]!r}")
        return HTTPStatus.OK, json.dumps(answer).encode(), "application/json", {}

    def _json(self) -> dict[str, Any]:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise RequestError(HTTPStatus.BAD_REQUEST, "a bad Content-Length") from None
        if not 0 < length <= MAX_BODY:
            raise RequestError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE
                if length > MAX_BODY
                else HTTPStatus.BAD_REQUEST,
                f"the body must be 1 to {MAX_BODY} bytes of JSON",
            )
        try:
            request = json.loads(self.rfile.read(length))
        except (ValueError, UnicodeDecodeError):
            raise RequestError(HTTPStatus.BAD_REQUEST, "the body is not JSON") from None
        if not isinstance(request, dict):
            raise RequestError(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
        return request


def _model_bytes(session: Session) -> bytes:
    """The session's network as a model file, read back into memory."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "playground.safetensors"
        model_file(session, path)
        return path.read_bytes()


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = True) -> int:
    """Serve the playground until Ctrl-C; 0 when stopped, 1 if the port is taken."""
    try:
        server = Playground((host, port))
    except OSError as error:
        print(f"rosenblatt: playground: cannot listen on {host}:{port}: {error.strerror}",
              file=sys.stderr)  # fmt: skip
        return 1
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_address[1]}/"
    print(f"rosenblatt playground: listening on {url} (Ctrl-C stops it)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print("  note: reachable from other machines on this network", flush=True)
    if open_browser:
        import webbrowser

        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nrosenblatt playground: stopped", flush=True)
    finally:
        server.server_close()
    return 0
