"""The words staff write into the report (results.models): placeholders for figures, and the themes.

A finding may name a figure by a placeholder, a word in braces (``{andel_aktive}``): checked by the
rules of the mail texts (questionnaire.mail.texts: only ``{word}`` holes, ``{{``/``}}`` for a
brace, never ``str.format``) against ``PLACEHOLDERS``, and filled in from the round's figures
(results.tallies' ``round_results``, the tallies the report prints), so next year's report keeps
its words and gets its new numbers. The placeholders are Danish, as the staff who write them are.

The dilemma themes are the seed's (``THEMES``): each a question or two of the questionnaire, with
the choices that count ("share the same department": ``same_department`` answered yes).
"""

import re
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from questionnaire.codes import (
    CASE_PROCESSING,
    COLOCATION,
    JOINT_TRAINING,
    POLITICAL_VISION,
    SAME_COMMITTEE,
    SAME_DEPARTMENT,
    SYNERGIES,
    USER_SURVEY,
)
from questionnaire.mail.texts import substitute, validate_placeholders

from ..models import ReportSection
from ..tallies import Results
from ..templatetags.results_format import percent

# A placeholder: a letter, then letters, digits and "_" ({antal_model_3}).
NAME = re.compile(r"[^\W\d_]\w*")


@dataclass(frozen=True)
class Measure:
    """A figure of a theme: how many libraries gave one of *choices* to *question* (None: any answer)."""

    question: str
    choices: tuple[str, ...] | None
    stem: str  # the placeholders antal_<stem> and andel_<stem>
    label: str


@dataclass(frozen=True)
class ThemeSpec:
    key: str  # a ReportSection
    measures: tuple[Measure, ...]
    chart: str = ""  # a question whose choices the theme's page draws


THEMES = (
    ThemeSpec(
        ReportSection.ORGANISATION,
        (
            Measure(
                SAME_DEPARTMENT, ("yes",), "samme_forvaltning", _("Library and citizen service in the same department")
            ),
            Measure(SAME_COMMITTEE, ("yes",), "samme_udvalg", _("Under the same political committee")),
        ),
    ),
    ThemeSpec(
        ReportSection.USER_SURVEY,
        (
            Measure(
                USER_SURVEY, ("yes",), "brugerundersoegelser", _("Have measured results with user or citizen surveys")
            ),
        ),
    ),
    ThemeSpec(
        ReportSection.COLOCATION,
        (
            Measure(
                COLOCATION, ("shared_counter", "same_building"), "samme_hus", _("Share a building with citizen service")
            ),
        ),
        chart=COLOCATION,
    ),
    ThemeSpec(
        ReportSection.POLITICAL_VISION,
        (
            Measure(
                POLITICAL_VISION,
                ("yes",),
                "politisk_vision",
                _("The politicians have formulated visions for the cooperation"),
            ),
        ),
    ),
    ThemeSpec(
        ReportSection.JOINT_TRAINING,
        (Measure(JOINT_TRAINING, ("yes",), "faelles_uddannelse", _("Have had joint training")),),
    ),
    ThemeSpec(
        ReportSection.CASE_PROCESSING,
        (Measure(CASE_PROCESSING, ("yes", "partly"), "sagsbehandling", _("Offer case processing, fully or partly")),),
    ),
    ThemeSpec(
        ReportSection.SYNERGIES,
        (Measure(SYNERGIES, None, "synergier", _("Name benefits of the cooperation")),),
        chart=SYNERGIES,
    ),
)
THEME_KEYS = tuple(spec.key for spec in THEMES)

# The cooperation models' choice codes and their placeholders' stems.
MODEL_STEMS = {**{f"model_{number}": f"model_{number}" for number in range(1, 7)}, "other": "anden_model"}

PLACEHOLDERS = (
    "runde",
    "antal_inviterede",
    "antal_besvarelser",
    "svarprocent",
    "antal_aktive",
    "andel_aktive",
    "antal_ikke_startet",
    "andel_ikke_startet",
    *(f"{prefix}_{stem}" for stem in MODEL_STEMS.values() for prefix in ("antal", "andel")),
    *(f"{prefix}_{m.stem}" for spec in THEMES for m in spec.measures for prefix in ("antal", "andel")),
)


def validate_report_text(text: str) -> None:
    """Raise ValidationError, in Danish, for a hole in *text* the report cannot fill in (listing those it can)."""
    validate_placeholders(text, known=PLACEHOLDERS, name=NAME)


def measure_count(results: Results, measure: Measure) -> tuple[int, int] | None:
    """Return (libraries counted, libraries that answered) for *measure*, or None if the question was not asked."""
    tally = results.question(measure.question)
    if tally is None:
        return None
    if measure.choices is None:
        return tally.answered, results.headline.active
    count = sum(choice.count for choice in tally.choices if choice.code in measure.choices)
    return count, tally.answered


def _whole(number) -> str:
    return number_format(number, 0, force_grouping=True)


def figure_values(results: Results) -> dict[str, str]:
    """Return {placeholder: the figure as the report writes it} for *results* ("–" where there is none)."""
    headline = results.headline
    values = {
        "runde": results.round.title,
        "antal_inviterede": _whole(headline.invited),
        "antal_besvarelser": _whole(headline.responses),
        "svarprocent": percent(headline.response_rate),
        "antal_aktive": _whole(headline.active),
        "andel_aktive": percent(headline.share_active),
        "antal_ikke_startet": _whole(headline.not_started),
        "andel_ikke_startet": percent(headline.share_not_started),
    }
    models = {model.code: model for model in results.model_adoption.models}
    for code, stem in MODEL_STEMS.items():
        model = models.get(code)
        values[f"antal_{stem}"] = _whole(model.count) if model else percent(None)
        values[f"andel_{stem}"] = percent(model.share_of_active if model else None)
    for spec in THEMES:
        for measure in spec.measures:
            found = measure_count(results, measure)
            count, base = found if found else (None, 0)
            values[f"antal_{measure.stem}"] = _whole(count) if count is not None else percent(None)
            values[f"andel_{measure.stem}"] = percent(count / base if found and base else None)
    return values


def fill_in(text: str, values: dict[str, str]) -> str:
    """Return staff's *text* with its placeholders filled in from *values* (figure_values)."""
    return substitute(text, values)


def placeholder_help() -> str:
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


placeholder_help_lazy = lazy(placeholder_help, str)
