"""The staff login: the admin's own form, which refuses a user name no user can have.

django-axes records every failed login with its user name in a column of 255
characters; a longer name would fail there with a server error. User names have at
most 150 characters, so a longer one is refused as a field error before any
authentication (and so before axes) runs.
"""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class StaffLoginForm(AdminAuthenticationForm):
    def clean_username(self):
        username = self.cleaned_data["username"]
        limit = self.fields["username"].max_length
        if len(username) > limit:
            raise ValidationError(
                _("A user name has at most %(limit)d characters."), code="username_too_long", params={"limit": limit}
            )
        return username
