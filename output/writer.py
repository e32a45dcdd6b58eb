"""Rolling Parquet files: buffered rows, fixed-size batches, atomic renames."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping


@dataclass(frozen=True, slots=True, kw_only=True)
class ParquetOptions:
    """Where and how Parquet files are written.

    Attributes:
        directory: Folder of the dataset; created if missing.
        basename: Start of every file name; files are ``{basename}-{n:05d}.parquet``.
        max_rows_per_file: Roll to a new file after this many rows.
        max_seconds_per_file: Close a file this many seconds after it was opened (checked by
            ``roll_if_due``), so that a killed crawl loses little; None: no time limit.
        batch_size: Rows buffered before they are written as one record batch.
        compression: Parquet compression codec.
    """

    directory: Path
    basename: str
    max_rows_per_file: int = 50_000
    max_seconds_per_file: float | None = None
    batch_size: int = 1_000
    compression: str = "zstd"

    def __post_init__(self) -> None:
        if self.max_rows_per_file < 1:
            raise ValueError("max_rows_per_file must be >= 1")
        if self.batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        if not self.basename or "/" in self.basename or self.basename.startswith((".", "_")):
            raise ValueError(f"basename {self.basename!r} must be a plain file name start")


class RollingParquetWriter:
    """Write rows to a series of Parquet files that readers only ever see complete.

    A file is written under a hidden temporary name (``.name.parquet.tmp``, which
    ``pyarrow.dataset`` and other readers skip) and renamed when it is closed, so a
    killed process leaves finished files readable and no half file under a real name.
    """

    def __init__(
        self,
        options: ParquetOptions,
        schema: pa.Schema,
        metadata: Mapping[str, str],
        *,
        key_column: str | None = None,
        before_rename: Callable[[Path, list[Any]], None] | None = None,
        after_rename: Callable[[Path], None] | None = None,
    ) -> None:
        """``before_rename(path, keys)``, if given, is called with the final path of each
        file and the ``key_column`` values of its rows just before the file is renamed
        into place: a record made there is complete for every file that exists.
        ``after_rename(path)`` is called right after: what waits for the rows to be in a
        file that exists (the end of their leases in a distributed crawl)."""
        self.options = options
        self.key_column = key_column
        self.before_rename = before_rename
        self.after_rename = after_rename
        self._keys: list[Any] = []
        self._oldest = 0.0  # when the oldest row not yet in a closed file arrived
        self.schema = schema.with_metadata({**(schema.metadata or {}), **metadata})
        self.files: list[Path] = []  # closed files, in order
        self.rows_written = 0
        self._buffer: list[dict[str, Any]] = []
        self._writer: pq.ParquetWriter | None = None
        self._temp_path: Path | None = None
        self._final_path: Path | None = None
        self._rows_in_file = 0
        self._sequence = 0
        options.directory.mkdir(parents=True, exist_ok=True)

    @property
    def rows_pending(self) -> int:
        """Rows not yet in a closed file (buffered, or in the file being written)."""
        return len(self._buffer) + self._rows_in_file

    @property
    def rows_committed(self) -> int:
        """Rows in closed (renamed) files."""
        return self.rows_written - self._rows_in_file

    def write(self, row: dict[str, Any]) -> None:
        """Buffer one row; rows reach the file in batches of ``batch_size``."""
        if not self._buffer and self._writer is None:
            self._oldest = time.monotonic()
        self._buffer.append(row)
        if len(self._buffer) >= self.options.batch_size or (
            self._rows_in_file + len(self._buffer) >= self.options.max_rows_per_file
        ):
            self.flush()

    def flush(self) -> None:
        """Write buffered rows now, closing and starting files at the row limit."""
        while self._buffer:
            room = self.options.max_rows_per_file - self._rows_in_file
            rows, self._buffer = self._buffer[:room], self._buffer[room:]
            writer = self._writer or self._open()
            writer.write_batch(pa.RecordBatch.from_pylist(rows, schema=self.schema))
            if self.key_column is not None:
                self._keys += [row[self.key_column] for row in rows]
            self._rows_in_file += len(rows)
            self.rows_written += len(rows)
            if self._rows_in_file >= self.options.max_rows_per_file:
                self._close_file()

    def roll_if_due(self) -> None:
        """Close a file with the rows not yet in a closed one, once the oldest is old enough."""
        limit = self.options.max_seconds_per_file
        pending = self._buffer or self._writer is not None
        if limit is not None and pending and time.monotonic() - self._oldest >= limit:
            self.close()

    def close(self) -> None:
        """Write what is buffered and close the current file."""
        self.flush()
        if self._writer is not None:
            self._close_file()

    def _open(self) -> pq.ParquetWriter:
        final = self._next_free_path()
        self._final_path = final
        self._temp_path = final.with_name(f".{final.name}.tmp")
        self._writer = pq.ParquetWriter(
            self._temp_path, self.schema, compression=self.options.compression
        )
        return self._writer

    def _next_free_path(self) -> Path:
        """The next file name no one has: its temporary file is created here, exclusively
        (``O_EXCL``), so two processes writing with the same basename never pick the same
        one. A restarted crawl with the same basename continues the numbering."""
        while True:
            name = f"{self.options.basename}-{self._sequence:05d}.parquet"
            self._sequence += 1
            path = self.options.directory / name
            if path.exists():
                continue
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
            try:
                os.close(os.open(path.with_name(f".{name}.tmp"), flags, 0o644))
            except FileExistsError:
                continue  # another process is writing it
            if path.exists():
                # renamed into place by another process between the check and the create
                path.with_name(f".{name}.tmp").unlink()
                continue
            return path

    def _close_file(self) -> None:
        assert self._writer and self._temp_path and self._final_path
        self._writer.close()
        with self._temp_path.open("rb") as handle:
            os.fsync(handle.fileno())  # the rename must not land before the data does
        if self.before_rename is not None:
            self.before_rename(self._final_path, self._keys)
        self._keys = []
        self._temp_path.rename(self._final_path)
        self.files.append(self._final_path)
        final = self._final_path
        self._writer = self._temp_path = self._final_path = None
        self._rows_in_file = 0
        if self.after_rename is not None:
            self.after_rename(final)
