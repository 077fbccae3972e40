"""Secrets generated once into an app's data folder and shared by its releases."""

import os
import secrets
from pathlib import Path


def load_or_create_secret(path: Path, nbytes: int = 32) -> str:
    """Read the secret at `path`, creating it atomically if missing (safe for concurrent starts)."""
    path = Path(path)
    if not path.exists():
        candidate = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        candidate.write_text(secrets.token_urlsafe(nbytes))
        os.chmod(candidate, 0o600)
        try:
            # link() fails if another process created the file first; theirs wins.
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text().strip()
