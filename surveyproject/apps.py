from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The site as a whole (settings, urls, health, logs); an app only to register its system checks."""

    name = "surveyproject"
    verbose_name = "Borgerservice-undersøgelsen"

    def ready(self):
        from . import checks  # noqa: F401 – registers the system checks
