"""The 404 and 500 pages."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path

from newsdesk.site import views

pytestmark = pytest.mark.django_db


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom), *__import__("config.urls").urls.urlpatterns]
handler500 = "newsdesk.site.views.server_error"


def test_unknown_page_renders_404_template(client: Client) -> None:
    """An unknown URL gets the site's 404 page with navigation and a search box."""
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert 'class="site-nav"' in html
    assert 'action="/search/"' in html


def test_500_page_needs_no_database(django_assert_num_queries) -> None:
    """The 500 page renders with no database query and no request context."""
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = views.server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "Newsdesk" in response.content.decode()


def test_unhandled_error_uses_500_handler(settings) -> None:
    """An exception in a view is answered with the 500 page."""
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
