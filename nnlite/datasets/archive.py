"""extract_zip: unpack a zip archive without letting any member escape its folder.

A zip member's name is a path chosen by whoever made the archive. A name such as
``../../.bashrc`` or ``/etc/passwd`` ("zip slip") would write outside the folder being
extracted into. Python's ``zipfile`` quietly rewrites such names; this module refuses the
whole archive instead, before writing anything, so a hostile or broken archive is noticed.

A zip also declares each member's size, and a small archive can declare gigabytes (a "zip
bomb": 199 KiB that unpack to 201 MiB). The declared sizes are added up before anything is
read or written and must stay under ``MAX_EXPANSION`` times the archive's size (plus
``SLACK``), or under the ``max_bytes`` given; ``zipfile`` never unpacks more of a member than
it declares, so the declared total bounds what is written.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path, PurePosixPath

#: What an archive may unpack to, per byte of its own size (images and IDX files compress to
#: half their size at best; a bomb, a thousandth), plus ``SLACK`` bytes
MAX_EXPANSION = 64
SLACK = 1 << 20


def check_sizes(archive: zipfile.ZipFile, path: str | os.PathLike, max_bytes: int | None) -> None:
    """Raise ``ValueError`` if the members declare more than ``max_bytes`` together (by
    default ``MAX_EXPANSION`` times the archive's size plus ``SLACK``)."""
    limit = MAX_EXPANSION * os.path.getsize(path) + SLACK if max_bytes is None else max_bytes
    declared = sum(member.file_size for member in archive.infolist())
    if declared > limit:
        raise ValueError(
            f"refusing to extract {os.fspath(path)!r}: its members declare {declared:,} bytes, "
            f"more than the {limit:,} allowed for an archive of {os.path.getsize(path):,} bytes "
            f"(a zip bomb?); pass max_bytes=... if you trust it"
        )


def unsafe_members(archive: zipfile.ZipFile) -> list[str]:
    """The names in ``archive`` that would land outside the folder it is extracted into."""
    unsafe = []
    for name in archive.namelist():
        # Zip names use "/", but archives made on Windows may use "\\"; treat both alike
        path = PurePosixPath(name.replace("\\", "/"))
        has_drive = len(name) >= 2 and name[1] == ":"
        if path.is_absolute() or has_drive or ".." in path.parts:
            unsafe.append(name)
    return unsafe


def check_zip(path: str | os.PathLike, *, max_bytes: int | None = None) -> None:
    """Raise ``ValueError`` unless ``path`` is a complete zip archive with only safe names and
    a declared size within bounds (see :func:`check_sizes`).

    Reads every member and checks its CRC, so a damaged download is caught here rather than
    halfway through extracting it.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            unsafe = unsafe_members(archive)
            if unsafe:
                raise ValueError(_unsafe_message(path, unsafe))
            check_sizes(archive, path, max_bytes)
            damaged = archive.testzip()
    except zipfile.BadZipFile as error:
        raise ValueError(f"{os.fspath(path)!r} is not a valid zip archive ({error})") from None
    if damaged is not None:
        raise ValueError(f"{os.fspath(path)!r}: the member {damaged!r} is damaged (bad CRC)")


def extract_zip(
    archive_path: str | os.PathLike,
    destination: str | os.PathLike,
    *,
    max_bytes: int | None = None,
) -> None:
    """Extract every member of the zip at ``archive_path`` into the folder ``destination``.

    Refuses the archive (``ValueError``, nothing written) if any member's name is absolute,
    has a drive letter or climbs out with ``..``, or if the members declare more than
    ``max_bytes`` together (by default ``MAX_EXPANSION`` times the archive's size).
    """
    destination = Path(destination)
    with zipfile.ZipFile(archive_path) as archive:
        unsafe = unsafe_members(archive)
        root = destination.resolve()
        for name in archive.namelist():
            # Belt and braces: also catch names that resolve outside through a symlink
            if not (root / name).resolve().is_relative_to(root) and name not in unsafe:
                unsafe.append(name)
        if unsafe:
            raise ValueError(_unsafe_message(archive_path, unsafe))
        check_sizes(archive, archive_path, max_bytes)
        archive.extractall(destination)


def _unsafe_message(path: str | os.PathLike, unsafe: list[str]) -> str:
    shown = ", ".join(repr(name) for name in unsafe[:5]) + (", ..." if len(unsafe) > 5 else "")
    return (
        f"refusing to extract {os.fspath(path)!r}: {len(unsafe)} member(s) would be written "
        f"outside the destination folder ({shown})"
    )
