"""The checkout SQLite database, shared by both releases and every worker process.

Readers never wait (WAL). Writers take an exclusive `flock` on a lock file first, so at most
one write transaction runs across all processes and threads; SQLite's busy handler, which
sleeps and retries (the slowest inserts came from it: docs/performance.md), is never needed.
"""

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app
from werkzeug.exceptions import InternalServerError

from checkout_app.schema import CARTS_TOUCHED, SCHEMA, SCOPED_PER_CART
from mfe_platform.filelock import flocked, writer_lock
from mfe_platform.web.errors import error_response

log = logging.getLogger(__name__)

# Only a writer outside our lock (a manual sqlite3 shell, a checkpoint) can still make us wait.
BUSY_TIMEOUT_MS = 5000


def connect(path: str) -> sqlite3.Connection:
    """Open a connection with the pragmas every connection needs."""
    # isolation_level=None: no implicit BEGIN; write_transaction says BEGIN IMMEDIATE itself.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    # NORMAL is safe in WAL mode: a crash of the app never loses a commit, a power cut might.
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def get_db() -> sqlite3.Connection:
    """This thread's connection to the app's database, opened once and then reused.

    Opening a connection and setting its pragmas costs more than the queries themselves
    (docs/performance.md); each worker thread keeps its own (sqlite3 connections must not be
    shared between threads). Connections run in autocommit mode, so none holds a transaction
    between requests.
    """
    local = current_app.extensions["checkout_db_local"]
    conn = getattr(local, "conn", None)
    if conn is None:
        conn = local.conn = connect(current_app.config["DATABASE"])
    return conn


# Opening the lock file once per thread, not once per write, is a cheaper insert; flock still
# excludes threads of one process from each other, because each open is a separate open file.
def _thread_lock_file():
    """This thread's open writer lock file, opened once."""
    local = current_app.extensions["checkout_db_local"]
    lock_file = getattr(local, "lock_file", None)
    if lock_file is None:
        lock_file = local.lock_file = open(current_app.config["DATABASE_LOCK"], "a")  # noqa: SIM115
    return lock_file


@contextmanager
def write_transaction() -> Iterator[sqlite3.Connection]:
    """One write transaction: commit on success, roll back on any exception."""
    conn = get_db()
    with flocked(_thread_lock_file()):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _scope_per_cart(conn: sqlite3.Connection) -> None:
    """Move an `applied_events` keyed by the event id alone to its per-cart layout."""
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'applied_events'"
    ).fetchone()
    if row is not None and "PRIMARY KEY (cart_id, event_id)" not in row["sql"]:
        conn.executescript(f"BEGIN IMMEDIATE; {SCOPED_PER_CART} COMMIT;")


def _add_touched_at(conn: sqlite3.Connection) -> None:
    """Give an older database's carts their `touched_at` column."""
    columns = [row["name"] for row in conn.execute("PRAGMA table_info(carts)")]
    if columns and "touched_at" not in columns:
        conn.execute(CARTS_TOUCHED)


def private_files(database: str, lock: str) -> None:
    """Make the database, its WAL, shared memory and lock files readable by the user only.

    SQLite creates the WAL and shared-memory files with the database file's permissions, so
    the database (and the lock file) are created 0600 before anything opens them; files of an
    older data folder are narrowed to 0600 too.
    """
    for path in (database, lock):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for path in (database, f"{database}-wal", f"{database}-shm", lock):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, 0o600)


def init_schema(app: Flask) -> None:
    """Create the tables if missing; safe when several processes start at once."""
    private_files(app.config["DATABASE"], app.config["DATABASE_LOCK"])
    with writer_lock(app.config["DATABASE_LOCK"]):
        conn = connect(app.config["DATABASE"])
        try:
            # WAL is a property of the database file: set once, kept by every later connection.
            conn.execute("PRAGMA journal_mode = WAL")
            _scope_per_cart(conn)
            _add_touched_at(conn)
            conn.executescript(SCHEMA)
        finally:
            conn.close()


def init_app(app: Flask) -> None:
    """Point the app at its database and create the schema; connections are per thread."""
    folder = Path(app.config["APP_DATA_DIR"])
    app.config.setdefault("DATABASE", str(folder / "checkout.sqlite3"))
    app.config.setdefault("DATABASE_LOCK", app.config["DATABASE"] + ".lock")
    app.extensions["checkout_db_local"] = threading.local()
    init_schema(app)

    @app.errorhandler(sqlite3.OperationalError)
    def database_error(error: sqlite3.OperationalError):
        # Only a writer outside our lock (a sqlite3 shell, a backup) holds the database past
        # the busy timeout: the add changed nothing and can simply be sent again.
        if "locked" in str(error) or "busy" in str(error):
            response = error_response(
                503, "busy", "the cart database is busy; nothing changed, try again in a moment"
            )
            response.headers["Retry-After"] = "1"
            return response
        log.exception("database error")
        return error_response(500, "internal-server-error", InternalServerError.description)
