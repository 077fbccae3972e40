"""How `python -m <app>_app` serves: the bind address and reload mode's stand-in app."""

import json

from werkzeug.test import Client

from shared_contracts import serving


def test_localhost_binds_the_ipv4_loopback():
    assert serving.bind_address("http://localhost:8001") == "127.0.0.1:8001"
    assert serving.bind_address("http://example.test") == "example.test:80"


def test_reload_mode_loads_the_app_when_its_code_is_sound(monkeypatch, tmp_path):
    monkeypatch.setenv("MFE_DATA_DIR", str(tmp_path))
    reply = Client(serving.load_or_explain("products_app:create_app")).get("/healthz")
    assert reply.status_code == 200 and reply.json["app"] == "products"


def test_reload_mode_answers_500_naming_the_error_while_the_code_is_broken(capsys):
    app = serving.load_or_explain("shared_contracts.no_such_module:create_app")
    for path in ("/", "/api/products", "/healthz"):
        reply = Client(app).get(path)
        assert reply.status_code == 500
        body = json.loads(reply.data)
        assert body["error"] == "app-not-loaded"
        assert "ModuleNotFoundError" in body["message"] and "no_such_module" in body["message"]
        assert any("no_such_module" in line for line in body["details"])
    assert "ModuleNotFoundError" in capsys.readouterr().err


def test_reload_mode_watches_every_project_module_but_not_the_tests():
    sources = serving.project_sources()
    assert any(path.endswith("host_app/docs.py") for path in sources)
    assert any(path.endswith("shared_contracts/serving.py") for path in sources)
    assert not any("/tests/" in path for path in sources)
