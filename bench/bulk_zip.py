"""Bulk export: 10 000 documents (bilans and contrats, alternately) rendered by the portal's
entry point and written into one zip on disk as they come, by one worker process per core
(each compiles the templates once); prints the wall time, documents per second and the
peak memory.

    .venv/bin/python bench/bulk_zip.py [--documents 10000] [--workers N] [--keep PATH]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import render_docs  # noqa: E402  (sets Django up)

from documents.rendering.compiled import compiled_template  # noqa: E402
from documents.rendering.isolation import render_docx  # noqa: E402

_templates: dict[str, bytes] = {}
_schemas: dict[str, list[dict]] = {}


def _worker_start() -> None:
    """Each worker reads the templates and compiles them once."""
    _schemas.update(render_docs.form_schemas())
    for slug in render_docs.TEMPLATE_SLUGS:
        _templates[slug] = render_docs.template_bytes(slug)
        compiled_template(_templates[slug])


def _render(number: int) -> tuple[str, bytes]:
    slug = render_docs.TEMPLATE_SLUGS[number % len(render_docs.TEMPLATE_SLUGS)]
    context = render_docs.document_context(_schemas[slug], number)
    return f"{slug}-{number:05d}.docx", render_docx(template=_templates[slug], context=context)


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--keep", type=Path, help="keep the zip at this path")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        target = options.keep or Path(directory, "documents.zip")
        partial = target.with_name(target.name + ".partial")
        started = time.perf_counter()
        with (
            multiprocessing.get_context("fork").Pool(options.workers, _worker_start) as pool,
            zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive,
        ):
            # Each document is written as soon as it arrives: none is kept in memory.
            for name, document in pool.imap(_render, range(options.documents), chunksize=32):
                archive.writestr(name, document)
            pool.close()
            pool.join()
        partial.rename(target)
        elapsed = time.perf_counter() - started
        size = target.stat().st_size
        with zipfile.ZipFile(target) as archive:
            entries = len(archive.infolist())

    parent, worker = _peak_mib(resource.RUSAGE_SELF), _peak_mib(resource.RUSAGE_CHILDREN)
    print(f"{entries} documents in one zip of {size / 2**20:.0f} MiB, {options.workers} workers")
    print(f"  wall time       {elapsed:8.1f} s")
    print(f"  documents/s     {entries / elapsed:8.0f}")
    print(f"  peak RSS        {parent + worker:8.0f} MiB (self {parent:.0f}, child {worker:.0f})")
    print(
        f"  all at once ≤   {parent + options.workers * worker:8.0f} MiB "
        f"(self + {options.workers} × the largest worker)"
    )


if __name__ == "__main__":
    main()
