"""The apps' configurations that are the site's own: installed packages' apps under Danish names, and the site itself.

django-axes names its app "Axes" and django-tasks-db "Tasks Database Backend"; neither
translates it, and the admin shows an app's name on its index, in breadcrumbs and rights.
INSTALLED_APPS names these configurations in their place (same app, same label).

The site as a whole (settings, urls, health, logs) is an app too, only to register its system
checks (surveyproject/checks.py).
"""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin, its site the staff's own: the start page and the lists by step (surveyproject/admin_site.py)."""

    default_site = "surveyproject.admin_site.StaffAdminSite"


class AxesConfig(AxesAppConfig):
    verbose_name = _("Staff logins")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Queue of background tasks")


class SiteConfig(AppConfig):
    name = "surveyproject"
    verbose_name = "Borgerservice-undersøgelsen"

    def ready(self):
        from . import checks  # noqa: F401 – registers the system checks
