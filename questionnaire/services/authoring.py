"""DB staff author the questionnaire: versions as workbooks, an edited one checked and installed, versions compared.

Codes are the identity of the data, across versions as within one: a question code
keeps its type in every version of a questionnaire, and a choice code keeps its
meaning within its question. Relabelling is fine (a typo, a clearer wording);
giving a code another type, or a choice code a wholly different text, is refused
with the reason, because rounds on the two versions could no longer be set side by
side. The questionnaire the results are built on (``borgerservice``) must also keep
every code that ``codes.py`` names.

An uploaded workbook is told every problem at once: the reader's, the validator's and these
rules' (``code_problems``), each placed on its sheet and row. The rules run on the workbook as
written even when it has other problems, leaving out the questions the reader already refused.
"""

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..checks import REQUIRED_QUESTIONS, required_codes_missing
from ..models import NUMBER_KINDS, SAME_ANSWER_KINDS, QuestionKind, Questionnaire
from .definition.base import (
    CURRENT_YEAR,
    DEFAULT_CODE,
    KINDS,
    canonical,
    canonical_hash,
    install_definition,
    problem,
    version_definition,
)
from .definition.xlsform import write_xlsform
from .definition.xlsform_read import WorkbookProblems, placed_in_order, xlsform_reading


def kind_label(kind: str) -> str:
    try:
        return str(QuestionKind(kind).label)
    except ValueError:
        return kind


# --- A version as a workbook ---------------------------------------------------------------


def version_workbook_write(*, questionnaire: Questionnaire, handle) -> None:
    """Write *questionnaire* to *handle* as an XLSForm workbook that uploads back as the same version."""
    write_xlsform(version_definition(questionnaire), handle)


def version_filename(questionnaire: Questionnaire) -> str:
    return f"{questionnaire.code}-v{questionnaire.version}.xlsx"


# --- Checking an upload ------------------------------------------------------------------------


@dataclass
class Upload:
    """A checked workbook: its definition, and what installing it would do."""

    definition: dict
    problems: list[str] = field(default_factory=list)  # codes that may not change as they do; nothing installs
    existing: Questionnaire | None = None  # the version that already has this content
    latest: Questionnaire | None = None  # the newest version of the same code, to compare with

    @property
    def installable(self) -> bool:
        return not self.problems

    def changes(self) -> list["Change"]:
        return definition_diff(version_definition(self.latest), self.definition) if self.latest else []


def upload_read(handle) -> Upload:
    """Return the workbook *handle* checked, or raise WorkbookProblems naming every problem of every stage that ran.

    The stages: reading the sheets, validating the definition, and the codes compared with
    the installed versions (``code_problems``). Only a workbook whose sheets cannot be read
    stops before the codes are compared.
    """
    reading = xlsform_reading(handle)
    if reading.definition is None:
        raise WorkbookProblems(reading.problems)
    versions = _installed(reading.definition.get("code"))
    compared = code_problems(reading.definition, versions, refused=reading.broken)
    placed = reading.locate(ValidationError(compared)) if compared else []
    if reading.problems or placed:
        raise WorkbookProblems(placed_in_order(reading.problems, placed))
    return _upload(canonical(reading.definition), versions, [])


def definition_check(definition: dict) -> Upload:
    """Return the canonical, valid *definition* checked against the codes and the installed versions."""
    versions = _installed(definition["code"])
    problems = code_problems(definition, versions)
    return _upload(definition, versions, ValidationError(problems).messages if problems else [])


def _installed(code) -> list[tuple[Questionnaire, dict]]:
    """Return the installed versions of *code*, newest first, each with its canonical definition."""
    if not isinstance(code, str) or not code:
        return []
    versions = Questionnaire.objects.filter(code=code).order_by("-version")
    return [(version, version_definition(version)) for version in versions]


def _upload(definition: dict, versions: list, problems: list[str]) -> Upload:
    digest = canonical_hash(definition)
    return Upload(
        definition=definition,
        problems=problems,
        existing=next((version for version, _old in versions if version.content_hash == digest), None),
        latest=versions[0][0] if versions else None,
    )


def code_problems(definition: dict, versions: list, refused=frozenset()) -> list[ValidationError]:
    """Return where *definition* breaks the rules of codes, each a ``base.problem`` with its path and field.

    The codes ``codes.py`` names (the default questionnaire), then the codes of the installed
    *versions* (``identity_problems``). *definition* may be as a workbook writes it, not yet
    valid; the questions whose code is in *refused* (their type or list refused by the reader)
    are left out, and count as keeping the codes the results need, so that nothing is told twice.
    """
    problems = []
    if definition.get("code") == DEFAULT_CODE:
        missing = required_codes_missing(_question_objects(definition, refused))
        if missing:
            problems.append(
                problem(
                    _("The results and the privacy rules rely on codes this questionnaire lacks: %(problems)s."),
                    "required_codes",
                    field="sections",
                    problems="; ".join(missing),
                )
            )
    return problems + identity_problems(definition, versions, refused)


def _question_objects(definition: dict, refused=frozenset()) -> list:
    """Return the questions of *definition* shaped like Question rows, for checks.required_codes_missing."""
    objects = []
    for _path, question in _indexed_questions(definition):
        code, kind, choices = question.get("code"), question.get("type"), question.get("choices") or []
        if code in refused and code in REQUIRED_QUESTIONS:
            # Its row already tells what is wrong; take it as what the results need.
            kinds, needed = REQUIRED_QUESTIONS[code]
            kind, choices = kinds[0], [{"code": choice} for choice in needed]
        objects.append(
            SimpleNamespace(
                code=code,
                kind=kind,
                choices=SimpleNamespace(all=lambda c=choices: [SimpleNamespace(code=ch.get("code")) for ch in c]),
            )
        )
    return objects


def _indexed_questions(definition: dict):
    """Yield (path, question) of every question of *definition*, valid or not: path as ``base.problem`` takes it."""
    for s_index, section in enumerate(definition.get("sections") or []):
        if not isinstance(section, dict):
            continue
        for q_index, question in enumerate(section.get("questions") or []):
            if isinstance(question, dict):
                yield ("sections", s_index, "questions", q_index), question


def _questions(definition: dict) -> list[dict]:
    return [question for section in definition["sections"] for question in section["questions"]]


def same_meaning(old: str, new: str) -> bool:
    """Return whether the choice text *new* may still mean what *old* meant: a word in common, or most letters."""
    words = {word for word in _words(old) if len(word) >= 2}
    if words & {word for word in _words(new) if len(word) >= 2}:
        return True
    return SequenceMatcher(None, old.lower(), new.lower()).ratio() >= 0.5


def _words(text: str) -> set[str]:
    return {"".join(ch for ch in word if ch.isalnum()) for word in text.lower().split()}


def _placed(message: str, code: str, path: tuple, field_name: str, params: dict) -> ValidationError:
    """Return a problem as ``base.problem`` makes it, for *params* that name a ``code`` of their own."""
    return ValidationError(message, code=code, params={**params, "path": path, "field": field_name})


def identity_problems(definition: dict, versions: list[tuple[Questionnaire, dict]], refused=frozenset()) -> list:
    """Return where *definition* gives a code of the installed *versions* another meaning (``base.problem`` each).

    A type changed is placed on the question's type, a choice given another meaning on the
    choice's label. Questions the reader refused (*refused*) or of an unknown type are left out.
    """
    problems = []
    for path, question in _indexed_questions(definition):
        code, kind = question.get("code"), question.get("type")
        if code in refused or kind not in KINDS or not isinstance(code, str):
            continue
        for version, old_definition in versions:
            old = next((q for q in _questions(old_definition) if q["code"] == code), None)
            if old is None:
                continue
            if old["type"] != kind and not any({old["type"], kind} <= kinds for kinds in SAME_ANSWER_KINDS):
                problems.append(
                    _placed(
                        _(
                            "The question “%(label)s” (%(code)s) was %(old)s in version %(version)d "
                            "and is now %(new)s. "
                            "A code keeps its type, so that rounds can be compared: give the new question a new code."
                        ),
                        "type_changed",
                        path,
                        "type",
                        {
                            "label": question.get("label", ""),
                            "code": code,
                            "old": kind_label(old["type"]),
                            "new": kind_label(kind),
                            "version": version.version,
                        },
                    )
                )
                break
            old_labels = {choice["code"]: choice["label"] for choice in old["choices"]}
            moved = [
                (c_index, choice, old_labels[choice.get("code")])
                for c_index, choice in enumerate(question.get("choices") or [])
                if isinstance(choice, dict)
                and choice.get("code") in old_labels
                and choice.get("label")
                and not same_meaning(old_labels[choice.get("code")], choice["label"])
            ]
            for c_index, choice, old_label in moved:
                problems.append(
                    _placed(
                        _(
                            "The choice %(choice)s of “%(label)s” was “%(old)s” in version %(version)d and is now "
                            "“%(new)s”: a code keeps its meaning. Give the new choice a code of its own "
                            "(and remove the old one), or keep the old text."
                        ),
                        "choice_changed",
                        (*path, "choices", c_index),
                        "label",
                        {
                            "choice": choice["code"],
                            "label": question.get("label", ""),
                            "old": old_label,
                            "new": choice["label"],
                            "version": version.version,
                        },
                    )
                )
            if moved:
                break
    return problems


@transaction.atomic
def upload_install(*, definition: dict) -> tuple[Questionnaire, bool]:
    """Install the checked *definition* as a new version; return it and whether it is new.

    Checked again here, inside the transaction: another version may have been installed
    since the preview. Raise ValueError with the problems if it is no longer installable.
    """
    upload = definition_check(definition)
    if not upload.installable:
        raise ValueError(upload.problems)
    return install_definition(definition)


# --- What changed between two versions ---------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference between two versions, as staff read it: what, and how it was and is."""

    kind: str  # added, removed, relabelled, condition, bounds, type, required, help, moved, text
    subject: str  # questionnaire, section, question, choice
    label: str  # the question's (or section's, choice's) text
    before: str = ""
    after: str = ""
    code: str = ""  # for analysts' sheets; pages show the label

    @property
    def description(self) -> str:
        return _change_names()[(self.subject, self.kind)]


def _change_names() -> dict:
    # Made on each use, so that the texts are in the language of the request.
    return {
        ("questionnaire", "text"): _("Text of the questionnaire changed"),
        ("section", "added"): _("Section added"),
        ("section", "removed"): _("Section removed"),
        ("section", "relabelled"): _("Section retitled"),
        ("section", "help"): _("Section introduction changed"),
        ("section", "condition"): _("Section condition changed"),
        ("question", "added"): _("Question added"),
        ("question", "removed"): _("Question removed"),
        ("question", "relabelled"): _("Question relabelled"),
        ("question", "help"): _("Help text changed"),
        ("question", "type"): _("Type changed"),
        ("question", "required"): _("Required changed"),
        ("question", "condition"): _("Condition changed"),
        ("question", "bounds"): _("Bounds changed"),
        ("question", "moved"): _("Moved to another section"),
        ("choice", "added"): _("Choice added"),
        ("choice", "removed"): _("Choice removed"),
        ("choice", "relabelled"): _("Choice relabelled"),
    }


def condition_text(condition, questions: dict) -> str:
    """Return *condition* as staff read it, with labels: Shown if “…” is “…” or “…”."""
    if not condition:
        return _("Always shown")
    source = questions.get(condition["question"])
    label = source["label"] if source else condition["question"]
    if "any_of" in condition:
        labels = {choice["code"]: choice["label"] for choice in source["choices"]} if source else {}
        chosen = _("” or “").join(labels.get(code, code) for code in condition["any_of"])
        return _("Shown if “%(question)s” is “%(choices)s”") % {"question": label, "choices": chosen}
    return _("Shown if “%(question)s” is answered") % {"question": label}


def bounds_text(question: dict) -> str:
    parts = []
    if question["min"] is not None or question["max"] is not None:
        high = _("this year") if question["max"] == CURRENT_YEAR else question["max"]
        parts.append(f"{question['min']}–{high}")
    if question["max_length"] is not None and question["type"] not in NUMBER_KINDS:
        parts.append(_("at most %(count)d characters") % {"count": question["max_length"]})
    return ", ".join(map(str, parts)) or "–"


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def definition_diff(old: dict, new: dict) -> list[Change]:
    """Return what changed from the definition *old* to *new*: sections, questions and choices, matched by code."""
    changes = []
    settings = (
        ("title", _("Questionnaire title")),
        ("intro", _("Introduction")),
        ("purpose", _("Purpose")),
        ("privacy", _("Privacy")),
    )
    for key, name in settings:
        if old[key] != new[key]:
            changes.append(Change("text", "questionnaire", str(name), old[key], new[key], key))
    old_questions = {q["code"]: q for q in _questions(old)}
    new_questions = {q["code"]: q for q in _questions(new)}
    old_sections = {s["code"]: s for s in old["sections"]}
    new_sections = {s["code"]: s for s in new["sections"]}
    section_of = {
        definition_id: {q["code"]: s["code"] for s in definition["sections"] for q in s["questions"]}
        for definition_id, definition in (("old", old), ("new", new))
    }

    for code, section in new_sections.items():
        before = old_sections.get(code)
        if before is None:
            changes.append(Change("added", "section", section["title"], "", section["title"], code))
            continue
        if before["title"] != section["title"]:
            changes.append(Change("relabelled", "section", section["title"], before["title"], section["title"], code))
        if before["intro"] != section["intro"]:
            changes.append(Change("help", "section", section["title"], before["intro"], section["intro"], code))
        if before["show_if"] != section["show_if"]:
            changes.append(
                Change(
                    "condition",
                    "section",
                    section["title"],
                    condition_text(before["show_if"], old_questions),
                    condition_text(section["show_if"], new_questions),
                    code,
                )
            )
    for code, section in old_sections.items():
        if code not in new_sections:
            changes.append(Change("removed", "section", section["title"], section["title"], "", code))

    for code, question in new_questions.items():
        before = old_questions.get(code)
        label = question["label"]
        if before is None:
            changes.append(Change("added", "question", label, "", kind_label(question["type"]), code))
            continue
        pairs = (
            ("relabelled", before["label"], label),
            ("help", before["help"], question["help"]),
            ("type", kind_label(before["type"]), kind_label(question["type"])),
            ("required", _yes_no(before["required"]), _yes_no(question["required"])),
            (
                "condition",
                condition_text(before["show_if"], old_questions),
                condition_text(question["show_if"], new_questions),
            ),
            ("bounds", bounds_text(before), bounds_text(question)),
        )
        for kind, was, now in pairs:
            if was != now:
                changes.append(Change(kind, "question", label, was, now, code))
        old_section, new_section = section_of["old"][code], section_of["new"][code]
        if old_section != new_section:
            changes.append(
                Change(
                    "moved",
                    "question",
                    label,
                    old_sections[old_section]["title"],
                    new_sections[new_section]["title"],
                    code,
                )
            )
        old_choices = {choice["code"]: choice["label"] for choice in before["choices"]}
        new_choices = {choice["code"]: choice["label"] for choice in question["choices"]}
        for choice_code, choice_label in new_choices.items():
            where = f"{label}: {choice_label}"
            if choice_code not in old_choices:
                changes.append(Change("added", "choice", where, "", choice_label, f"{code}/{choice_code}"))
            elif old_choices[choice_code] != choice_label:
                changes.append(
                    Change(
                        "relabelled", "choice", where, old_choices[choice_code], choice_label, f"{code}/{choice_code}"
                    )
                )
        for choice_code, choice_label in old_choices.items():
            if choice_code not in new_choices:
                changes.append(
                    Change("removed", "choice", f"{label}: {choice_label}", choice_label, "", f"{code}/{choice_code}")
                )
    for code, question in old_questions.items():
        if code not in new_questions:
            changes.append(Change("removed", "question", question["label"], kind_label(question["type"]), "", code))
    return changes


def versions_diff(old: Questionnaire, new: Questionnaire) -> list[Change]:
    """Return what changed from the installed version *old* to *new*."""
    return definition_diff(version_definition(old), version_definition(new))
