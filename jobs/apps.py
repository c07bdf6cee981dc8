from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Background work")

    def ready(self):
        # Each app names its kinds of job in its own jobs.py (as admin.py registers model admins),
        # so that the worker, which imports only jobs.tasks, knows them all.
        autodiscover_modules("jobs")
