"""Exclusive locks across processes and threads: `flock` on a lock file beside the data."""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def flocked(lock_file) -> Iterator[None]:
    """Hold an exclusive flock on an open lock file."""
    fcntl.flock(lock_file, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(lock_file, fcntl.LOCK_UN)


@contextmanager
def writer_lock(lock_path) -> Iterator[None]:
    """Hold the exclusive lock of `lock_path` (created if missing)."""
    # flock locks belong to the open file, so threads of one process also exclude each other.
    with open(lock_path, "a") as lock_file, flocked(lock_file):
        yield
