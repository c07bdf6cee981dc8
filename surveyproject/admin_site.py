"""The admin site of DB staff: its start page leads through the steps of a round, not the alphabet.

``admin.site`` is an instance of ``StaffAdminSite`` (``surveyproject.apps.AdminConfig``
names it), so every ``@admin.register`` lands here as usual. It adds:

- the start page (the index): the rounds in progress with their response rate, deadline and
  next step, and what needs attention (``questionnaire.services.start``), above the lists;
- the lists grouped under the steps of running a round (``STEP_GROUPS``), each user seeing
  only the lists they may see, as before;
- a questionnaire version's questions as the respondent meets them
  (``questionnaire.admin.version_page``).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# The steps of running a round, in order, with the lists (app label, model name) under each.
# A list not named here comes last under "System", so nothing registered is ever hidden. The
# results and the report are no lists: each round on the start page links its results.
STEP_GROUPS = (
    ("register", _("Register"), (("questionnaire", "municipality"), ("questionnaire", "library"))),
    ("questionnaire", _("Questionnaire"), (("questionnaire", "questionnaire"),)),
    ("rounds", _("Rounds"), (("questionnaire", "round"),)),
    ("mail", _("Mail to the libraries"), (("questionnaire", "invitation"),)),
    ("follow", _("Follow-up"), (("questionnaire", "response"), ("questionnaire", "responsechange"))),
    ("interviews", _("Interviews"), (("questionnaire", "interview"), ("questionnaire", "casestory"))),
    ("report", _("The report"), (("results", "reporttext"),)),
)
SYSTEM = ("system", _("System"))


class StaffAdminSite(admin.AdminSite):
    index_template = "admin/index.html"

    def get_app_list(self, request, app_label=None):
        """Return the lists grouped by step on the start page; an app's own page keeps Django's list."""
        if app_label is not None:
            return super().get_app_list(request, app_label)
        models = {}
        for app in self._build_app_dict(request).values():
            for model in app["models"]:
                models[(app["app_label"], model["object_name"].lower())] = model
        groups = []
        for key, name, members in STEP_GROUPS:
            found = [models.pop(member) for member in members if member in models]
            if found:
                groups.append({"app_label": key, "name": name, "app_url": "", "models": found})
        if models:
            rest = sorted(models.values(), key=lambda model: str(model["name"]).lower())
            groups.append({"app_label": SYSTEM[0], "name": SYSTEM[1], "app_url": "", "models": rest})
        return groups

    def index(self, request, extra_context=None):
        from questionnaire.admin.start import start_context  # the models' admin is loaded by then

        return super().index(request, {**start_context(request), **(extra_context or {})})

    def get_urls(self):
        from questionnaire.admin.version_page import version_page_urls

        # Before the models' own: their catch-all would take a version's extra page for an object id.
        return [*version_page_urls(self), *super().get_urls()]
