"""The form for one section, built from its Question rows.

Fields are named by question code and post choice codes as their values, so a
posted form reads the same as the questionnaire file.
"""

import json
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout
from django import forms
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from .codes import CHOSEN_AMONG
from .conditions import chosen_labels, condition_met, is_answered, visible_answers
from .models import QuestionKind
from .text import text_clean, validate_mail_address

REQUIRED_MESSAGE = _("Please answer this question.")
NO_ANSWER = _("No answer")
REQUIRED_LABEL = '{} <span class="text-danger" aria-hidden="true">*</span>'


class WholeNumberField(forms.IntegerField):
    """An integer that may be typed the Danish way, with spaces or dots between thousands."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    thousands = re.compile(r"^-?\d{1,3}([ .\u00a0]\d{3})+$")

    def to_python(self, value):
        if isinstance(value, str) and self.thousands.match(value.strip()):
            value = re.sub(r"[ .\u00a0]", "", value.strip())
        return super().to_python(value)


class TextField(forms.CharField):
    """Text as a library means it: a NUL is refused (Django's own check), other control characters removed."""

    def clean(self, value):
        return text_clean(super().clean(value))


class ChoicesField(forms.MultipleChoiceField):
    """Several choices; a choice posted twice is the one choice (order kept)."""

    def to_python(self, value):
        return list(dict.fromkeys(super().to_python(value)))


def _choices(question):
    return [(choice.code, choice.label) for choice in question.choices.all()]


def create_single_field(question):
    # An optional question offers "no answer" too (as LimeSurvey does), so a choice made can be undone.
    choices = _choices(question) if question.required else [*_choices(question), ("", NO_ANSWER)]
    return forms.ChoiceField(choices=choices, widget=forms.RadioSelect)


def create_multi_field(question):
    return ChoicesField(choices=_choices(question), widget=forms.CheckboxSelectMultiple)


def create_text_field(question):
    return TextField(max_length=question.max_length)


def create_long_text_field(question):
    return TextField(max_length=question.max_length, widget=forms.Textarea(attrs={"rows": 5}))


def create_email_field(question):
    # Only an address mail can use: the receipt goes to it after the answers are stored.
    return forms.EmailField(
        max_length=question.max_length,
        validators=[validate_mail_address],
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _number_field(low, high, *, grouping=True):
    field = WholeNumberField(min_value=low, max_value=high)
    if low is not None and high is not None:
        # One sentence for both bounds, amounts written the Danish way (years without a dot).
        message = _("Enter a number from %(low)s to %(high)s.") % {
            "low": number_format(low, force_grouping=grouping),
            "high": number_format(high, force_grouping=grouping),
        }
        for validator in field.validators:
            validator.message = message
    return field


def create_integer_field(question):
    return _number_field(question.min_value, question.max_value)


def create_year_field(question):
    high = question.max_value if question.max_value is not None else timezone.localdate().year
    return _number_field(question.min_value, high, grouping=False)


FIELD_FACTORIES = {
    QuestionKind.SINGLE: create_single_field,
    QuestionKind.MULTI: create_multi_field,
    QuestionKind.TEXT: create_text_field,
    QuestionKind.LONG_TEXT: create_long_text_field,
    QuestionKind.EMAIL: create_email_field,
    QuestionKind.INTEGER: create_integer_field,
    QuestionKind.YEAR: create_year_field,
}


def create_field(question):
    field = FIELD_FACTORIES[question.kind](question)
    # The label carries the required mark as markup, so it is built escaped; help texts
    # are escaped here too, as crispy's own template packs write them unescaped.
    field.label = format_html(REQUIRED_LABEL, question.label) if question.required else question.label
    field.help_text = escape(question.help_text)
    field.question_label = question.label  # without the required mark, for the error summary
    field.required = False  # judged in SectionForm.clean, where conditions are known
    field.error_messages["required"] = REQUIRED_MESSAGE
    if question.required and not question.has_choices:
        # Choice groups are fieldsets; aria-required is not allowed on single radios.
        field.widget.attrs["aria-required"] = "true"
    return field


class SectionForm(forms.Form):
    """The questions of one section that can be shown, given the answers so far.

    A question whose condition depends on another section is left out when that
    condition fails; one that depends on a question on the same page is rendered
    with its condition, for the browser to show or hide it live, and is judged
    again here on the posted values.
    """

    # The server judges what is required; the browser must not block "save for later".
    use_required_attribute = False

    def __init__(self, *args, sections, section, answers, require_answers=True, **kwargs):
        self.sections = sections
        self.section = section
        self.stored_answers = answers
        self.require_answers = require_answers
        page_codes = {question.code for question in section.questions.all()}
        elsewhere = visible_answers(
            sections, {code: value for code, value in answers.items() if code not in page_codes}
        )
        self.questions = [
            question
            for question in section.questions.all()
            if question.show_if is None
            or question.show_if["question"] in page_codes
            or condition_met(question.show_if, elsewhere)
        ]
        kwargs.setdefault("initial", {q.code: answers[q.code] for q in self.questions if q.code in answers})
        super().__init__(*args, **kwargs)
        for question in self.questions:
            self.fields[question.code] = create_field(question)
        self.helper = FormHelper()
        self.helper.template_pack = "survey_form"  # templates/survey_form: lean, for speed
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.condition_notes = self._condition_notes()
        self.has_required = any(question.required for question in self.questions)
        self.helper.layout = Layout(*(self._question_layout(question) for question in self.questions))

    def _condition_notes(self) -> dict:
        """Return {question code: note} for the questions shown only after an answer on this page.

        The respondent's page shows and hides these live; the staff's page shows them all.
        """
        page = {question.code: question for question in self.section.questions.all()}
        notes = {}
        for question in self.questions:
            condition = question.show_if
            if not condition or condition["question"] not in page:
                continue
            source = page[condition["question"]]
            if "any_of" in condition:
                choices = chosen_labels(condition, source)
                note = _("Answer only if you chose “%(choices)s” above.") % {"choices": choices}
            else:
                note = _("Answer only if you answered “%(question)s” above.") % {"question": source.label}
            notes[question.code] = note
        return notes

    def _question_layout(self, question):
        attrs = {"css_class": "question mb-4", "css_id": f"question-{question.code}"}
        parts = [question.code]
        if question.code in self.condition_notes:
            attrs["data_show_if"] = json.dumps(question.show_if)
            note = format_html(
                '<p class="condition-note small text-body-secondary mb-1">{}</p>', self.condition_notes[question.code]
            )
            # crispy renders HTML() as a template: braces in a label must stay text.
            parts.insert(0, HTML(note.replace("{", "&#123;").replace("}", "&#125;")))
        return Div(*parts, **attrs)

    def clean(self):
        cleaned = super().clean()
        merged = {**self.stored_answers, **{q.code: cleaned.get(q.code) for q in self.questions}}
        shown = visible_answers(self.sections, merged)
        for question in self.questions:
            if not condition_met(question.show_if, shown):
                # Hidden by an answer on this page: its value is discarded, never judged.
                self.errors.pop(question.code, None)
                cleaned[question.code] = None
            elif (
                self.require_answers
                and question.required
                and question.code not in self.errors
                and not is_answered(cleaned.get(question.code))
            ):
                self.add_error(question.code, forms.ValidationError(REQUIRED_MESSAGE, code="required"))
            elif question.code in CHOSEN_AMONG and question.code not in self.errors:
                self._check_chosen_among(question, cleaned.get(question.code), shown)
        return cleaned

    def _check_chosen_among(self, question, value, shown):
        """The answer to *question* must be one of the choices chosen in the question CHOSEN_AMONG names."""
        among = shown.get(CHOSEN_AMONG[question.code]) or []
        if is_answered(value) and value not in among:
            self.add_error(
                question.code,
                forms.ValidationError(
                    _("Choose one of the models you ticked above, or tick this one there too."), code="not_among"
                ),
            )

    def answer_values(self) -> dict:
        """Return {question code: value} for every question on this page."""
        return {question.code: self.cleaned_data.get(question.code) for question in self.questions}
