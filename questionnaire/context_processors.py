from django.conf import settings


def survey(request):
    """Make the survey's contact address available to every template."""
    return {"contact_email": settings.SURVEY_CONTACT_EMAIL}
