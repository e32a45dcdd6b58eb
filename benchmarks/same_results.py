"""Check that a change to cleaning keeps ``clean_page``'s results: every field, every page.

Cleans every page of the extraction data sets (``../shared/data/extraction``) with the speed
benchmark's options (every step on every page) and with the defaults, and writes the results
to a file; run once on the code before the change and once after, then compare::

    PYTHONPATH=/tmp/base python benchmarks/same_results.py --write /tmp/before.pickle \\
        --data ../shared/data/extraction
    python -m benchmarks.same_results --write /tmp/after.pickle
    python -m benchmarks.same_results --compare /tmp/before.pickle /tmp/after.pickle

Run as a file with ``PYTHONPATH`` set, it cleans with the code of that checkout (a worktree
of the commit before the change), whatever is installed.
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import sys
from pathlib import Path
from typing import Any

from benchmarks.extraction import DEFAULT_DATA_ROOT, default_datasets, load_docs
from cleaning import ALL_PAGE_TYPES, CleaningOptions, clean_page

OPTIONS = {
    "every step": CleaningOptions(min_words=None, page_types=ALL_PAGE_TYPES),
    "defaults": CleaningOptions(),
}


def results(root: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every field of every page's result, by (options, data set, page id)."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    folders = default_datasets(root)
    if not folders:
        raise SystemExit(f"no data sets under {root}")
    for folder in folders:
        for doc in load_docs(folder):
            html = doc.read_html()
            for name, options in OPTIONS.items():
                result = clean_page(html, doc.url, options)
                fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
                # the classes of another checkout do not unpickle here: plain values only
                fields["removed_lines"] = [
                    dataclasses.astuple(line) for line in fields["removed_lines"]
                ]
                found[name, folder.name, doc.id] = fields
    return found


def compare(before: Path, after: Path) -> int:
    """Print the fields that differ; the number of pages with a difference."""
    old = pickle.loads(before.read_bytes())
    new = pickle.loads(after.read_bytes())
    if old.keys() != new.keys():
        print(f"different pages: {len(old)} before, {len(new)} after")
        return len(old.keys() ^ new.keys())
    differing = 0
    for key in sorted(old):
        fields = [name for name in old[key] if old[key][name] != new[key].get(name)]
        if fields:
            differing += 1
            print(f"{key}: {', '.join(fields)}")
    print(f"{len(old)} results compared, {differing} differ")
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="clean every page, write the results here")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    # the default is found from this file's checkout: give it when running another's
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_ROOT)
    args = parser.parse_args()
    if args.write:
        args.write.write_bytes(pickle.dumps(results(args.data)))
    if args.compare:
        sys.exit(1 if compare(*args.compare) else 0)


if __name__ == "__main__":
    main()
