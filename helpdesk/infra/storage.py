"""Content-addressed file store for attachment bytes.

A blob lives at `<attachments_dir>/<sha256[:2]>/<sha256>`. Paths are built only from a
validated hex digest, never from anything a user typed, so no upload name can reach another
directory. The same bytes uploaded twice are stored once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from helpdesk.infra.settings import get_settings

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class InvalidDigest(ValueError):
    """The given value is not a lowercase hex SHA-256 digest."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, digest: str) -> Path:
        if not isinstance(digest, str) or not _SHA256_RE.match(digest):
            raise InvalidDigest(repr(digest)[:80])
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        """Store `data` and return its SHA-256 hex digest (idempotent)."""
        digest = sha256_hex(data)
        target = self.path_for(digest)
        if target.is_file():
            # Fresh again: the orphan sweep judges a blob by when it was last stored.
            os.utime(target)
            return digest
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Write beside the target and rename: readers never see a half-written blob, and
        # two writers of the same bytes just replace one complete file with another.
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass
            raise
        return digest

    def exists(self, digest: str) -> bool:
        return self.path_for(digest).is_file()

    def open(self, digest: str) -> BinaryIO:
        """Open a blob for reading; raises FileNotFoundError when it is missing."""
        return open(self.path_for(digest), "rb")

    def read(self, digest: str) -> bytes:
        with self.open(digest) as fh:
            return fh.read()

    def size(self, digest: str) -> int:
        return self.path_for(digest).stat().st_size

    def blobs(self) -> Iterator[tuple[str, float]]:
        """Every stored blob as (digest, last stored at, epoch seconds); temp files left out."""
        if not self.root.is_dir():
            return
        for sub in self.root.iterdir():
            if not sub.is_dir() or len(sub.name) != 2:
                continue
            for path in sub.iterdir():
                if _SHA256_RE.match(path.name) and path.name[:2] == sub.name:
                    try:
                        yield path.name, path.stat().st_mtime
                    except FileNotFoundError:
                        continue

    def delete(self, digest: str) -> bool:
        """Remove a blob; True when something was removed. Callers check no row still uses it."""
        try:
            self.path_for(digest).unlink()
        except FileNotFoundError:
            return False
        return True


def get_store() -> FileStore:
    # Not cached: tests and the CLI change HELPDESK_DATA_DIR and clear get_settings().
    return FileStore(get_settings().attachments_dir)
