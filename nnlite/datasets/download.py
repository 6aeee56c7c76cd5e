"""download_file: fetch a file once, completely and verified, or not at all.

What can go wrong with a download, and what this module does about it:

* **It stops halfway** (a dropped connection, a full disk, Ctrl-C). The data goes to a
  temporary file beside the destination, which is renamed into place only after every check
  below has passed; the rename is atomic, so the destination is either the old file, the new
  one, or absent, never half a file.
* **The server sends less than it announced.** The bytes received are compared with the
  ``Content-Length`` header, and a chunked transfer must end with its closing chunk. (A
  server that announces no length and just stops can only be caught by the checksum or the
  ``check`` function.)
* **The content is not what was expected.** With ``sha256`` (or ``md5``, which is what some
  datasets publish) the digest of the bytes received must match.
* **The content is damaged in a way a format can tell** (a broken zip or gzip). ``check``
  opens the temporary file and raises if it is not usable.
* **The server drips.** ``timeout`` bounds each wait for data, and ``deadline`` the whole
  download: a server sending a byte every half second never trips the first, so the second
  stops it.
* **Downloading again and again.** A destination that already exists and passes the same
  checks is reused; ``force=True`` downloads anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

#: Bytes read from the connection at a time.
CHUNK_SIZE = 1 << 16
#: Permissions of a downloaded file (mkstemp would leave it readable by its owner only).
FILE_MODE = 0o644
#: How the digests are called in messages.
DIGEST_NAMES = {"sha256": "SHA-256", "md5": "MD5"}


class DownloadError(OSError):
    """A download failed, arrived incomplete or damaged, or does not match its checksum."""


def download_file(
    url: str,
    path: str | os.PathLike,
    *,
    sha256: str | None = None,
    md5: str | None = None,
    check: Callable[[Path], object] | None = None,
    force: bool = False,
    timeout: float = 60.0,
    deadline: float | None = 3600.0,
    verbose: bool = True,
) -> Path:
    """Download ``url`` to ``path`` unless a verified copy is there already; return ``path``.

    ``sha256`` / ``md5``: the expected hex digest of the file (``None`` skips that check).
    ``check(path)``: raises if the file's content is unusable (for example not a valid zip).
    ``timeout``: seconds to wait for each piece of data; ``deadline``: seconds for the whole
    download (``None``: no limit).
    Raises :class:`DownloadError` when the file cannot be fetched, is shorter than the
    server announced, has another digest, or fails ``check``; the destination is then left
    as it was and the temporary file is removed.
    """
    path = Path(path)
    expected = _expected_digests(sha256=sha256, md5=md5)
    if path.exists() and not force:
        problem = _problem_with(path, expected, check)
        if problem is None:
            _say(verbose, f"Using {path} (already downloaded)")
            return path
        _say(verbose, f"{path} is unusable ({problem}); downloading it again")
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "wb") as file:
            _say(verbose, f"Downloading {url} to {path}")
            digests = _fetch(url, file, expected, timeout, deadline)
            file.flush()
            os.fsync(file.fileno())
        for name, digest in expected.items():
            if digests[name] != digest:
                raise DownloadError(
                    f"{url}: the {DIGEST_NAMES[name]} checksum of the download is {digests[name]}, "
                    f"expected {digest}; the file is damaged or not the one expected (nothing "
                    f"was kept)"
                )
        if check is not None:
            try:
                check(Path(temporary))
            except Exception as error:
                raise DownloadError(
                    f"{url}: the downloaded file is unusable: {error}; nothing was kept"
                ) from error
        os.chmod(temporary, FILE_MODE)
        # Atomic: the destination is the old file or the complete new one, never a part
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if not expected:
        _say(
            verbose,
            f"note: no checksum was given, so {path.name} was checked only for completeness "
            f"(its size){' and format' if check else ''}; pass sha256=... to verify its content",
        )
    return path


def file_digest(path: str | os.PathLike, algorithm: str = "sha256") -> str:
    """The hex digest of a file's bytes (``"sha256"`` or ``"md5"``), read in chunks."""
    digest = hashlib.new(algorithm, usedforsecurity=False)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch(
    url: str, file: BinaryIO, expected: dict[str, str], timeout: float, deadline: float | None
) -> dict[str, str]:
    """Stream ``url`` into ``file``, checking the length and the time taken; return the
    digests of the bytes."""
    digests = {name: hashlib.new(name, usedforsecurity=False) for name in expected}
    received = 0
    stop = None if deadline is None else time.monotonic() + deadline
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            announced = _content_length(response)
            # read1: whatever has arrived (at least a byte), so the deadline is looked at often
            while chunk := response.read1(CHUNK_SIZE):
                if stop is not None and time.monotonic() > stop:
                    raise DownloadError(
                        f"{url}: the download took longer than its deadline of {deadline} "
                        f"seconds ({received:,} bytes received); nothing was kept"
                    )
                file.write(chunk)
                received += len(chunk)
                for digest in digests.values():
                    digest.update(chunk)
    except urllib.error.HTTPError as error:
        raise DownloadError(f"{url}: the server answered {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise DownloadError(f"{url}: could not connect ({error.reason})") from error
    except http.client.IncompleteRead as error:
        raise DownloadError(
            f"{url}: the connection closed early, after {received + len(error.partial):,} "
            f"bytes; nothing was kept, try again"
        ) from error
    except (ConnectionError, TimeoutError) as error:
        raise DownloadError(
            f"{url}: the download broke off after {received:,} bytes ({error}); nothing was "
            f"kept, try again"
        ) from error
    if announced is not None and received != announced:
        raise DownloadError(
            f"{url}: the download is truncated: received {received:,} bytes of the "
            f"{announced:,} announced; nothing was kept, try again"
        )
    return {name: digest.hexdigest() for name, digest in digests.items()}


def _content_length(response: object) -> int | None:
    """The length the server announced, or ``None`` if it announced none (or nonsense)."""
    value = response.headers.get("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _expected_digests(*, sha256: str | None, md5: str | None) -> dict[str, str]:
    expected = {}
    for name, digest, length in (("sha256", sha256, 64), ("md5", md5, 32)):
        if digest is None:
            continue
        digest = digest.strip().lower()
        if len(digest) != length or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(
                f"download_file: {name} must be {length} hexadecimal digits, got {digest!r}"
            )
        expected[name] = digest
    return expected


def _problem_with(
    path: Path, expected: dict[str, str], check: Callable[[Path], object] | None
) -> str | None:
    """Why the existing file at ``path`` cannot be reused, or ``None`` if it can."""
    for name, digest in expected.items():
        actual = file_digest(path, name)
        if actual != digest:
            return f"its {DIGEST_NAMES[name]} is {actual}, expected {digest}"
    if check is not None:
        try:
            check(path)
        except Exception as error:
            return str(error)
    return None


def _say(verbose: bool, message: str) -> None:
    if verbose:
        print(message)
