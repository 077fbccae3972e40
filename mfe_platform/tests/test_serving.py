"""How `python -m <app>_app` serves: the bind address and reload mode's stand-in app."""

import json
import os
import threading
import time

import pytest
from gunicorn.reloader import reloader_engines
from werkzeug.test import Client

from mfe_platform import reloading, serving


def test_localhost_binds_the_ipv4_loopback():
    assert serving.bind_address("http://localhost:8001") == "127.0.0.1:8001"
    assert serving.bind_address("http://example.test") == "example.test:80"


def test_reload_mode_loads_the_app_when_its_code_is_sound(monkeypatch, tmp_path):
    monkeypatch.setenv("MFE_DATA_DIR", str(tmp_path))
    reply = Client(reloading.load_or_explain("products_app:create_app")).get("/healthz")
    assert reply.status_code == 200 and reply.json["app"] == "products"


def test_reload_mode_answers_500_naming_the_error_while_the_code_is_broken(capsys):
    app = reloading.load_or_explain("shared_contracts.no_such_module:create_app")
    for path in ("/", "/api/products", "/healthz"):
        reply = Client(app).get(path)
        assert reply.status_code == 500
        body = json.loads(reply.data)
        assert body["error"] == "app-not-loaded"
        assert "ModuleNotFoundError" in body["message"] and "no_such_module" in body["message"]
        assert any("no_such_module" in line for line in body["details"])
    assert "ModuleNotFoundError" in capsys.readouterr().err


def test_reload_mode_watches_every_project_module_but_not_the_tests():
    sources = reloading.project_sources()
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
    engine = reloader_engines[reloading.since_boot_reloader()]
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


def served_with(monkeypatch, app: str, argv: list[str], **environ) -> dict:
    """The server settings `python -m <app>_app <argv>` would run with, without running them."""
    chosen = {}
    for key in ("MFE_WORKERS", "MFE_RELOAD"):
        monkeypatch.delenv(key, raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(serving, "_run_granian", lambda target, bind, server: chosen.update(server))
    monkeypatch.setattr(
        serving, "_run_gunicorn", lambda target, bind, server, reload: chosen.update(server)
    )
    serving.serve(app, f"{app}_app:create_app", argv)
    return chosen


def test_products_and_checkout_run_one_process_with_four_lanes(monkeypatch):
    """One process per app keeps `make run` light; its other lanes serve beside slow requests."""
    for app in ("products", "checkout"):
        server = served_with(monkeypatch, app, ["--release", "2"])
        assert server["workers"] == 1 and server["processes"] is False
        assert server["blocking_threads"] == 4


def test_mfe_workers_runs_that_many_worker_processes(monkeypatch):
    server = served_with(monkeypatch, "checkout", [], MFE_WORKERS="3")
    assert server["workers"] == 3 and server["processes"] is True
    assert server["blocking_threads"] == 1
    assert served_with(monkeypatch, "products", ["--workers", "4"])["workers"] == 4


def test_mfe_workers_leaves_the_host_one_process(monkeypatch):
    """The host holds every page's WebSocket and the event log: it stays one worker."""
    assert served_with(monkeypatch, "host", [], MFE_WORKERS="3")["workers"] == 1


@pytest.mark.parametrize("value", ["0", "two", "-1", "17", "2.5"])
def test_a_bad_mfe_workers_stops_the_app_naming_it(monkeypatch, capsys, value):
    with pytest.raises(SystemExit):
        served_with(monkeypatch, "products", [], MFE_WORKERS=value)
    assert "MFE_WORKERS" in capsys.readouterr().err


def test_the_host_yields_after_a_response_to_connections_waiting_on_their_sockets():
    """Two connections whose requests keep coming and a third whose request already sits in
    its socket: after each response the hook lets the third in within a round, where
    `gevent.sleep(0)` let the busy two take all their 400 turns first."""
    order = []

    def serve_three():
        import gevent
        import gevent.socket

        waiting, sender = gevent.socket.socketpair()

        def busy(name):
            for _ in range(200):
                order.append(name)
                serving._yield_after_request(None, None, None, None)

        def reader():
            waiting.recv(1)
            order.append("waiting")

        read = gevent.spawn(reader)
        gevent.sleep(0.01)  # the reader now waits on its socket
        sender.sendall(b"x")
        gevent.joinall([read, gevent.spawn(busy, "a"), gevent.spawn(busy, "b")])
        waiting.close()
        sender.close()

    # A thread of its own, with its own gevent hub: the test process is not monkey-patched,
    # and Playwright's greenlets may be running in the main thread.
    thread = threading.Thread(target=serve_three)
    thread.start()
    thread.join(timeout=30)
    assert order.index("waiting") <= 4, order
