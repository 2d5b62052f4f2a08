"""Add or update Chinese translations from a JSON file, then recompile the catalogues.

Usage: ``python tools/translate.py entries.json`` where the file holds a list of objects
``{"msgid": "...", "zh": "...", "msgctxt": "...", "msgid_plural": "...", "zh_plural": "..."}``
(``msgctxt`` and the plural keys are optional). Each entry is written to the Chinese catalogue
with its translation and to the English one with an empty translation (English is the source
language). ``make messages`` later adds source references and drops what the code no longer
uses; this tool lets several people add strings without GNU gettext. Run it under ``flock``
when several processes may write at once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src" / "grassroots" / "locale"


def _upsert(po: polib.POFile, item: dict[str, str], *, chinese: bool) -> None:
    ctxt = item.get("msgctxt") or None
    entry = po.find(item["msgid"], msgctxt=ctxt) if ctxt else po.find(item["msgid"])
    if entry is not None and ctxt is None and entry.msgctxt:
        entry = None
    if entry is None:
        entry = polib.POEntry(msgid=item["msgid"], msgctxt=ctxt)
        po.append(entry)
    if "msgid_plural" in item:
        entry.msgid_plural = item["msgid_plural"]
        if chinese:
            entry.msgstr_plural = {0: item.get("zh_plural") or item["zh"]}
        else:
            entry.msgstr_plural = {0: "", 1: ""}
    else:
        entry.msgstr = item["zh"] if chinese else ""
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")


def main(path: str) -> None:
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    for lang in ("zh_Hans", "en"):
        po_path = ROOT / lang / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(po_path), wrapwidth=79)
        for item in items:
            _upsert(po, item, chinese=lang == "zh_Hans")
        po.save(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"{len(items)} entries written")


if __name__ == "__main__":
    main(sys.argv[1])
