"""Comment endpoints: posting, the author's edit/delete, feeds and the moderation queue."""

from django.urls import path

from newsdesk.comments import feeds, views

app_name = "comments"
urlpatterns = [
    path("comments/post/<int:article_pk>/", views.post, name="post"),
    path("comments/stamp/<int:article_pk>/", views.stamp, name="stamp"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/delete/", views.delete, name="delete"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("comments/feed.atom", feeds.RecentCommentsFeed(), name="feed"),
    path(
        "comments/article/<int:article_pk>.atom",
        feeds.ArticleCommentsFeed(),
        name="article-feed",
    ),
    path("moderation/", views.moderation, name="moderation"),
]
