"""``grassroots bulletin --publication SHA [--format pdf|xlsx] [-o FILE]``: render a
publication's bulletin (季晒通报 / 年评报告) to a file, with a progress bar, and print how
long it took.

Reads only (the publication's snapshot); it neither queues a job nor touches the stored
bulletins. ``SHA`` is the publication's SHA-256 or an unambiguous prefix of it (at least 8
characters). Without ``-o`` the file is written to the current folder under the bulletin's
Chinese name.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from grassroots.assessment.bulletins import download_name, render
from grassroots.assessment.models import BulletinFormat, Publication

MIN_PREFIX = 8


class Command(BaseCommand):
    help = "Render a publication's bulletin (PDF or Excel) to a file and print the time taken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--publication", required=True, help="SHA-256 (or a prefix ≥ 8)")
        parser.add_argument("--format", choices=BulletinFormat.values, default="pdf")
        parser.add_argument("-o", "--output", default="", help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        sha = str(options["publication"]).strip().lower()
        if len(sha) < MIN_PREFIX:
            raise CommandError(f"give at least {MIN_PREFIX} characters of the SHA-256")
        found = list(
            Publication.objects.select_related("scheme__root", "run").filter(
                sha256__startswith=sha
            )[:2]
        )
        if not found:
            raise CommandError(f"no publication with SHA-256 {sha}")
        if len(found) > 1:
            raise CommandError(f"{sha} names more than one publication; give more of it")
        publication = found[0]
        fmt = str(options["format"])
        target = Path(options["output"] or download_name(publication, fmt))
        console = Console(stderr=True)
        started = time.perf_counter()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(f"{publication.period} {fmt}", total=100)
            data = render(publication, fmt, progress=lambda p: bar.update(task, completed=p))
            bar.update(task, completed=100)
        seconds = time.perf_counter() - started
        target.write_bytes(data)
        self.stdout.write(f"{target} {len(data):,} bytes {seconds:.2f} s")
