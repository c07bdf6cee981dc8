"""The base of a questionnaire definition: validating it, its canonical form, installing it as rows.

A definition is a plain mapping (see ``definitions/borgerservice.yaml``); the formats above
this module (``yaml``, ``xlsform_read``) turn a file into one and hand it to the one
validator here. Nothing here knows a format. Installing is idempotent: a definition is
first brought to its canonical form (every optional key filled in, texts stripped), whose
hash names its content; the same content gives the same version, changed content a new
one, so a version that has answers never changes underneath them. ``version_definition``
reads an installed version back into the canonical form, so a version downloaded and
uploaded unchanged is the same version.

Every problem is a ValidationError with a code and, in its params, ``path`` (where
in the definition: ``("sections", 2, "questions", 0)``) and ``field`` (``"type"``,
``"show_if"``, …), so that a reader of another format can say which sheet, row and
column it came from.
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ...models import CHOICE_KINDS, NUMBER_KINDS, Choice, Question, QuestionKind, Questionnaire, Section

# The questionnaire the results and the privacy rules are built on (checks.REQUIRED_QUESTIONS).
DEFAULT_CODE = "borgerservice"

KINDS = {kind.value for kind in QuestionKind}
DEFAULT_MAX_LENGTH = {QuestionKind.TEXT: 500, QuestionKind.LONG_TEXT: 5000, QuestionKind.EMAIL: 254}
# A bound is stored in a bigint column (Question.min_value, max_value).
BIGGEST_BOUND = (-(2**63), 2**63 - 1)
CURRENT_YEAR = "current"  # a year question's upper bound: judged when answering


def _is_code(value):
    return isinstance(value, str) and value and slugify(value).replace("-", "_") == value


def problem(message, code, path=(), field="", **params) -> ValidationError:
    """Return one problem of a definition: *message* with *params*, and where it is (*path*, *field*)."""
    return ValidationError(message, code=code, params={"path": tuple(path), "field": field, **params})


def validate_definition(data) -> None:
    """Raise ValidationError listing every problem found in *data*."""
    if not isinstance(data, dict):
        raise ValidationError(_("The definition must be a mapping."), code="invalid")
    problems = []
    for key in ("code", "title", "sections"):
        if not data.get(key):
            problems.append(problem(_("The questionnaire has no %(key)s."), "missing", field=key, key=key))
    if data.get("code") and not _is_code(data["code"]):
        problems.append(
            problem(
                _("The questionnaire code %(value)s is not a code (small letters, digits and _)."),
                "bad_code",
                field="code",
                value=repr(data["code"]),
            )
        )

    section_codes, seen = set(), {}  # seen: question code -> set of its choice codes (None if no choices)
    for s_index, section in enumerate(data.get("sections") or []):
        path = ("sections", s_index)
        scode = section.get("code")
        if not _is_code(scode):
            problems.append(
                problem(_("The section code %(value)s is not a code."), "bad_code", path, "code", value=repr(scode))
            )
        elif scode in section_codes:
            problems.append(
                problem(_("The section code %(section)s is used twice."), "duplicate", path, "code", section=scode)
            )
        section_codes.add(scode)
        where = _("Section %(code)s") % {"code": scode}
        if not section.get("title"):
            problems.append(problem(_("%(where)s has no title."), "missing", path, "title", where=where))
        problems += _condition_problems(section.get("show_if"), seen, where, path)
        if not section.get("questions"):
            problems.append(problem(_("%(where)s has no questions."), "empty", path, "questions", where=where))
        for q_index, question in enumerate(section.get("questions") or []):
            problems += _question_problems(question, seen, (*path, "questions", q_index))
    if problems:
        raise ValidationError(problems)


def _question_problems(question, seen, path):
    code = question.get("code")
    if not _is_code(code):
        return [problem(_("The question code %(value)s is not a code."), "bad_code", path, "code", value=repr(code))]
    where = _("Question %(code)s") % {"code": code}
    problems = []
    if code in seen:
        problems.append(
            problem(_("The question code %(question)s is used twice."), "duplicate", path, "code", question=code)
        )
    kind = question.get("type")
    if kind not in KINDS:
        problems.append(
            problem(
                _("%(where)s has unknown type %(type)s."), "unknown_type", path, "type", where=where, type=repr(kind)
            )
        )
    if not question.get("label"):
        problems.append(problem(_("%(where)s has no label."), "missing", path, "label", where=where))
    # A condition may only look back, so that answers can be judged in one pass.
    problems += _condition_problems(question.get("show_if"), seen, where, path)
    choices = question.get("choices") or []
    if kind in CHOICE_KINDS:
        if not choices:
            problems.append(problem(_("%(where)s has no choices."), "no_choices", path, "choices", where=where))
        codes = set()
        for c_index, choice in enumerate(choices):
            choice_path = (*path, "choices", c_index)
            choice_code = choice.get("code")
            if not _is_code(choice_code):
                problems.append(
                    problem(
                        _("%(where)s has a choice code that is not a code: %(value)s."),
                        "bad_code",
                        choice_path,
                        "code",
                        where=where,
                        value=repr(choice_code),
                    )
                )
            elif choice_code in codes:
                problems.append(
                    problem(
                        _("%(where)s has the choice code %(choice)s twice."),
                        "duplicate_choice",
                        choice_path,
                        "code",
                        where=where,
                        choice=choice_code,
                    )
                )
            codes.add(choice_code)
            if not choice.get("label"):
                problems.append(
                    problem(_("%(where)s has a choice without label."), "missing", choice_path, "label", where=where)
                )
        seen[code] = codes
    else:
        if choices:
            problems.append(
                problem(
                    _("%(where)s of type %(type)s cannot have choices."),
                    "choices",
                    path,
                    "choices",
                    where=where,
                    type=kind,
                )
            )
        seen[code] = None
    if kind in NUMBER_KINDS:
        low, high = question.get("min"), question.get("max")
        high_ok = _is_int(high) or (kind == QuestionKind.YEAR and high == CURRENT_YEAR)
        if not _is_int(low) or not high_ok:
            problems.append(
                problem(_("%(where)s needs whole numbers as min and max."), "bounds", path, "min", where=where)
            )
        elif any(_is_int(bound) and not BIGGEST_BOUND[0] <= bound <= BIGGEST_BOUND[1] for bound in (low, high)):
            problems.append(
                problem(
                    _("%(where)s has a bound larger than the database can hold."), "bounds", path, "min", where=where
                )
            )
        elif _is_int(high) and low > high:
            problems.append(problem(_("%(where)s has min above max."), "bounds", path, "min", where=where))
    max_length = question.get("max_length")
    if max_length is not None and (not _is_int(max_length) or max_length < 1):
        problems.append(
            problem(_("%(where)s needs a whole number as maximum length."), "bounds", path, "max_length", where=where)
        )
    return problems


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _condition_problems(condition, seen, where, path):
    if condition is None:
        return []
    target = condition.get("question") if isinstance(condition, dict) else None
    if target not in seen:
        return [
            problem(
                _("%(where)s has a condition on %(target)s, which is not an earlier question."),
                "condition_order",
                path,
                "show_if",
                where=where,
                target=repr(target),
                target_code=target,
            )
        ]
    if "any_of" in condition:
        choices = seen[target]
        unknown = [c for c in condition["any_of"] or [] if choices is None or c not in choices]
        if unknown or not condition["any_of"]:
            return [
                problem(
                    _("%(where)s has a condition on choices %(choices)s that %(target)s does not offer."),
                    "condition_choice",
                    path,
                    "show_if",
                    where=where,
                    choices=", ".join(map(str, unknown)) or "–",
                    target=target,
                    target_code=target,
                )
            ]
        return []
    if condition.get("answered") is True:
        return []
    return [
        problem(
            _("%(where)s has a condition that is neither any_of nor answered."),
            "condition",
            path,
            "show_if",
            where=where,
        )
    ]


# --- The canonical form -----------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def canonical(data: dict) -> dict:
    """Return *data* (valid) with every optional key filled in and texts stripped: what the rows hold."""
    sections = []
    for section in data["sections"]:
        questions = []
        for question in section["questions"]:
            kind = question["type"]
            questions.append(
                {
                    "code": question["code"],
                    "type": kind,
                    "label": _text(question["label"]),
                    "help": _text(question.get("help")),
                    "required": bool(question.get("required", False)),
                    "min": question.get("min"),
                    "max": question.get("max"),
                    "max_length": question.get("max_length", DEFAULT_MAX_LENGTH.get(kind)),
                    "show_if": _condition(question.get("show_if")),
                    "choices": [
                        {"code": choice["code"], "label": _text(choice["label"])}
                        for choice in question.get("choices") or []
                    ],
                }
            )
        sections.append(
            {
                "code": section["code"],
                "title": _text(section["title"]),
                "intro": _text(section.get("intro")),
                "show_if": _condition(section.get("show_if")),
                "questions": questions,
            }
        )
    return {
        "code": data["code"],
        "title": _text(data["title"]),
        "intro": _text(data.get("intro")),
        "purpose": _text(data.get("purpose")),
        "privacy": _text(data.get("privacy")),
        "sections": sections,
    }


def _condition(condition):
    if not condition:
        return None
    if "any_of" in condition:
        return {"question": condition["question"], "any_of": list(condition["any_of"])}
    return {"question": condition["question"], "answered": True}


def version_definition(questionnaire) -> dict:
    """Return the canonical definition of the installed *questionnaire* version, read from its rows.

    Works on historical models too (migrations): it only follows the related names.
    """
    sections = []
    questions = list(questionnaire.questions.order_by("position").prefetch_related("choices"))
    for section in questionnaire.sections.order_by("position"):
        rows = []
        for question in (q for q in questions if q.section_id == section.pk):
            high = question.max_value
            if question.kind == QuestionKind.YEAR and high is None:
                high = CURRENT_YEAR
            rows.append(
                {
                    "code": question.code,
                    "type": question.kind,
                    "label": question.label,
                    "help": question.help_text,
                    "required": question.required,
                    "min": question.min_value,
                    "max": high,
                    "max_length": question.max_length,
                    "show_if": _condition(question.show_if),
                    "choices": [
                        {"code": choice.code, "label": choice.label}
                        for choice in sorted(question.choices.all(), key=lambda choice: choice.position)
                    ],
                }
            )
        sections.append(
            {
                "code": section.code,
                "title": section.title,
                "intro": section.intro,
                "show_if": _condition(section.show_if),
                "questions": rows,
            }
        )
    return {
        "code": questionnaire.code,
        "title": questionnaire.title,
        "intro": questionnaire.intro,
        "purpose": questionnaire.purpose,
        "privacy": questionnaire.privacy,
        "sections": sections,
    }


def content_hash(data: dict) -> str:
    """Return the hash of *data*'s canonical form: the same for the same content, however it was written."""
    return canonical_hash(canonical(data))


def canonical_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- Installing ---------------------------------------------------------------------------


@transaction.atomic
def install_definition(data: dict) -> tuple[Questionnaire, bool]:
    """Return the questionnaire version for *data*, creating it if new, and whether it was created.

    Content that an installed version of the same code already has (the latest or an
    older one) installs nothing: that version is returned.
    """
    validate_definition(data)
    data = canonical(data)
    digest = canonical_hash(data)
    # Lock the code's versions so that two installs at once do not both make version N+1.
    versions = list(Questionnaire.objects.select_for_update().filter(code=data["code"]).order_by("-version"))
    same = next((version for version in versions if version.content_hash == digest), None)
    if same:
        return same, False

    questionnaire = Questionnaire.objects.create(
        code=data["code"],
        version=versions[0].version + 1 if versions else 1,
        title=data["title"],
        intro=data["intro"],
        purpose=data["purpose"],
        privacy=data["privacy"],
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
            intro=section_data["intro"],
            show_if=section_data["show_if"],
        )
        for question_data in section_data["questions"]:
            question_position += 1
            high = question_data["max"]
            question = Question.objects.create(
                questionnaire=questionnaire,
                section=section,
                code=question_data["code"],
                position=question_position,
                kind=question_data["type"],
                label=question_data["label"],
                help_text=question_data["help"],
                required=question_data["required"],
                min_value=question_data["min"],
                # "current" (a year question's upper bound) is judged when answering.
                max_value=high if _is_int(high) else None,
                max_length=question_data["max_length"],
                show_if=question_data["show_if"],
            )
            choices += [
                Choice(question=question, code=choice["code"], position=position, label=choice["label"])
                for position, choice in enumerate(question_data["choices"], start=1)
            ]
    Choice.objects.bulk_create(choices)
    return questionnaire, True
