"""The playground's server: its API over HTTP, every bad request a 4xx with a message,
independent tabs, freed networks, and a clean start and stop from the shell."""

import json
import signal
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from helpers import start_playground
from rosenblatt import io
from rosenblatt.playground import server as server_module
from rosenblatt.playground.server import MAX_BODY, Playground
from rosenblatt.playground.session import Session

SPEC = {"dataset": "xor", "layers": [4], "activations": ["tanh"]}


@pytest.fixture
def base():
    server = Playground(("127.0.0.1", 0))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    server.server_close()


def request(url: str, body=None, raw: bytes | None = None):
    data = (
        raw if raw is not None else None if body is None else json.dumps(body).encode()
    )
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data)) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_a_tab_creates_steps_and_closes_its_network(base) -> None:
    url, server = base
    status, body, _ = request(url + "/api/session", {"spec": SPEC})
    assert status == 200
    created = json.loads(body)
    assert len(created["data"]["train"]) == 250 and created["view"]["epoch"] == 0
    status, body, _ = request(url + "/api/step", {"id": created["id"], "epochs": 3})
    assert status == 200 and json.loads(body)["view"]["epoch"] == 3
    assert len(server.sessions) == 1
    request(url + "/api/close", {"id": created["id"]})
    assert len(server.sessions) == 0
    status, body, _ = request(url + "/api/step", {"id": created["id"]})
    assert status == 404 and b"no such network" in body


def test_two_tabs_train_independent_networks(base) -> None:
    url, _ = base
    a = json.loads(request(url + "/api/session", {"spec": SPEC})[1])
    b = json.loads(
        request(url + "/api/session", {"spec": {**SPEC, "dataset": "circle"}})[1]
    )
    request(url + "/api/step", {"id": a["id"], "epochs": 5})
    view_b = json.loads(request(url + "/api/step", {"id": b["id"], "epochs": 1})[1])
    assert view_b["view"]["epoch"] == 1  # a's five epochs are a's alone


@pytest.mark.parametrize(
    ("path", "raw", "status", "message"),
    [
        ("/api/session", b"not json", 400, "not JSON"),
        ("/api/session", b"[1, 2]", 400, "JSON object"),
        ("/api/session", b'{"spec": {"dataset": "x"}}', 400, "dataset"),
        ("/api/session", b'{"spec": {"layers": [100]}}', 400, "neurons"),
        ("/api/step", b'{"id": "0", "epochs": 1000}', 400, "epochs"),
        ("/api/step", b'{"id": 5}', 404, "no such network"),
        ("/api/nothing", b"{}", 404, "no API"),
        ("/api/session", b"x" * (MAX_BODY + 1), 413, "bytes"),
    ],
)
def test_bad_requests_get_a_4xx_and_a_message(base, path, raw, status, message) -> None:
    url, _ = base
    code, body, headers = request(url + path, raw=raw)
    assert code == status
    assert message in json.loads(body)["error"]
    assert headers["Content-Type"] == "application/json"


def test_only_the_pages_own_files_are_served(base) -> None:
    url, _ = base
    for page in ("/", "/app.js", "/style.css"):
        status, body, _ = request(url + page)
        assert status == 200 and body
    for path in ("/../pyproject.toml", "/static/../server.py", "/etc/passwd"):
        assert request(url + path)[0] == 404
    page = request(url + "/")[1].decode()
    assert "http" not in page.replace("http-equiv", "")  # nothing from the internet


def test_a_failure_inside_is_a_500_without_a_traceback_and_the_server_lives_on(
    base, monkeypatch, capsys
) -> None:
    url, _ = base
    created = json.loads(request(url + "/api/session", {"spec": SPEC})[1])

    def broken(self, epochs=1):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Session, "step", broken)
    status, body, _ = request(url + "/api/step", {"id": created["id"]})
    assert status == 500 and b"secret" not in body and b"Traceback" not in body
    monkeypatch.undo()
    assert request(url + "/api/step", {"id": created["id"]})[0] == 200


def test_the_number_of_networks_is_bounded(base, monkeypatch) -> None:
    url, _ = base
    monkeypatch.setattr(server_module, "MAX_SESSIONS", 2)
    for _ in range(2):
        assert request(url + "/api/session", {"spec": SPEC})[0] == 200
    status, body, _ = request(url + "/api/session", {"spec": SPEC})
    assert status == 503 and b"close a tab" in body


def test_a_tab_that_went_away_is_freed_after_its_idle_time(base, monkeypatch) -> None:
    url, server = base
    request(url + "/api/session", {"spec": SPEC})
    monkeypatch.setattr(server_module, "IDLE_SECONDS", -1.0)
    request(url + "/api/session", {"spec": SPEC})  # any request drops the idle ones
    assert len(server.sessions) == 1


def test_export_gives_a_model_file_and_a_script(base, tmp_path) -> None:
    url, _ = base
    created = json.loads(request(url + "/api/session", {"spec": SPEC})[1])
    request(url + "/api/step", {"id": created["id"], "epochs": 5})
    status, body, headers = request(f"{url}/api/export?id={created['id']}&format=model")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    path = tmp_path / "exported.safetensors"
    path.write_bytes(body)
    assert type(io.load(path)).__name__ == "Sequential"
    status, body, _ = request(f"{url}/api/export?id={created['id']}&format=python")
    assert status == 200 and b"MLPClassifier(" in body
    assert request(f"{url}/api/export?id={created['id']}&format=exe")[0] == 400


def test_the_command_listens_where_it_says_and_stops_on_ctrl_c() -> None:
    process, url = start_playground()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert request(url)[0] == 200
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
        assert process.returncode == 0 and "stopped" in out
    finally:
        process.kill()


def test_a_bad_port_is_named(capsys) -> None:
    from rosenblatt import cli

    assert cli.main(["playground", "--port", "70000", "--no-browser"]) == 1
    assert "--port" in capsys.readouterr().err


def test_the_page_and_its_script_ship_with_the_package() -> None:
    folder = Path(server_module.__file__).parent / "static"
    assert {p.name for p in folder.iterdir()} >= {"index.html", "app.js", "style.css"}
