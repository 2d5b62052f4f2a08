"""Import of the statistics bureau's division files (统计用区划代码) into the unit tree.

The directory holds up to five CSV files, one per level (see ``shared/data/README.md``):

    provinces.csv  code,name                                            2 digits
    cities.csv     code,name,provinceCode                               4 digits
    areas.csv      code,name,cityCode,provinceCode                      6 digits
    streets.csv    code,name,areaCode,provinceCode,cityCode             9 digits
    villages.csv   code,name,streetCode,provinceCode,cityCode,areaCode  12 digits

A code begins with the code of each of its ancestors, so the parent of a row is a prefix
of its code. The import runs in two passes over the files (streamed, never held whole):

1. :func:`check_divisions` validates every row and reports each problem as
   ``file:line: field: message``; any problem and nothing is written;
2. :func:`import_divisions` writes level by level in one transaction, inserting new units
   in batches, updating only the units whose name, kind, parent or path differ, and
   re-rooting a unit that sits under another parent together with its subtree in one
   set-based UPDATE. A second run with the same files changes nothing.

Names are kept as published (``白沙村村民委员会``, ``多福巷社区居委会``): the official
name is what documents and seals carry. Only surrounding and repeated white space is
normalised. :func:`short_name` gives the everyday form (``白沙村``) where space is short.
"""

from __future__ import annotations

from grassroots.org.divisions.progress import ProgressCallback, TerminalProgress
from grassroots.org.divisions.reading import (
    CheckResult,
    DivisionImportError,
    DivisionRow,
    RowError,
    check_divisions,
    read_divisions,
)
from grassroots.org.divisions.rules import (
    LEVELS,
    Level,
    clean_name,
    default_peer_group,
    kind_of,
    short_name,
    street_kind,
    village_kind,
)
from grassroots.org.divisions.writing import ImportSummary, LevelSummary, import_divisions

__all__ = [
    "LEVELS",
    "CheckResult",
    "DivisionImportError",
    "DivisionRow",
    "ImportSummary",
    "Level",
    "LevelSummary",
    "ProgressCallback",
    "RowError",
    "TerminalProgress",
    "check_divisions",
    "clean_name",
    "default_peer_group",
    "import_divisions",
    "kind_of",
    "read_divisions",
    "short_name",
    "street_kind",
    "village_kind",
]
