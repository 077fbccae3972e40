"""Secrets generated once into an app's data folder and shared by its releases."""

import os
import secrets
from pathlib import Path


def load_or_create_secret(path: Path, nbytes: int = 32) -> str:
    """Read the secret at `path`, creating it atomically if missing (safe for concurrent starts)."""
    path = Path(path)
    if not path.exists():
        candidate = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        # Created private from the start: no moment where others could read it.
        fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(nbytes))
        try:
            # link() fails if another process created the file first; theirs wins.
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text().strip()
