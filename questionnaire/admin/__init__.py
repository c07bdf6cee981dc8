"""Django admin for DB staff, one module per step of running a round (see the README).

- ``register``: the municipalities and libraries, to and from Excel
- ``authoring``: the questionnaire versions: as Excel, uploaded, compared, tried
- ``rounds``: survey rounds; trying one, inviting the libraries
- ``mail``: invitations and reminders by e-mail
- ``follow``: a round's overview and who has not answered; the invitations
- ``corrections``: each library's answers and staff corrections, with their history
- ``personal_data``: removing the contact details of a closed round
- ``interviews``: the interviews of a round, their quotes and case stories
- ``users``: staff users and groups, their rights named in Danish (and the task queue hidden)

Rights come from two groups (migration 0004): "Læsere" may look and export;
"Administratorer" may also change the register and rounds, send mail, correct
and reopen responses and remove personal data. Every extra page is wrapped in
``admin_site.admin_view`` (login and staff status required) and checks its own
permission.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..staff_login import StaffLoginForm
from . import authoring, corrections, interviews, invitations, register, rounds, users  # noqa: F401 – each registers its model admins

admin.site.login_form = StaffLoginForm
admin.site.site_header = _("The Borgerservice survey – administration")
admin.site.site_title = _("The Borgerservice survey")
admin.site.index_title = _("Run the survey")
# An empty value reads as the dash the app's own columns and pages write ("–"), not Django's hyphen.
admin.site.empty_value_display = "–"
# At 1280 px the navigation sidebar takes a quarter of the width that the lists need for
# their columns; the index and the breadcrumbs lead everywhere it does.
admin.site.enable_nav_sidebar = False
