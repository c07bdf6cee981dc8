"""Load a questionnaire definition file, validate it, and install it as rows.

The file (YAML, see ``definitions/borgerservice.yaml``) is the source of truth for
the questionnaire's content. Installing is idempotent: the same content gives the
same version; changed content gives a new version, so a version that has answers
never changes underneath them.
"""

import hashlib
import json
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from .models import Choice, Question, QuestionKind, Questionnaire, Section

DEFAULT_DEFINITION = Path(__file__).resolve().parent / "definitions" / "borgerservice.yaml"

KINDS = {kind.value for kind in QuestionKind}
CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTI}
NUMBER_KINDS = {QuestionKind.INTEGER, QuestionKind.YEAR}
DEFAULT_MAX_LENGTH = {QuestionKind.TEXT: 500, QuestionKind.LONG_TEXT: 5000, QuestionKind.EMAIL: 254}


def read_definition(path=DEFAULT_DEFINITION) -> dict:
    """Return the parsed, validated definition in *path*."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    validate_definition(data)
    return data


def _is_code(value):
    return isinstance(value, str) and value and slugify(value).replace("-", "_") == value


def validate_definition(data) -> None:
    """Raise ValidationError listing every problem found in *data*."""
    problems = []
    if not isinstance(data, dict):
        raise ValidationError("The definition must be a mapping.", code="invalid")
    for key in ("code", "title", "sections"):
        if not data.get(key):
            problems.append(f"missing '{key}'")
    if data.get("code") and not _is_code(data["code"]):
        problems.append(f"bad questionnaire code {data['code']!r}")

    section_codes, seen = set(), {}  # seen: question code -> set of its choice codes (None if no choices)
    for section in data.get("sections") or []:
        scode = section.get("code")
        if not _is_code(scode):
            problems.append(f"bad section code {scode!r}")
        elif scode in section_codes:
            problems.append(f"section code {scode!r} used twice")
        section_codes.add(scode)
        if not section.get("title"):
            problems.append(f"section {scode!r} has no title")
        problems += _condition_problems(section.get("show_if"), seen, f"section {scode!r}")
        if not section.get("questions"):
            problems.append(f"section {scode!r} has no questions")
        for question in section.get("questions") or []:
            problems += _question_problems(question, seen)
    if problems:
        raise ValidationError([ValidationError(p, code="invalid") for p in problems])


def _question_problems(question, seen):
    problems = []
    code = question.get("code")
    where = f"question {code!r}"
    if not _is_code(code):
        return [f"bad question code {code!r}"]
    if code in seen:
        problems.append(f"{where} used twice")
    kind = question.get("type")
    if kind not in KINDS:
        problems.append(f"{where} has unknown type {kind!r}")
    if not question.get("label"):
        problems.append(f"{where} has no label")
    # A condition may only look back, so that answers can be judged in one pass.
    problems += _condition_problems(question.get("show_if"), seen, where)
    choices = question.get("choices") or []
    if kind in CHOICE_KINDS:
        codes = [choice.get("code") for choice in choices]
        if not choices:
            problems.append(f"{where} has no choices")
        if any(not _is_code(c) for c in codes):
            problems.append(f"{where} has a bad choice code")
        if len(set(codes)) != len(codes):
            problems.append(f"{where} has a choice code twice")
        if any(not choice.get("label") for choice in choices):
            problems.append(f"{where} has a choice without label")
        seen[code] = set(codes)
    else:
        if choices:
            problems.append(f"{where} of type {kind!r} cannot have choices")
        seen[code] = None
    if kind in NUMBER_KINDS:
        low, high = question.get("min"), question.get("max")
        if not isinstance(low, int) or not (isinstance(high, int) or (kind == QuestionKind.YEAR and high == "current")):
            problems.append(f"{where} needs integer min and max")
        elif isinstance(high, int) and low > high:
            problems.append(f"{where} has min above max")
    return problems


def _condition_problems(condition, seen, where):
    if condition is None:
        return []
    target = condition.get("question") if isinstance(condition, dict) else None
    if target not in seen:
        return [f"{where} has a condition on {target!r}, which is not an earlier question"]
    if "any_of" in condition:
        choices = seen[target]
        unknown = [c for c in condition["any_of"] if choices is None or c not in choices]
        if unknown:
            return [f"{where} has a condition on unknown choices {unknown} of {target!r}"]
        return []
    if condition.get("answered") is True:
        return []
    return [f"{where} has a condition that is neither any_of nor answered"]


def content_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def install_definition(data: dict) -> tuple[Questionnaire, bool]:
    """Return the questionnaire version for *data*, creating it if new, and whether it was created."""
    validate_definition(data)
    digest = content_hash(data)
    # Lock the code's versions so that two installs at once do not both make version N+1.
    versions = list(Questionnaire.objects.select_for_update().filter(code=data["code"]).order_by("-version"))
    if versions and versions[0].content_hash == digest:
        return versions[0], False

    questionnaire = Questionnaire.objects.create(
        code=data["code"],
        version=versions[0].version + 1 if versions else 1,
        title=data["title"],
        intro=data.get("intro", ""),
        purpose=data.get("purpose", ""),
        privacy=data.get("privacy", ""),
        content_hash=digest,
    )
    question_position = 0
    choices = []
    for section_position, section_data in enumerate(data["sections"], start=1):
        section = Section.objects.create(
            questionnaire=questionnaire,
            code=section_data["code"],
            position=section_position,
            title=section_data["title"],
            intro=section_data.get("intro", ""),
            show_if=section_data.get("show_if"),
        )
        for question_data in section_data["questions"]:
            question_position += 1
            kind = question_data["type"]
            high = question_data.get("max")
            question = Question.objects.create(
                questionnaire=questionnaire,
                section=section,
                code=question_data["code"],
                position=question_position,
                kind=kind,
                label=question_data["label"],
                help_text=question_data.get("help", ""),
                required=bool(question_data.get("required", False)),
                min_value=question_data.get("min"),
                # "current" (a year question's upper bound) is judged when answering.
                max_value=high if isinstance(high, int) else None,
                max_length=question_data.get("max_length", DEFAULT_MAX_LENGTH.get(kind)),
                show_if=question_data.get("show_if"),
            )
            choices += [
                Choice(question=question, code=choice["code"], position=position, label=choice["label"])
                for position, choice in enumerate(question_data.get("choices") or [], start=1)
            ]
    Choice.objects.bulk_create(choices)
    return questionnaire, True


def install_default() -> Questionnaire:
    """Return the installed version of the shipped definition file."""
    return install_definition(read_definition())[0]
