from django.urls import path

from . import views

app_name = "questionnaire"

urlpatterns = [
    path("<str:token>/", views.landing, name="landing"),
    path("<str:token>/review/", views.review, name="review"),
    path("<str:token>/submit/", views.submit, name="submit"),
    path("<str:token>/section/<slug:code>/", views.section, name="section"),
]
