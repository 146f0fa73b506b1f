"""The attached files (file questions) beside a database backup: the database keeps what
they are, FILE_FOLDER their bytes, so a backup without them would restore answers whose
files are gone. Copied after the database's copy is taken: every file its rows name was
written before its row was committed, so the copy holds them all (and perhaps a few
newer ones no row names yet, which do no harm)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from collector.backup.services import BackupError


def files_beside(backup: Path) -> Path:
    """Where a backup's files are kept: collector-….sqlite.files/ beside it."""
    return backup.with_name(backup.name + ".files")


def copy_files(folder: Path, backup: Path) -> int:
    """Copy every file under `folder` beside `backup`, readable by its owner only; the
    number copied. Nothing to copy (no folder yet) copies nothing."""
    target = files_beside(backup)
    if target.exists():
        raise BackupError(f"{target} exists already: a backup never overwrites a file.")
    if not folder.is_dir():
        return 0
    target.mkdir(mode=0o700)
    copied = 0
    for source in sorted(folder.rglob("*")):
        # Files only, never what a link points to (the folder holds no links of ours).
        if source.is_symlink() or not source.is_file():
            continue
        destination = target / source.relative_to(folder)
        destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(source, destination)
        os.chmod(destination, 0o600)
        copied += 1
    return copied


def restore_files(backup: Path, folder: Path) -> int:
    """Put the files kept beside `backup` into `folder`; the number put back. A file
    already there under the same name is the same file (its name is its random id) and is
    left as it is; files of the folder the backup does not hold are left too."""
    source = files_beside(backup)
    if not source.is_dir():
        return 0
    restored = 0
    for kept in sorted(source.rglob("*")):
        if kept.is_symlink() or not kept.is_file():
            continue
        destination = folder / kept.relative_to(source)
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kept, destination)
        restored += 1
    return restored
