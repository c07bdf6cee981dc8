from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnaireConfig(AppConfig):
    name = "questionnaire"
    verbose_name = _("Questionnaire")

    def ready(self):
        from . import checks  # noqa: F401 – registers the system checks
