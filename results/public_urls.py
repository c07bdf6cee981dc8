from django.urls import path

from . import public

app_name = "public"

urlpatterns = [
    path("<slug:slug>/", public.results_page, name="results"),
    path("<slug:slug>/rapport.pdf", public.report_pdf, name="report"),
]
