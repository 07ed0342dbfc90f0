"""What every command shares about failing: a user mistake is a CommandError, printed as one Chinese line."""

from __future__ import annotations

from pathlib import Path


class CommandError(Exception):
    """A user mistake: printed as one line, exit code 2."""


def read_file(path: str) -> bytes:
    """The bytes of an input file; CommandError naming the file when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CommandError(f"无法读取 {path}: {error.strerror}") from error


def write_file(path: str, data: bytes) -> None:
    """Write an output file; CommandError naming the file when it cannot be written."""
    try:
        Path(path).write_bytes(data)
    except OSError as error:
        raise CommandError(f"无法写入 {path}: {error.strerror}") from error
