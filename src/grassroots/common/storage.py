"""Content-addressed files on disk: the one atomic write every app's uploads go through
(event photos, supervision evidence, oversight cases, party-building records)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO


def store_once(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` once and atomically; return ``path``.

    A file already at ``path`` with the same size is kept (the name is the content's digest,
    so it holds these bytes). Otherwise the bytes go to a temporary file in the target
    directory, are flushed to disk, made readable (0644) and renamed over ``path``; on any
    failure the temporary file is removed and the error propagates.
    """
    if path.exists() and path.stat().st_size == len(data):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[bytes]
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
