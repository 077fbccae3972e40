"""Concurrent writers: threads, app instances and processes on one data folder.

Every distinct event must count exactly once, and one event posted many times at once must
count once: the cross-process writer lock and the in-transaction id check make it so.
"""

import multiprocessing
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

from checkout_app import db
from checkout_app.tests.conftest import Shopper, envelope, make_app


def post_all(shopper_args: tuple, events: list[dict], start: threading.Barrier | None) -> list:
    """POST each event with a fresh client of the same shopper; the status codes."""
    app, token, origin = shopper_args
    client = app.test_client()
    headers = {"Origin": origin, "Authorization": f"Bearer {token}"}
    if start is not None:
        start.wait()
    return [client.post("/api/cart/items", json=e, headers=headers).status_code for e in events]


def browser(shopper: Shopper, app=None) -> tuple:
    """What a thread needs to act as `shopper` (optionally against another app instance)."""
    return (app or shopper.app, shopper.token, shopper.origin)


def test_distinct_events_from_many_threads_and_two_instances_count_once_each(tmp_path):
    """8 threads over two app instances, 20 adds each: 160 units, all 201."""
    first = make_app(tmp_path)
    second = make_app(tmp_path)
    shopper = Shopper(first)
    threads, per_thread = 8, 20
    start = threading.Barrier(threads)
    with ThreadPoolExecutor(threads) as pool:
        futures = [
            pool.submit(
                post_all,
                browser(shopper, first if n % 2 else second),
                [envelope("filters", 1) for _ in range(per_thread)],
                start,
            )
            for n in range(threads)
        ]
        statuses = [status for future in futures for status in future.result()]
    assert statuses == [201] * threads * per_thread
    assert shopper.cart()["itemCount"] == threads * per_thread


def test_one_event_from_8_threads_at_once_counts_once(tmp_path):
    """The same id raced from 8 threads (two instances): one 201, seven duplicates."""
    first, second = make_app(tmp_path), make_app(tmp_path)
    shopper = Shopper(first)
    event = envelope("grinder", 2)
    start = threading.Barrier(8)
    with ThreadPoolExecutor(8) as pool:
        futures = [
            pool.submit(post_all, browser(shopper, first if n % 2 else second), [event], start)
            for n in range(8)
        ]
        statuses = sorted(status for future in futures for status in future.result())
    assert statuses == [200] * 7 + [201]
    assert shopper.cart()["itemCount"] == 2


def _other_process(data_dir, token, events, ready, go, results) -> None:
    """Run in a child process: a separate checkout app posting `events` when told to."""
    app = make_app(data_dir)
    ready.set()
    go.wait(30)
    origin = app.config["CHECKOUT_V1_URL"]
    results.put(post_all((app, token, origin), events, None))


def test_another_process_writing_at_the_same_time(tmp_path):
    """A second process and this one's threads write together; nothing lost or doubled."""
    app = make_app(tmp_path)
    shopper = Shopper(app)
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Event(), context.Event(), context.Queue()
    theirs = [envelope("filters", 1) for _ in range(40)]
    duplicate = envelope("grinder", 1)
    child = context.Process(
        target=_other_process,
        args=(
            str(tmp_path),
            shopper.token,
            [*theirs, duplicate],
            ready,
            go,
            results,
        ),
    )
    child.start()
    try:
        assert ready.wait(60), "the child process did not start"
        go.set()
        with ThreadPoolExecutor(4) as pool:
            futures = [
                pool.submit(
                    post_all, browser(shopper), [envelope("filters", 1) for _ in range(10)], None
                )
                for _ in range(4)
            ]
            ours = [status for future in futures for status in future.result()]
        ours += post_all(browser(shopper), [duplicate], None)
        their_statuses = results.get(timeout=60)
    finally:
        child.join(60)
    assert ours[:40] == [201] * 40
    assert their_statuses[:40] == [201] * 40
    assert sorted([ours[40], their_statuses[40]]) == [200, 201]
    cart = {line["productId"]: line["quantity"] for line in shopper.cart()["lines"]}
    assert cart == {"filters": 80, "grinder": 1}


def test_a_writer_outside_the_lock_past_the_busy_timeout_is_a_503_that_changes_nothing(
    tmp_path, monkeypatch
):
    """A sqlite3 shell holding a write: the add answers 503 `busy` with Retry-After, the cart
    is unchanged, and the same add goes through once the shell lets go."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    app = make_app(tmp_path)
    shopper = Shopper(app)
    shell = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    shell.execute("BEGIN IMMEDIATE")
    try:
        add = envelope()
        response = shopper.post("/api/cart/items", add)
        assert response.status_code == 503
        assert response.json["error"] == "busy"
        assert response.headers["Retry-After"] == "1"
    finally:
        shell.execute("ROLLBACK")
        shell.close()
    assert shopper.cart()["itemCount"] == 0
    assert shopper.post("/api/cart/items", add).status_code == 201
    assert shopper.cart()["itemCount"] == 1
