"""How `python -m <app>_app` serves: the bind address and reload mode's stand-in app."""

import json
import os
import time

import pytest
from gunicorn.reloader import reloader_engines
from werkzeug.test import Client

from mfe_platform import serving


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
    assert any(path.endswith("mfe_platform/serving.py") for path in sources)
    assert not any("/tests/" in path for path in sources)


class Stop(Exception):
    """Ends a reloader's endless loop in a test."""


def since_boot_reloader(files, monkeypatch):
    """Reload mode's reloader over `files`; returns it and the files it reported, in order."""
    reported = []

    def callback(filename):
        reported.append(filename)
        raise Stop

    def one_look_only(seconds):
        raise Stop

    monkeypatch.setattr(time, "sleep", one_look_only)
    engine = reloader_engines[serving._since_boot_reloader()]
    return engine(extra_files=[str(f) for f in files], interval=1, callback=callback), reported


def test_reload_mode_reloads_for_a_file_saved_between_boot_and_the_first_look(
    tmp_path, monkeypatch
):
    """A save while the new worker imports the app (a second save right after a reload) is seen:
    gunicorn's own reloader took it as the baseline and never reloaded."""
    untouched, saved = tmp_path / "untouched.py", tmp_path / "saved.py"
    for path in (untouched, saved):
        path.write_text("x = 1\n")
        os.utime(path, (1_000_000, 1_000_000))
    reloader, reported = since_boot_reloader([untouched, saved], monkeypatch)
    later = reloader._booted + 1
    os.utime(saved, (later, later))
    with pytest.raises(Stop):
        reloader.run()
    assert reported == [str(saved)]


def test_reload_mode_does_not_reload_for_files_older_than_the_worker(tmp_path, monkeypatch):
    """Files last saved before the worker booted are what it imported: no reload."""
    old = tmp_path / "old.py"
    old.write_text("x = 1\n")
    os.utime(old, (1_000_000, 1_000_000))
    reloader, reported = since_boot_reloader([old], monkeypatch)
    with pytest.raises(Stop):
        reloader.run()
    assert reported == []
