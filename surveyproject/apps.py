"""Installed packages' apps under Danish names: the admin shows an app's name on its index, in breadcrumbs and rights.

django-axes names its app "Axes" and django-tasks-db "Tasks Database Backend"; neither
translates it. INSTALLED_APPS names these configurations in their place (same app, same label).
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Staff logins")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Queue of background tasks")
