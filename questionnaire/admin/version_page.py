"""A questionnaire version's questions, read-only: its sections and questions as the respondent meets them.

Each section and question with its kind, its choices, its bounds and, in words, the
condition that shows it. Linked from the version's page; the admin site registers the URL
(surveyproject/admin_site.py), so the version's ModelAdmin need not know of it.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from ..models import NUMBER_KINDS, QuestionKind, Questionnaire

# The wording of conditions, kinds and bounds is the one the upload's preview and "what changed" use;
# CURRENT_YEAR (a year's open upper bound) is taken from where bounds_text reads it.
from ..services.authoring import CURRENT_YEAR, bounds_text, condition_text, kind_label
from ..services.questionnaire import questionnaire_sections
from .base import page_context


def _as_definition(question) -> dict:
    """The few keys of a question in a definition that the wording of conditions and bounds reads."""
    return {
        "label": question.label,
        "type": question.kind,
        "min": question.min_value,
        "max": CURRENT_YEAR
        if question.kind == QuestionKind.YEAR and question.max_value is None
        else question.max_value,
        "max_length": question.max_length,
        "choices": [{"code": choice.code, "label": choice.label} for choice in question.choices.all()],
    }


def version_sections(questionnaire: Questionnaire) -> list[dict]:
    """Return the sections of *questionnaire* as the page shows them: in order, conditions in words, no codes."""
    sections = questionnaire_sections(questionnaire)
    definitions = {
        question.code: _as_definition(question) for section in sections for question in section.questions.all()
    }
    result = []
    for section in sections:
        questions = []
        for question in section.questions.all():
            definition = definitions[question.code]
            questions.append(
                {
                    "label": question.label,
                    "help": question.help_text,
                    "kind": kind_label(question.kind),
                    "required": question.required,
                    "condition": condition_text(question.show_if, definitions) if question.show_if else "",
                    "choices": [choice["label"] for choice in definition["choices"]],
                    "bounds": bounds_text(definition) if question.kind in NUMBER_KINDS or question.max_length else "",
                }
            )
        result.append(
            {
                "title": section.title,
                "intro": section.intro,
                "condition": condition_text(section.show_if, definitions) if section.show_if else "",
                "questions": questions,
            }
        )
    return result


def version_page_urls(site) -> list:
    """The page's URL, named like the version's own pages (admin:questionnaire_questionnaire_questions)."""

    def view(request, pk):
        model_admin = site._registry[Questionnaire]
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
        context = page_context(
            model_admin,
            request,
            questionnaire,
            _("The questions"),
            questionnaire=questionnaire,
            sections=version_sections(questionnaire),
        )
        return TemplateResponse(request, "admin/questionnaire/questionnaire/questions.html", context)

    return [
        path(
            "questionnaire/questionnaire/<int:pk>/questions/",
            site.admin_view(view),
            name="questionnaire_questionnaire_questions",
        )
    ]
