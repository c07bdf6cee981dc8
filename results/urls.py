from django.urls import path

from . import download_views, views

app_name = "results"

urlpatterns = [
    path("<slug:slug>/", views.round_page, name="round"),
    path("<slug:slug>/workbook.xlsx", views.export, name="export"),
    path("<slug:slug>/map.svg", views.map_download, name="map"),
    path("<slug:slug>/map.png", views.map_png_download, name="map-png"),
    path("<slug:slug>/downloads/<int:pk>/", download_views.download_page, name="download"),
    path("<slug:slug>/downloads/<int:pk>/file", download_views.download_file, name="download-file"),
    path("<slug:slug>/downloads/<int:pk>/again", download_views.download_again, name="download-again"),
    path("<slug:slug>/rapport.pdf", views.report_pdf, name="report-pdf"),
    path("<slug:slug>/rapport.pptx", views.report_pptx, name="report-pptx"),
    path("<slug:slug>/rapport/", views.report_preview, name="report-preview"),
]
