from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("s/", include("questionnaire.urls")),
    path("results/", include("results.urls")),
    path("admin/", admin.site.urls),
]

# Error pages that never read the request body again (surveyproject/views.py).
handler400 = "surveyproject.views.bad_request"
handler500 = "surveyproject.views.server_error"
