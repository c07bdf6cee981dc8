"""DB staff author the questionnaire: versions as workbooks, an edited one checked and installed, versions compared.

Codes are the identity of the data, across versions as within one: a question code
keeps its type in every version of a questionnaire, and a choice code keeps its
meaning within its question. Relabelling is fine (a typo, a clearer wording);
giving a code another type, or a choice code a wholly different text, is refused
with the reason, because rounds on the two versions could no longer be set side by
side. The questionnaire the results are built on (``borgerservice``) must also keep
every code that ``codes.py`` names.
"""

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from types import SimpleNamespace

from django.db import transaction
from django.utils.translation import gettext as _

from ..checks import required_codes_missing
from ..models import NUMBER_KINDS, SAME_ANSWER_KINDS, QuestionKind, Questionnaire
from .definition.base import CURRENT_YEAR, DEFAULT_CODE, canonical_hash, install_definition, version_definition
from .definition.xlsform import write_xlsform
from .definition.xlsform_read import read_xlsform


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
    """Return the workbook *handle* checked; raise WorkbookProblems if it cannot be read as a questionnaire."""
    return definition_check(read_xlsform(handle))


def definition_check(definition: dict) -> Upload:
    """Return the canonical, valid *definition* checked against the codes and the installed versions."""
    versions = list(Questionnaire.objects.filter(code=definition["code"]).order_by("-version"))
    digest = canonical_hash(definition)
    upload = Upload(
        definition=definition,
        existing=next((version for version in versions if version.content_hash == digest), None),
        latest=versions[0] if versions else None,
    )
    if definition["code"] == DEFAULT_CODE:
        missing = required_codes_missing(_question_objects(definition))
        if missing:
            upload.problems.append(
                _("The results and the privacy rules rely on codes this questionnaire lacks: %(problems)s.")
                % {"problems": "; ".join(missing)}
            )
    upload.problems += identity_problems(definition, [(version, version_definition(version)) for version in versions])
    return upload


def _question_objects(definition: dict) -> list:
    """Return the questions of *definition* shaped like Question rows, for checks.required_codes_missing."""
    return [
        SimpleNamespace(
            code=question["code"],
            kind=question["type"],
            choices=SimpleNamespace(all=lambda q=question: [SimpleNamespace(**choice) for choice in q["choices"]]),
        )
        for question in _questions(definition)
    ]


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


def identity_problems(definition: dict, versions: list[tuple[Questionnaire, dict]]) -> list[str]:
    """Return, one sentence each, where *definition* gives a code of the installed *versions* another meaning."""
    problems = []
    for question in _questions(definition):
        code = question["code"]
        for version, old_definition in versions:
            old = next((q for q in _questions(old_definition) if q["code"] == code), None)
            if old is None:
                continue
            if old["type"] != question["type"] and not any(
                {old["type"], question["type"]} <= kinds for kinds in SAME_ANSWER_KINDS
            ):
                problems.append(
                    _(
                        "The question “%(label)s” (%(code)s) was %(old)s in version %(version)d and is now %(new)s. "
                        "A code keeps its type, so that rounds can be compared: give the new question a new code."
                    )
                    % {
                        "label": question["label"],
                        "code": code,
                        "old": kind_label(old["type"]),
                        "new": kind_label(question["type"]),
                        "version": version.version,
                    }
                )
                break
            old_labels = {choice["code"]: choice["label"] for choice in old["choices"]}
            moved = [
                (choice, old_labels[choice["code"]])
                for choice in question["choices"]
                if choice["code"] in old_labels and not same_meaning(old_labels[choice["code"]], choice["label"])
            ]
            for choice, old_label in moved:
                problems.append(
                    _(
                        "The choice %(choice)s of “%(label)s” was “%(old)s” in version %(version)d and is now "
                        "“%(new)s”: a code keeps its meaning. Give the new choice a code of its own "
                        "(and remove the old one), or keep the old text."
                    )
                    % {
                        "choice": choice["code"],
                        "label": question["label"],
                        "old": old_label,
                        "new": choice["label"],
                        "version": version.version,
                    }
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
