"""Helpers of the bulletin tests: a published quarter, and reading a PDF without pypdf
(pdftotext / pdffonts from poppler-utils when present, else the raw streams)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.assessment.publishing_support import plain_scheme, run_with_results


def published_quarter(tree: dict[str, Any], city_admin: Any) -> Any:
    """西昌's village scheme, 2026-Q3 published: 安宁村 best but vetoed (black list), 礼州村
    on the red list, 田坝村 in between."""
    from grassroots.assessment.actions.publishing import publish_run

    scheme = plain_scheme(tree)
    run = run_with_results(
        scheme,
        "2026-Q3",
        [
            (tree["village"], "85.00"),
            (tree["neighbour_village"], "60.00"),
            (tree["other_village"], "90.00"),
        ],
        vetoed={tree["other_village"]: ["overdue-veto"]},
    )
    return publish_run(run, actor=city_admin)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text by pdftotext (skips the test when poppler-utils is missing)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    done = subprocess.run(  # noqa: S603  (a fixed tool on a file the test wrote)
        [tool, "-layout", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8")


def embedded_fonts(data: bytes, tmp_path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded?) of every font of the PDF: by pdffonts when present, else from
    the PDF's (decompressed) objects: a font descriptor with a FontFile is embedded."""
    tool = shutil.which("pdffonts")
    if tool is not None:
        path = tmp_path / "fonts.pdf"
        path.write_bytes(data)
        out = subprocess.run(  # noqa: S603
            [tool, str(path)], capture_output=True, check=True, timeout=60
        ).stdout.decode("utf-8")
        rows = []
        for line in out.splitlines()[2:]:
            parts = line.split()
            if len(parts) >= 6:
                # name … emb sub uni object ID: "emb" is the fifth column from the end
                rows.append((parts[0], parts[-5] == "yes"))
        return rows
    text = data
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            text += zlib.decompress(raw)
        except zlib.error:
            continue
    rows = []
    for descriptor in re.findall(rb"<<[^<>]*/Type\s*/FontDescriptor[^<>]*>>", text):
        name = re.search(rb"/FontName\s*/([^\s/<>]+)", descriptor)
        embedded = re.search(rb"/FontFile[23]?\s", descriptor) is not None
        rows.append((name.group(1).decode() if name else "?", embedded))
    return rows
