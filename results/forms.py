from django import forms
from django.utils.translation import gettext_lazy as _

from questionnaire.models import LibraryKind, Region

from .breakdowns import REGION, cross_by_options, cross_choices
from .tallies import PRIMARY_MODEL


class FilterForm(forms.Form):
    """The filters of the results page, sent as GET parameters and passed on to the downloads."""

    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=[("", _("All regions")), *Region.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        label=_("Library kind"),
        required=False,
        choices=[("", _("All kinds of library")), *LibraryKind.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class CrossTableForm(forms.Form):
    """Which cross-table the results page shows: a choice question against region, kind or another question.

    Offered by their Danish texts; the codes travel only as the options' values.
    """

    question = forms.ChoiceField(label=_("Question"), widget=forms.Select(attrs={"class": "form-select"}))
    by = forms.ChoiceField(label=_("Against"), widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, data=None, *, questions, initial=None):
        choice_questions = cross_choices(questions)
        codes = [question.code for question in choice_questions]
        default = PRIMARY_MODEL if PRIMARY_MODEL in codes else (codes[0] if codes else "")
        self.defaults = {"question": default, "by": REGION}
        data = {key: data.get(key) for key in ("question", "by") if data and data.get(key)} or None
        super().__init__(data, initial=initial or self.defaults)
        self.fields["question"].choices = [(question.code, question.label) for question in choice_questions]
        self.fields["by"].choices = cross_by_options(questions)

    def choice(self) -> dict:
        """Return the valid choice as {"question": code, "by": value}, or the defaults."""
        if self.is_bound and self.is_valid() and self.cleaned_data["question"] != self.cleaned_data["by"]:
            return {"question": self.cleaned_data["question"], "by": self.cleaned_data["by"]}
        return dict(self.defaults)
