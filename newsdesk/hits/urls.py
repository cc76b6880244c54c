"""Public hit tracker endpoints, mounted at /hits/."""

from django.urls import path

from newsdesk.hits import views, views_beacon

app_name = "hits"
urlpatterns = [
    path("beacon", views_beacon.beacon, name="beacon"),
    path("counter/site.svg", views.site_counter, {"fmt": "svg"}, name="site-counter-svg"),
    path("counter/site.json", views.site_counter, {"fmt": "json"}, name="site-counter-json"),
    path(
        "counter/article/<int:pk>.svg",
        views.article_counter,
        {"fmt": "svg"},
        name="article-counter-svg",
    ),
    path(
        "counter/article/<int:pk>.json",
        views.article_counter,
        {"fmt": "json"},
        name="article-counter-json",
    ),
]
