from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from .health import healthz
from .views import favicon

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    # Browsers and checkers ask for /favicon.ico whatever the page links; pages link the static icon.
    path("favicon.ico", favicon, name="favicon"),
    # For the proxy or a monitor: 200 or 503 with a short JSON body (surveyproject/health.py).
    path("healthz", healthz, name="healthz"),
    path("s/", include("questionnaire.urls")),
    path("results/", include("results.urls")),
    path("admin/", admin.site.urls),
]

# Error pages that never read the request body again (surveyproject/views.py).
handler400 = "surveyproject.views.bad_request"
handler500 = "surveyproject.views.server_error"
