"""What ``province_records`` stores for the province partitions: blocks and comparison views, not the records.

A province's pairs need, for each of its records, the national position, the national block per pass and the
comparisons' views (integer codes of one national factorisation, date parts, flags: :class:`RecordCodes`). Those
are computed once on all records and stored as one ``.npy`` file per array, rows grouped by partition (national
order inside a partition), so a province reads only its slice through a memory map, and the global pass across
provinces reads the rows it needs. The distinct values behind the codes (for Jaro–Winkler) and the identifiers'
character matrices are small *tables*, read when a comparison first asks for one.

Why not the record frames: pickling and unpickling every column of every record, then factorising the strings
again in each of 78 partitions, was most of the linkage stage's time; integer arrays are written, read and sliced
in a fraction of it, and they give the very same levels, since a level depends only on whether two codes are equal
and on the two values behind them.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd

from matching.comparison import RecordCodes
from matching.provinces import NationalBlocks, province_keys

#: Prefix of the views holding value codes, stored as ``int32`` (they are positions into a table of values).
CODE_VIEW_PREFIX = "space:"


def _view_file(folder: Path, index: int) -> Path:
    return folder / f"view-{index}.npy"


def _table_file(folder: Path, index: int) -> Path:
    return folder / f"table-{index}.pkl"


def _save(path: Path, array: np.ndarray) -> None:
    """Write an array beside its final name, then rename: a reader's memory map keeps the file it opened."""
    with open(path.with_suffix(".tmp"), "wb") as file:
        np.save(file, array)
    path.with_suffix(".tmp").replace(path)


def store_records(folder: Path, blocks: NationalBlocks, codes: RecordCodes) -> dict:
    """Write the blocks and views of every record, grouped by partition; return what the manifest must hold.

    Args:
        folder: Where the files go (existing files of the same names are replaced).
        blocks: Every record's partition and national blocks (national order).
        codes: Every view and table the comparisons read (:func:`matching.provinces.encoded_records`).

    Returns:
        ``bounds`` (each partition's first and past-the-last stored row), ``views`` and ``tables`` (names, in
        file order) and ``passes`` (how many block columns).
    """
    keys = province_keys()
    partition = pd.Categorical(blocks.provinces, categories=keys).codes
    order = np.argsort(partition, kind="stable")
    edges = np.searchsorted(partition[order], np.arange(len(keys) + 1))
    _save(folder / "order.npy", order)
    _save(folder / "blocks.npy", np.stack([ids[order] for ids in blocks.block_ids], axis=1)
            if blocks.block_ids else np.empty((len(order), 0), dtype=np.int64))
    views = sorted(codes.views)
    for index, name in enumerate(views):
        view = codes.views[name][order]
        if name.startswith(CODE_VIEW_PREFIX):
            if view.size and view.max() > np.iinfo(np.int32).max:
                raise OverflowError(f"view {name!r} has more distinct values than int32 holds")
            view = view.astype(np.int32)
        _save(_view_file(folder, index), view)
    tables = sorted(codes.tables)
    for index, name in enumerate(tables):
        _table_file(folder, index).write_bytes(pickle.dumps(codes.tables[name], protocol=pickle.HIGHEST_PROTOCOL))
    return {"bounds": {key: [int(edges[i]), int(edges[i + 1])] for i, key in enumerate(keys)},
            "views": views, "tables": tables, "passes": len(blocks.block_ids)}


class StoredRecords:
    """Reads what :func:`store_records` wrote: one province's rows, chosen rows, or every record's blocks."""

    def __init__(self, folder: Path, manifest: dict) -> None:
        self.folder = folder
        self.bounds: dict[str, list[int]] = manifest["bounds"]
        self.view_names: list[str] = manifest["views"]
        self.table_index = {name: index for index, name in enumerate(manifest["tables"])}
        self.skipped_blocks: dict[str, int] = manifest["skipped_blocks"]
        self._tables: dict[str, object] = {}
        self._order = np.load(folder / "order.npy", mmap_mode="r")
        self._blocks = np.load(folder / "blocks.npy", mmap_mode="r")
        self._views = [np.load(_view_file(folder, index), mmap_mode="r") for index in range(len(self.view_names))]

    def _table(self, name: str) -> object:
        """A table, read once per reader (a run over many provinces reads each table once)."""
        if name not in self._tables:
            self._tables[name] = pickle.loads(_table_file(self.folder, self.table_index[name]).read_bytes())
        return self._tables[name]

    def _codes(self, rows: slice | np.ndarray) -> RecordCodes:
        """The views of some stored rows (value codes back to ``int64``, as :class:`RecordCodes` makes them)."""
        views = {}
        for name, stored in zip(self.view_names, self._views, strict=True):
            view = stored[rows]
            views[name] = view.astype(np.int64) if name.startswith(CODE_VIEW_PREFIX) else np.array(view)
        return RecordCodes(views=views, tables=self._table)

    def province(self, province: str) -> tuple[np.ndarray, list[np.ndarray], RecordCodes]:
        """A province's national positions (ascending), its block ids per pass and its views."""
        rows = slice(*self.bounds[province])
        blocks = np.array(self._blocks[rows])
        return np.array(self._order[rows]), [blocks[:, i] for i in range(blocks.shape[1])], self._codes(rows)

    def _stored_rows(self) -> np.ndarray:
        """Stored row of each national position."""
        stored = np.empty(len(self._order), dtype=np.int64)
        stored[self._order] = np.arange(len(self._order))
        return stored

    def national_blocks(self) -> NationalBlocks:
        """Every record's partition and blocks, in national order (as :func:`matching.provinces.national_blocks`)."""
        stored = self._stored_rows()
        keys = np.array(list(self.bounds), dtype=object)
        provinces = np.repeat(keys, [end - start for start, end in self.bounds.values()])[stored]
        blocks = np.asarray(self._blocks)[stored]
        return NationalBlocks(provinces, [blocks[:, i] for i in range(blocks.shape[1])], self.skipped_blocks)

    def codes_at(self, positions: np.ndarray) -> RecordCodes:
        """The views of the records at some national positions (in that order)."""
        return self._codes(self._stored_rows()[positions])
