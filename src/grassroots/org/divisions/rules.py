"""The division levels and the pure rules: names, kinds and peer groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from grassroots.org.models import UnitKind

NAME_MAX_LENGTH: Final = 100
#: Errors listed one by one; beyond that only counted (a file in the wrong encoding
#: would otherwise print a million lines).
MAX_REPORTED_ERRORS: Final = 200
INSERT_BATCH: Final = 5000
UPDATE_BATCH: Final = 1000
PROGRESS_EVERY: Final = 5000


@dataclass(frozen=True, slots=True)
class Level:
    """One division file: its name, the length of its codes and its parent column."""

    file: str
    code_length: int
    parent_column: str | None
    label: str


LEVELS: Final = (
    Level("provinces.csv", 2, None, "provinces"),
    Level("cities.csv", 4, "provinceCode", "cities"),
    Level("areas.csv", 6, "cityCode", "areas"),
    Level("streets.csv", 9, "areaCode", "streets"),
    Level("villages.csv", 12, "streetCode", "villages"),
)
CODE_LENGTHS: Final = tuple(level.code_length for level in LEVELS)
#: Columns that name an ancestor, and the length of the code they hold.
ANCESTOR_COLUMNS: Final = {
    "provinceCode": 2,
    "cityCode": 4,
    "areaCode": 6,
    "streetCode": 9,
}


# --------------------------------------------------------------------------------------
# names, kinds and peer groups (pure)

_COMMUNITY_SUFFIXES: Final = ("居民委员会", "居委会", "社区")
_VILLAGE_SUFFIXES: Final = ("村民委员会", "村委会", "嘎查", "村")
_SHORT_SUFFIXES: Final = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", ""),
    ("居委会", ""),
    ("村村民委员会", "村"),
    ("村民委员会", "村"),
    ("村村委会", "村"),
    ("村委会", "村"),
    ("嘎查委员会", "嘎查"),
)


def clean_name(name: str) -> str:
    """The official name with white space trimmed and runs of it collapsed."""
    return " ".join(name.split())


def short_name(name: str) -> str:
    """The everyday name of a village or community: ``白沙村村民委员会`` → ``白沙村``.

    ``大通门社区居民委员会`` → ``大通门社区``; a name without a committee suffix is
    returned unchanged.
    """
    for suffix, replacement in _SHORT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    return name


def street_kind(name: str) -> UnitKind:
    """街道 for a sub-district office, otherwise township (镇, 乡, 苏木, farms, …)."""
    if name.endswith(("街道", "街道办事处")):
        return UnitKind.STREET
    return UnitKind.TOWNSHIP


def village_kind(name: str, code: str) -> UnitKind:
    """Community (居民委员会) or village (村民委员会), from the name, else from the code.

    The 10th–12th digits of a village-level code classify it: 001–199 居委会,
    200–399 村委会, 400–499 类似居委会, 500–599 类似村委会.
    """
    if name.endswith(_COMMUNITY_SUFFIXES):
        return UnitKind.COMMUNITY
    if name.endswith(_VILLAGE_SUFFIXES):
        return UnitKind.VILLAGE
    serial = int(code[9:12]) if len(code) >= 12 and code[9:12].isdecimal() else 200
    if serial < 200 or 400 <= serial < 500:
        return UnitKind.COMMUNITY
    return UnitKind.VILLAGE


def kind_of(level: Level, name: str, code: str) -> UnitKind:
    """The unit kind of a row of ``level``."""
    length = level.code_length
    if length == 2:
        return UnitKind.PROVINCE
    if length == 4:
        return UnitKind.PREFECTURE
    if length == 6:
        return UnitKind.COUNTY
    if length == 9:
        return street_kind(name)
    return village_kind(name, code)


def default_peer_group(kind: str, code: str) -> str:
    """Who a unit is ranked against unless the office decides otherwise.

    Provinces among themselves (``CN:province``), prefectures within their province
    (``51:prefecture``), counties within their prefecture (``5134:county``); township-level
    units, villages, communities, grids and departments within their county and kind
    (``513401:township``, ``513401:street``, ``513401:village``, ``513401:grid``).
    """
    if kind == UnitKind.PROVINCE:
        return "CN:province"
    if kind == UnitKind.PREFECTURE:
        return f"{code[:2]}:{kind}"
    if kind == UnitKind.COUNTY:
        return f"{code[:4]}:{kind}"
    return f"{code[:6]}:{kind}"


def length_of_parent(length: int) -> int:
    """The code length of the level above (0 for provinces)."""
    index = CODE_LENGTHS.index(length)
    return CODE_LENGTHS[index - 1] if index else 0
