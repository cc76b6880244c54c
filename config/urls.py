"""Top-level URL map: admin, the public site and each app's endpoints."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from newsdesk.site.media import media_url_pattern, stored_image

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("dashboard/", include("newsdesk.hits.dashboard_urls")),
    path("hits/", include("newsdesk.hits.urls")),
    path("", include("newsdesk.comments.urls")),
    path("", include("newsdesk.site.urls")),
]
# Stored article images, served by the site itself (a proxy may take over: docs/deployment.md).
if (media_prefix := media_url_pattern()) is not None:
    urlpatterns.append(path(f"{media_prefix}<path:name>", stored_image, name="media"))

handler404 = "newsdesk.site.views.page_not_found"
handler500 = "newsdesk.site.views.server_error"
