"""The staff dashboard, mounted at /dashboard/."""

from django.urls import path

from newsdesk.hits import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="index"),
    path("export.csv", views.export_csv, name="export"),
]
