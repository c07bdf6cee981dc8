"""The interviews of a round (the survey's qualitative half): who was asked, their quotes, and cases.

Each quote carries its consent (named, anonymous, not for publication) and the challenges
of the questionnaire it speaks to, so that the results page, the workbook and the report
put it beside the questionnaire's own quotes under the same rules (results.quotes).
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import CaseStory, Interview, InterviewQuote
from ..services.interviews import challenge_choices, model_choices
from .base import RoundChoices, RoundFilter


class InterviewQuoteForm(forms.ModelForm):
    themes = forms.MultipleChoiceField(
        label=_("challenges it speaks to"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = InterviewQuote
        fields = ("text", "consent", "themes", "other_themes", "position")
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 60})}


class InterviewQuoteInline(admin.StackedInline):
    model = InterviewQuote
    form = InterviewQuoteForm
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["themes"].choices = challenge_choices(round=obj.round if obj else None)
        return formset


@admin.register(Interview)
class InterviewAdmin(RoundChoices, admin.ModelAdmin):
    list_display = ("__str__", "title", "round", "held_on", "interviewer", "quote_count")
    list_filter = (("round", RoundFilter),)
    search_fields = ("name", "title", "library__name", "municipality__name", "notes")
    autocomplete_fields = ("library", "municipality")
    list_select_related = ("round", "library__municipality", "municipality")
    fields = ("round", "name", "title", "library", "municipality", "held_on", "interviewer", "notes")
    inlines = (InterviewQuoteInline,)

    @admin.display(description=_("quotes"))
    def quote_count(self, interview):
        return interview.quotes.count()


class CaseStoryForm(forms.ModelForm):
    model = forms.ChoiceField(label=_("cooperation model"))

    class Meta:
        model = CaseStory
        fields = ("round", "title", "model", "municipality", "text")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        round_ = self.instance.round if self.instance.round_id else None
        self.fields["model"].choices = model_choices(round=round_)


@admin.register(CaseStory)
class CaseStoryAdmin(RoundChoices, admin.ModelAdmin):
    form = CaseStoryForm
    list_display = ("title", "model_label", "municipality", "round")
    list_filter = (("round", RoundFilter),)
    search_fields = ("title", "text", "municipality__name")
    autocomplete_fields = ("municipality",)

    @admin.display(description=_("cooperation model"), ordering="model")
    def model_label(self, case):
        return dict(model_choices(round=case.round)).get(case.model, case.model)
