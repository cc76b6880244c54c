"""Top-level URL map: admin, the public site and each app's endpoints."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("dashboard/", include("newsdesk.hits.dashboard_urls")),
    path("hits/", include("newsdesk.hits.urls")),
    path("", include("newsdesk.comments.urls")),
    path("", include("newsdesk.site.urls")),
]

handler404 = "newsdesk.site.views.page_not_found"
handler500 = "newsdesk.site.views.server_error"
