"""Explanations in words: what the stored explanations of scores, results and runs say,
sentence by sentence, for the pages, the API and the export (Chinese first, via gettext).

Pure: reads plain dicts (``Score.explanation``, ``Result.explanation``, ``Run.notes`` and
``Run.diagnostics``) and the indicator's settings; no ORM.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

#: Reasons of a red/black list entry (``grading.red_black_lists``).
LIST_REASONS = {
    "top_n": "top_n",
    "above_threshold": "above_threshold",
    "significant": "significant",
    "bottom_n": "bottom_n",
    "below_threshold": "below_threshold",
}


def num(value: Any) -> str:
    """A stored number as people write it: no trailing zeros (``75.000000`` → ``75``)."""
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not d.is_finite():
        return str(value)
    if d == d.to_integral_value():
        return f"{d.quantize(Decimal(1)):f}"
    return f"{d.normalize():f}"


def percent_of(share: Any) -> str:
    """A 0–1 share as a percentage (``0.75`` → ``75``)."""
    try:
        return num(Decimal(str(share)) * 100)
    except InvalidOperation:
        return str(share)


def yuan(fen: int | None) -> str:
    """Integer fen as yuan with two decimals (``123456`` → ``1,234.56``)."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def group_name(key: str, kinds: Mapping[str, str]) -> str:
    """A peer group key for people: ``513401:village`` → the kind's name (``村``) when the
    key ends in a unit kind, else the key itself. ``kinds`` maps kinds to their names."""
    tail = key.rsplit(":", 1)[-1]
    return kinds.get(key) or kinds.get(tail) or key


def direction_text(direction: str) -> str:
    return _("higher is better") if direction == "higher" else _("lower is better")


def normaliser_text(normaliser: str) -> str:
    if normaliser == "per_1000_households":
        return _("per 1,000 households")
    if normaliser == "per_grid":
        return _("per grid")
    return ""


def rule_name(rule: str) -> str:
    names = {
        "range_linear": _("Linear between a floor and a target"),
        "linear_completion": _("Linear completion with a cap"),
        "threshold_bands": _("Threshold bands"),
        "rank_points": _("Rank points within the peer group"),
        "per_item_deduction": _("Deduction per item, with a cap"),
        "capped_bonus": _("Bonus per item, with a cap"),
        "veto": _("Veto"),
        "achievement_or_improvement": _("Better of achievement and improvement"),
        "grade_quota": _("Grade quotas"),
        "annual_combination": _("Annual combination"),
    }
    return names.get(rule, rule)


def rule_summary(rule: str, params: Mapping[str, Any], weight: Any, direction: str) -> str:
    """How an indicator's configured rule gives points (the catalogue and the editor)."""
    p = {k: num(v) if not isinstance(v, list) else v for k, v in params.items()}
    w = num(weight)
    if rule == "range_linear":
        return _(
            "0 points at %(floor)s, the full %(weight)s points at %(target)s, linear in "
            "between (%(direction)s)."
        ) % {
            "floor": p.get("floor", "?"),
            "target": p.get("target", "?"),
            "weight": w,
            "direction": direction_text(direction),
        }
    if rule == "linear_completion":
        return _(
            "%(weight)s points × completion of the target %(target)s, counted up to %(cap)s "
            "times the target."
        ) % {"weight": w, "target": p.get("target", "?"), "cap": p.get("cap", "1")}
    if rule == "threshold_bands":
        bands = params.get("bands") or []
        shown = "；".join(
            _("from %(threshold)s: %(points)s points")
            % {"threshold": num(b[0]), "points": num(b[1])}
            for b in bands
            if isinstance(b, list | tuple) and len(b) == 2
        )
        return _("The points of the best band reached (%(direction)s): %(bands)s.") % {
            "direction": direction_text(direction),
            "bands": shown,
        }
    if rule == "rank_points":
        return _(
            "%(weight)s points × (n − rank) ÷ (n − 1) by rank in the peer group of n units."
        ) % {"weight": w}
    if rule == "per_item_deduction":
        return _("%(per_item)s points deducted per item, at most %(cap)s points.") % {
            "per_item": p.get("per_item", "?"),
            "cap": p.get("cap", "?"),
        }
    if rule == "capped_bonus":
        return _("%(per_item)s points added per item, at most %(cap)s points.") % {
            "per_item": p.get("per_item", "?"),
            "cap": p.get("cap", "?"),
        }
    if rule == "veto":
        return _(
            "Veto (一票否决) from %(threshold)s items: the grade is Poor, no red list, no reward."
        ) % {"threshold": p.get("threshold", "1")}
    return rule_name(rule)


def _value_line(e: Mapping[str, Any], raw: Any, unit: str) -> str:
    value = num(raw) + (unit if unit == "%" and raw is not None else "")
    n, d = e.get("numerator"), e.get("denominator")
    if n is not None and d is not None and num(d) != "0":
        return _("Value %(value)s: %(numerator)s of %(denominator)s.") % {
            "value": value,
            "numerator": num(n),
            "denominator": num(d),
        }
    if n is not None:
        return _("Value %(value)s (count %(numerator)s).") % {"value": value, "numerator": num(n)}
    return _("Value %(value)s.") % {"value": value}


def _rule_line(e: Mapping[str, Any], weight: Any) -> str:
    rule = str(e.get("rule", ""))
    params = e.get("params") or {}
    inputs = e.get("inputs") or {}
    points = num(e.get("points"))
    if rule == "range_linear":
        return _(
            "Rule: 0 points at %(floor)s, full %(weight)s points at %(target)s; the value "
            "covers %(share)s%% of the way: %(points)s points."
        ) % {
            "floor": num(params.get("floor")),
            "target": num(params.get("target")),
            "weight": num(params.get("weight", weight)),
            "share": percent_of(inputs.get("share", 0)),
            "points": points,
        }
    if rule == "linear_completion":
        return _(
            "Rule: completion %(completion)s%% of the target %(target)s × %(weight)s points: "
            "%(points)s points."
        ) % {
            "completion": percent_of(inputs.get("completion", 0)),
            "target": num(params.get("target")),
            "weight": num(params.get("weight", weight)),
            "points": points,
        }
    if rule == "threshold_bands":
        band = inputs.get("band_threshold")
        if band is None:
            return _("Rule: no band reached: 0 points.")
        return _("Rule: the band from %(band)s is reached: %(points)s points.") % {
            "band": num(band),
            "points": points,
        }
    if rule == "rank_points":
        return _(
            "Rule: rank %(rank)s of %(size)s in the peer group: %(weight)s × (n − rank) ÷ "
            "(n − 1) = %(points)s points."
        ) % {
            "rank": inputs.get("rank"),
            "size": inputs.get("group_size"),
            "weight": num(params.get("weight", weight)),
            "points": points,
        }
    if rule == "per_item_deduction":
        return _(
            "Rule: %(items)s items × %(per_item)s points, at most %(cap)s: %(points)s points."
        ) % {
            "items": num(inputs.get("items")),
            "per_item": num(params.get("per_item")),
            "cap": num(params.get("cap")),
            "points": points,
        }
    if rule == "capped_bonus":
        return _("Rule: %(awards)s awards, at most %(cap)s points: %(points)s points.") % {
            "awards": num(inputs.get("awards")),
            "cap": num(params.get("cap")),
            "points": points,
        }
    if rule == "veto":
        if inputs.get("triggered"):
            return _(
                "Veto (一票否决) triggered: the grade is Poor, the unit leaves the red list "
                "and gets no reward."
            )
        return _("Veto not triggered.")
    if rule == "achievement_or_improvement":
        return _(
            "Rule: the better of achievement (%(achieved)s points) and improvement on the "
            "unit's own baseline %(baseline)s (%(improved)s points): %(points)s points."
        ) % {
            "achieved": num(inputs.get("achievement_points")),
            "baseline": num(inputs.get("baseline")),
            "improved": num(inputs.get("improvement_points")),
            "points": points,
        }
    return _("Rule %(rule)s: %(points)s points.") % {"rule": rule_name(rule), "points": points}


def score_lines(
    explanation: Mapping[str, Any],
    *,
    raw_value: Any,
    weight: Any,
    normaliser: str = "none",
    unit: str = "",
    source: str = "metric",
) -> list[str]:
    """Every step from the unit's records to its points on one indicator, in words."""
    e = explanation
    notes = list(e.get("notes") or [])
    lines: list[str] = []
    if correction := e.get("correction"):
        lines.append(
            _("Corrected after appeal no. %(appeal)s: %(before)s → %(after)s.")
            % {
                "appeal": correction.get("appeal"),
                "before": num(correction.get("before")),
                "after": num(correction.get("after")),
            }
        )
    if "no_data" in notes:
        if source == "manual":
            lines.append(_("No counted rating for this period: 0 points."))
        elif source == "entry":
            lines.append(_("No figure entered for this period: 0 points."))
        else:
            lines.append(_("Nothing to measure in this period (no records): 0 points."))
        return lines
    lines.append(_value_line(e, raw_value, unit))
    if ratings := e.get("ratings"):
        count = int(ratings.get("sheets") or 0)
        lines.append(
            ngettext(
                "The mean of %(n)s counted rating sheet (flagged sheets count only once "
                "justified).",
                "The mean of %(n)s counted rating sheets (flagged sheets count only once "
                "justified).",
                count,
            )
            % {"n": count}
        )
    if entry := e.get("entry"):
        lines.append(
            _("Entered by the office, with evidence.")
            if entry.get("evidence")
            else _("Entered by the office, without an evidence file.")
        )
    if waiver := e.get("waiver"):
        reasons = "；".join(str(r) for r in waiver.get("reasons") or [] if r)
        lines.append(
            _(
                "Error tolerance (容错): %(waived)s items waived, the count went from "
                "%(before)s to %(after)s. %(reasons)s"
            )
            % {
                "waived": waiver.get("waived"),
                "before": num(waiver.get("before")),
                "after": num(raw_value),
                "reasons": reasons,
            }
        )
    if text := normaliser_text(normaliser):
        lines.append(_("The value is scored %(normaliser)s.") % {"normaliser": text})
    if shrinkage := e.get("shrinkage"):
        lines.append(
            _(
                "Small-unit fairness: the rate %(raw)s%% was pulled toward the peer group's "
                "mean, to %(shrunk)s%% (the unit's own records weigh %(weight)s%%)."
            )
            % {
                "raw": num(shrinkage.get("raw")),
                "shrunk": num(shrinkage.get("shrunk")),
                "weight": percent_of(shrinkage.get("own_weight", 0)),
            }
        )
    lines.append(_rule_line(e, weight))
    if "capped" in notes:
        lines.append(_("The cap applies."))
    return lines


def list_reason_text(reason: str) -> str:
    words = {
        "top_n": _("among the top of the peer group"),
        "above_threshold": _("total above the threshold"),
        "significant": _("significantly better than the peers (outside the funnel limits)"),
        "bottom_n": _("among the bottom of the peer group"),
        "below_threshold": _("total below the threshold"),
    }
    parts = [p.strip() for p in reason.split(",") if p.strip()]
    return "、".join(words.get(p, p) for p in parts)


def snapshot_reason_text(entry: Mapping[str, Any], rule: Mapping[str, Any]) -> str:
    """Why a unit is on the red or black list, in the words of the public lists and the
    bulletins: from a publication snapshot's entry (its reason codes, rank and total) and the
    scheme's list rule (the numbers the reasons quote)."""
    parts: list[str] = []
    for code in entry.get("reasons", []):
        if code == "top_n":
            parts.append(
                _("among the best %(n)s of its peer group") % {"n": rule.get("red_top_n", "")}
            )
        elif code == "bottom_n":
            parts.append(
                _("among the last %(n)s of its peer group") % {"n": rule.get("black_bottom_n", "")}
            )
        elif code == "above_threshold":
            parts.append(_("total at least %(t)s") % {"t": rule.get("red_min_total", "")})
        elif code == "below_threshold":
            parts.append(_("total at most %(t)s") % {"t": rule.get("black_max_total", "")})
        elif code == "significant":
            parts.append(_("significantly different from its peers, not by chance"))
        elif code == "vetoed":
            what = "、".join(str(v) for v in entry.get("vetoes", []))
            parts.append(_("vetoed: %(what)s") % {"what": what} if what else _("vetoed"))
        else:
            parts.append(str(code))
    rank = _("rank %(rank)s of %(size)s, total %(total)s") % {
        "rank": entry.get("rank", ""),
        "size": entry.get("group_size", ""),
        "total": entry.get("total", ""),
    }
    return "; ".join([*parts, rank])


def grade_note_text(note: str) -> str:
    words = {
        "vetoed": _("Poor: a veto indicator was triggered."),
        "below_poor_threshold": _("Poor: the total is below the threshold for Poor."),
        "within_quota": _("Within the quota of the grade in the peer group."),
        "default": _("Average: outside the quotas of the higher grades."),
    }
    return words.get(note, note)


def result_lines(explanation: Mapping[str, Any], vetoes: Sequence[str] = ()) -> list[str]:
    """Why a unit has its grade (and, for a year, how the parts were combined)."""
    lines: list[str] = []
    grade = explanation.get("grade") or {}
    for note in grade.get("notes") or []:
        lines.append(grade_note_text(str(note)))
    params = grade.get("params") or {}
    if params.get("excellent_share") is not None:
        lines.append(
            _("Excellent: at most %(share)s%% of the peer group's %(size)s units%(minimum)s.")
            % {
                "share": percent_of(params["excellent_share"]),
                "size": params.get("group_size"),
                "minimum": (
                    _(", with a total of at least %(min)s")
                    % {"min": num(params["excellent_min_total"])}
                    if params.get("excellent_min_total") is not None
                    else ""
                ),
            }
        )
    if vetoes:
        lines.append(_("Vetoed by: %(codes)s.") % {"codes": "、".join(vetoes)})
    components = explanation.get("components")
    if isinstance(components, Mapping):
        months = components.get("monthly") or []
        if months:
            lines.append(
                _("Monthly totals: %(items)s.")
                % {"items": "、".join(f"{m.get('period')} {num(m.get('total'))}" for m in months)}
            )
        quarters = components.get("quarterly") or []
        if quarters:
            lines.append(
                _("Quarterly totals: %(items)s.")
                % {"items": "、".join(f"{q.get('period')} {num(q.get('total'))}" for q in quarters)}
            )
        review = components.get("year_end")
        if isinstance(review, Mapping):
            lines.append(
                _("Year-end review: mean score %(mean)s of %(sheets)s sheets, %(scaled)s points.")
                % {
                    "mean": num(review.get("mean_score")),
                    "sheets": review.get("sheets"),
                    "scaled": num(review.get("scaled")),
                }
            )
    return lines


def run_note_text(note: str) -> str:
    """A run's note (``Run.notes``) in words."""
    key, _sep, rest = note.partition(":")
    if key == "weights_do_not_add_up":
        assigned, _slash, total = rest.partition("/")
        return _(
            "The base indicators' weights add up to %(assigned)s, not to the total of %(total)s."
        ) % {"assigned": num(assigned), "total": num(total)}
    if key == "no_rating_form":
        return _("No rating form was sent for indicator %(code)s: it scores 0.") % {"code": rest}
    if key == "rating_form_open":
        return _("The rating form of indicator %(code)s is still open: it scores 0.") % {
            "code": rest
        }
    if key == "months_missing":
        return _("Months without a run: %(items)s.") % {"items": rest}
    if key == "quarters_missing":
        return _("Quarters without a run: %(items)s.") % {"items": rest}
    if key == "no_year_end_review":
        return _("There is no year-end review form.")
    if key == "year_end_review_open":
        return _("The year-end review form is still open.")
    return note


def diagnostics_rows(diagnostics: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The run's outcome diagnostics, named for people."""
    names = {
        "score_cv": _("Coefficient of variation of the totals"),
        "reward_gini": _("Gini coefficient of the rewards"),
        "median_reward_excellent": _("Median reward of Excellent units (yuan)"),
        "median_reward_average": _("Median reward of Average units (yuan)"),
        "unallocated_fen": _("Pool left unallocated (yuan)"),
    }
    rows: list[tuple[str, str]] = []
    for key, label in names.items():
        if key not in diagnostics:
            continue
        value = diagnostics[key]
        if key in ("median_reward_excellent", "median_reward_average", "unallocated_fen"):
            shown = "—" if value is None else yuan(int(Decimal(str(value))))
        else:
            shown = num(value)
        rows.append((label, shown))
    return rows
