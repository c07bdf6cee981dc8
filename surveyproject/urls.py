from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from results import own

from .health import healthz
from .views import accessibility_statement, favicon, privacy_notice

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    # Browsers and checkers ask for /favicon.ico whatever the page links; pages link the static icon.
    path("favicon.ico", favicon, name="favicon"),
    # For the proxy or a monitor: 200 or 503 with a short JSON body (surveyproject/health.py).
    path("healthz", healthz, name="healthz"),
    path("privatliv/", privacy_notice, name="privacy"),
    path("tilgaengelighed/", accessibility_statement, name="accessibility"),
    # What a library gets back through its personal link (results/own.py): results reads the
    # questionnaire, never the reverse, so these live with the results.
    path("s/<str:token>/resultater/", own.library_results, name="own-results"),
    path("s/<str:token>/svar.pdf", own.answers_pdf, name="own-answers"),
    path("s/", include("questionnaire.urls")),
    # The results for everyone, from each round's publication day (results/public.py).
    path("resultater/", include("results.public_urls")),
    path("results/", include("results.urls")),
    path("admin/", admin.site.urls),
]

# Error pages that never read the request body again (surveyproject/views.py).
handler400 = "surveyproject.views.bad_request"
handler500 = "surveyproject.views.server_error"
