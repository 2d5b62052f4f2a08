"""Service definitions (a category's attribute definitions) and the answers to them.

A category's ``attributes`` hold GeoReport v2 attribute definitions::

    {"code": "DEPTH", "datatype": "number", "required": true, "description": "…",
     "order": 1, "variable": true, "datatype_description": "…",
     "values": [{"key": "a", "name": "…"}]}          # values: list datatypes only

:func:`definitions` gives them as the specification shows them; :func:`posted_answers`
shapes the ``attribute[code]`` fields of a POST for ``report_event``, which checks them
(``events.actions.intake.clean_attributes``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_TYPES = ("singlevaluelist", "multivaluelist")


def _values(raw: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for value in raw or ():
        if isinstance(value, Mapping):
            key = value.get("key", "")
            key = key if isinstance(key, str | int | float) else str(key)
            out.append({"key": key, "name": str(value.get("name", ""))})
    return out


def definitions(attributes: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The attribute definitions in the specification's shape, in their order."""
    out: list[dict[str, Any]] = []
    for index, attribute in enumerate(attributes or ()):
        if not isinstance(attribute, Mapping) or not attribute.get("code"):
            continue
        datatype = str(attribute.get("datatype") or "string")
        item: dict[str, Any] = {
            "variable": bool(attribute.get("variable", True)),
            "code": str(attribute["code"]),
            "datatype": datatype if datatype in DATATYPES else "string",
            "required": bool(attribute.get("required", False)),
            "datatype_description": attribute.get("datatype_description") or None,
            "order": int(attribute.get("order") or index + 1),
            "description": str(attribute.get("description") or ""),
        }
        if item["datatype"] in LIST_TYPES:
            item["values"] = _values(attribute.get("values"))
        out.append(item)
    out.sort(key=lambda a: (a["order"], a["code"]))
    return out


def posted_answers(
    attributes: Sequence[Mapping[str, Any]] | None, posted: Mapping[str, list[str]]
) -> dict[str, Any]:
    """The ``attribute[code]`` fields of a POST in the shape ``report_event`` checks.

    A multivaluelist answer is the list of its values; any other answer one string (a
    list when the field was repeated, which the check then refuses). Unanswered fields
    are left out; checking them against the definitions is ``report_event``'s.
    """
    datatypes = {a["code"]: a["datatype"] for a in definitions(attributes)}
    answers: dict[str, Any] = {}
    for code, values in posted.items():
        given = [value.strip() for value in values if value.strip()]
        if not given:
            continue
        if datatypes.get(code) == "multivaluelist" or len(given) > 1:
            answers[code] = given
        else:
            answers[code] = given[0]
    return answers
