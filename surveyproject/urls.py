from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from .views import favicon

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    # Browsers and checkers ask for /favicon.ico whatever the page links; pages link the static icon.
    path("favicon.ico", favicon, name="favicon"),
    path("s/", include("questionnaire.urls")),
    path("results/", include("results.urls")),
    path("admin/", admin.site.urls),
]

# Error pages that never read the request body again (surveyproject/views.py).
handler400 = "surveyproject.views.bad_request"
handler500 = "surveyproject.views.server_error"
