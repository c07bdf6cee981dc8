from django.urls import path, re_path

from . import views

app_name = "questionnaire"

urlpatterns = [
    path("<str:token>/", views.landing, name="landing"),
    path("<str:token>/review/", views.review, name="review"),
    path("<str:token>/submit/", views.submit, name="submit"),
    path("<str:token>/section/<slug:code>/", views.section, name="section"),
    # Any other address under /s/ is a personal link mistyped or cut short: the product's page says
    # what to do (in debug too, where Django would list its URL patterns). Only addresses ending in a
    # slash, so that a link missing its last slash is still sent on to it (APPEND_SLASH).
    re_path(r"^(?:.*/)?$", views.unknown_link),
]
