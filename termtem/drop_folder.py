"""Whether an agency's export in its drop folder is new: SHA-256 checksums remembered in a sensor's cursor.

The checksum, not the file's name or time, decides: an agency that sends the same export twice (or touches it)
starts no second run, and a file that returns to an earlier content is not processed again. Pure and Dagster-free so
the rule is tested on its own; ``pipelines/sensors.py`` keeps the cursor in Dagster.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks so a national export does not have to fit in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileStamp:
    """Size and modification time of the file last hashed, with its checksum: unchanged stamps are not re-hashed."""

    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class DropCursor:
    """What a drop-folder sensor remembers between two looks.

    Attributes:
        processed: Checksums that already started a run, oldest first.
        last_seen: The stamp of the file the sensor last hashed, or ``None``.
    """

    processed: tuple[str, ...] = ()
    last_seen: FileStamp | None = None

    @classmethod
    def parse(cls, text: str | None) -> DropCursor:
        """The cursor from its JSON text; empty for a sensor that never ran."""
        if not text:
            return cls()
        data = json.loads(text)
        stamp = data.get("last_seen")
        return cls(processed=tuple(data["processed"]), last_seen=FileStamp(**stamp) if stamp else None)

    def dump(self) -> str:
        """The cursor as compact JSON text for Dagster's cursor storage."""
        stamp = self.last_seen
        return json.dumps({"processed": list(self.processed),
                           "last_seen": None if stamp is None else vars(stamp)}, separators=(",", ":"))


@dataclass(frozen=True)
class DropCheck:
    """The outcome of one look at a drop folder.

    Attributes:
        sha256: The export's checksum; ``None`` when there is no file or it is still being copied.
        is_new: Whether this checksum has not started a run yet.
        cursor: The cursor to store after this look.
        reason: Why no run starts, for the sensor's tick in the UI; empty when one does.
    """

    sha256: str | None
    is_new: bool
    cursor: DropCursor
    reason: str = ""


def check_drop(export: Path, cursor: DropCursor, *, remember: int, settle_seconds: float, now: float) -> DropCheck:
    """Look at one export file and decide whether it starts a run.

    Args:
        export: The agency's export file in its drop folder.
        cursor: What the sensor remembered from its previous look.
        remember: How many processed checksums to keep (the oldest are forgotten first).
        settle_seconds: A file modified less than this long ago is still being copied and is looked at later.
        now: The current time, seconds since the epoch.
    """
    if not export.is_file():
        return DropCheck(None, False, cursor, f"no file {export.name} in the drop folder")
    stat = export.stat()
    if now - stat.st_mtime < settle_seconds:
        return DropCheck(None, False, cursor, f"{export.name} changed less than {settle_seconds:g} s ago")
    seen = cursor.last_seen
    unchanged = seen is not None and (seen.size, seen.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    checksum = seen.sha256 if unchanged and seen is not None else file_sha256(export)
    stamp = FileStamp(stat.st_size, stat.st_mtime_ns, checksum)
    if checksum in cursor.processed:
        return DropCheck(checksum, False, DropCursor(cursor.processed, stamp),
                         f"{export.name} (sha256 {checksum[:12]}…) was already processed")
    processed = (*cursor.processed, checksum)[-remember:]
    return DropCheck(checksum, True, DropCursor(processed, stamp))
