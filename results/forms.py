from django import forms
from django.utils.translation import gettext_lazy as _

from questionnaire.models import LibraryKind, Region


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
