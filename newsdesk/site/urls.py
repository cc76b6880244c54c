"""Public URLs: pages, feeds, sitemap and robots.txt."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from newsdesk.site import feeds, views
from newsdesk.site.sitemaps import SITEMAPS

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("latest/", views.latest, name="latest"),
    path("category/<slug:slug>/", views.category, name="category"),
    path("editor/<slug:slug>/", views.editor, name="editor"),
    path("search/", views.search, name="search"),
    # str, not slug: article slugs may hold non-ASCII letters.
    path("article/<int:pk>/<str:slug>/", views.article, name="article"),
    path("story/<int:pk>/", views.story, name="story"),
    path("disclaimer/", views.disclaimer, name="disclaimer"),
    path("feeds/latest.rss", feeds.LatestRssFeed(), name="feed-rss"),
    path("feeds/latest.atom", feeds.LatestAtomFeed(), name="feed-atom"),
    path("feeds/category/<slug:slug>.rss", feeds.CategoryRssFeed(), name="feed-category"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]
