"""Finding tokentui secrets in files and folders: the walk and the match, without the store.

What is read, and what is not:

- A folder is walked to the bottom, its entries in name order. Version-control folders
  (``.git``, ``.hg``, ``.svn``, ...) are skipped: their objects are compressed, and what
  they hold in the clear is the history of files that are scanned in the work tree.
- A symbolic link met on the walk is not followed, so the walk never leaves the tree and
  never loops, and a file reached by two names is read once; a file or folder named on the
  command line is used whatever it is (the user chose it).
- A file is read once, in chunks of bytes, and searched as bytes: a secret is ASCII,
  so no encoding has to be guessed and no odd byte can fail a decode.
- A file with a NUL byte in its first 8 KiB is binary and skipped, as git decides it.
- On the walk, a file larger than ``max_size`` is skipped with a warning (one line,
  so the gap is seen); a file named on the command line is read whatever its size, in
  chunks, so memory stays flat.
- A file or folder that cannot be read is one warning, and the scan goes on.
- :meth:`Scan.stop`, from any thread, ends the walk before its next file or chunk (the
  console's esc): what was read so far is in the tally and the sightings already given.

A sighting carries the secret's hash and last four, never the secret: what leaves this
module cannot print one.
"""

from __future__ import annotations

import io
import os
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tokentui.core.access.redact import redact
from tokentui.core.errors import InvalidInput
from tokentui.core.tokens import secret_format
from tokentui.core.vocabulary import Status, TokenKind
from tokentui.text import printable

if TYPE_CHECKING:
    from tokentui.core.results import TokenView

VCS_FOLDERS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", "CVS"})
# As git and grep decide it: a NUL byte this early means the file is not text.
BINARY_PROBE = 8 * 1024
MIB = 1024 * 1024
# Larger files on a walk are mostly data, archives and logs; naming one reads it anyway.
DEFAULT_MAX_SIZE = 16 * MIB
CHUNK = 4 * MIB
# A secret that starts in a chunk's last bytes ends in the next: that tail is searched again.
_OVERLAP = secret_format.SECRET_LENGTH - 1


@dataclass(frozen=True)
class Sighting:
    """One secret found in a file: where, which kind, and what the store keeps of it."""

    path: str
    line: int
    kind: TokenKind
    secret_hash: str
    last4: str


@dataclass
class Tally:
    """How much a scan has read and left out, so far."""

    files: int = 0
    bytes: int = 0
    binary: int = 0
    too_large: int = 0
    links: int = 0
    unreadable: int = 0


def check_paths(paths: Iterable[str]) -> list[str]:
    """The paths to scan, each checked to exist before anything is read; InvalidInput if not."""
    checked = list(paths)
    if not checked:
        raise InvalidInput("name at least one file or folder to scan")
    for path in checked:
        if not os.path.lexists(path):
            raise InvalidInput(f"no such file or folder: {path!r}")
    return checked


class Scan:
    """One scan over some paths: iterate it for the sightings; ``tally`` counts as it goes.

    ``warn(path, reason)`` hears of each file or folder left out for a reason the user should
    know (unreadable, too large); ``progress(tally)`` is called after each file. Both are
    called on the thread that iterates; :meth:`stop` may be called from any.
    """

    def __init__(
        self,
        paths: Iterable[str],
        *,
        max_size: int | None = DEFAULT_MAX_SIZE,
        warn: Callable[[str, str], None] = lambda path, reason: None,
        progress: Callable[[Tally], None] | None = None,
    ) -> None:
        self.paths = list(paths)
        self.max_size = max_size
        self.tally = Tally()
        self._warn = warn
        self._progress = progress
        # (device, inode) of every file read: hard links and overlapping paths are read once.
        self._seen: set[tuple[int, int]] = set()
        self._stop = threading.Event()

    def stop(self) -> None:
        """End the scan before its next file or chunk; the iteration then simply ends."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was asked: the tally and sightings are then of part of the paths."""
        return self._stop.is_set()

    def __iter__(self) -> Iterator[Sighting]:
        for path in self.paths:
            if self._stop.is_set():
                return
            try:
                info = os.stat(path)
            except OSError as error:
                self._unreadable(path, error)
                continue
            if stat.S_ISDIR(info.st_mode):
                yield from self._walk(path)
            else:
                yield from self._file(path, info, named=True)

    def _walk(self, top: str) -> Iterator[Sighting]:
        folders = [top]
        while folders:
            folder = folders.pop()
            if self._stop.is_set():
                return
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda entry: entry.name)
            except OSError as error:
                self._unreadable(folder, error)
                continue
            inner = []
            for entry in entries:
                if self._stop.is_set():
                    return
                try:
                    if entry.is_symlink():
                        self.tally.links += 1
                    elif entry.is_dir(follow_symlinks=False):
                        if entry.name not in VCS_FOLDERS:
                            inner.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        yield from self._file(entry.path, entry.stat(follow_symlinks=False), named=False)
                    # Anything else (a pipe, a socket, a device) is not a file to read.
                except OSError as error:
                    self._unreadable(entry.path, error)
            folders.extend(reversed(inner))

    def _file(self, path: str, info: os.stat_result, *, named: bool) -> Iterator[Sighting]:
        if stat.S_ISREG(info.st_mode):
            identity = (info.st_dev, info.st_ino)
            if identity in self._seen:
                return
            self._seen.add(identity)
            if not named and self.max_size is not None and info.st_size > self.max_size:
                self.tally.too_large += 1
                self._warn(path, f"skipped, larger than {_mib(self.max_size)} (name it to scan it)")
                return
        try:
            with open(path, "rb", buffering=0) as stream:
                yield from self._search(path, stream)
        except OSError as error:
            self._unreadable(path, error)
        if self._progress is not None:
            self._progress(self.tally)

    def _search(self, path: str, stream: io.FileIO) -> Iterator[Sighting]:
        line = 1
        carry = b""
        first = True
        while True:
            # A file of many chunks is left at the next one: a stop waits for no large file.
            if self._stop.is_set():
                return
            chunk = stream.read(CHUNK) or b""
            self.tally.bytes += len(chunk)
            if first:
                first = False
                if b"\0" in chunk[:BINARY_PROBE]:
                    self.tally.binary += 1
                    return
                self.tally.files += 1
            data = carry + chunk if carry else chunk
            # At the end every start counts; before it, a start in the tail waits for the next chunk.
            stop = len(data) if not chunk else max(len(data) - _OVERLAP, 0)
            counted = 0
            for offset, kind, secret in secret_format.find_in_bytes(data, stop):
                line += data.count(b"\n", counted, offset)
                counted = offset
                yield Sighting(
                    path=path,
                    line=line,
                    kind=kind,
                    secret_hash=secret_format.hash_secret(secret),
                    last4=secret_format.last_four(secret),
                )
            if not chunk:
                return
            line += data.count(b"\n", counted, stop)
            carry = data[stop:]

    def _unreadable(self, path: str, error: OSError) -> None:
        self.tally.unreadable += 1
        self._warn(path, (error.strerror or str(error)).lower())


def _mib(size: int) -> str:
    return f"{size / MIB:g} MiB"


# -- the words of a scan's report, the CLI's and the console's alike ----------------------

UNKNOWN = "unknown to the store"


def shown_path(path: str) -> str:
    """A path as it may be shown: a secret in a file name hidden, control characters made visible.

    File names are anyone's: a name may hold a secret (redacted as a log line would be) or
    an escape sequence (written as printable() writes it, so no terminal runs it).
    """
    return printable(redact(path))


def count_words(number: int, noun: str) -> str:
    """``1 file``, ``1,204 files``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def summary(
    sightings: list[Sighting], known: Mapping[str, TokenView], revoked: Set[str], tally: Tally
) -> str:
    """One sentence of what a scan read and found, and what it left out and why.

    ``known`` holds the tokens found by secret hash, as they were when the scan looked them
    up; ``revoked`` the ids of those revoked since.
    """
    read = f"{count_words(tally.files, 'file')} ({tally.bytes / MIB:,.1f} MiB)"
    if sightings:
        active = sum(1 for t in known.values() if t.status is Status.ACTIVE)
        unknown = sum(1 for s in sightings if s.secret_hash not in known)
        parts = [count_words(active, "active token")]
        if revoked:
            parts.append(f"{len(revoked)} revoked now")
        if unknown:
            parts.append(f"{unknown} {UNKNOWN}")
        words = f"Found {count_words(len(sightings), 'secret')} in {read}: {', '.join(parts)}."
    else:
        words = f"No tokentui secrets in {read}."
    left_out = [
        text
        for count, text in (
            (tally.binary, count_words(tally.binary, "binary file")),
            (tally.too_large, f"{tally.too_large:,} too large"),
            (tally.links, count_words(tally.links, "symbolic link")),
            (tally.unreadable, f"{tally.unreadable:,} unreadable"),
        )
        if count
    ]
    return words + (f" Skipped: {', '.join(left_out)}." if left_out else "")
