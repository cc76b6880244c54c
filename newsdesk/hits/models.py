"""Page views counted without cookies or raw IP addresses, and their rollups.

Raw ``PageView`` rows are pruned after a retention period; dashboards and
Most Popular read the rollups, which stay small however many views arrive.
"""

from __future__ import annotations

from django.db import models

from newsdesk.stories.models import Article


class PageKind(models.TextChoices):
    HOME = "home", "Home"
    LATEST = "latest", "Latest News"
    ARTICLE = "article", "Article"
    CATEGORY = "category", "Category"
    EDITOR = "editor", "Editor"
    SEARCH = "search", "Search"


class Device(models.TextChoices):
    DESKTOP = "desktop", "Desktop"
    MOBILE = "mobile", "Mobile"
    TABLET = "tablet", "Tablet"


class FilterReason(models.TextChoices):
    CRAWLER = "crawler", "Known crawler"
    NO_USER_AGENT = "no_user_agent", "No User-Agent"
    HEAD = "head", "HEAD request"
    PREFETCH = "prefetch", "Prefetch or prerender"
    HEADLESS = "headless", "Headless browser"
    TOOL = "tool", "Monitoring, preview or research tool"
    CONTACT = "contact", "URL or contact address in User-Agent"
    BARE_MOZILLA = "bare_mozilla", "Bare Mozilla/5.0"
    NO_ENGINE = "no_engine", "No browser engine named"


class PageView(models.Model):
    """One human page view. ``visitor`` is a daily hash, unlinkable once its salt is gone."""

    ts = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=16, choices=PageKind.choices)
    path = models.CharField(max_length=500)
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, db_constraint=False
    )
    visitor = models.CharField(max_length=32)
    referrer_host = models.CharField(max_length=255, blank=True)
    device = models.CharField(max_length=16, choices=Device.choices)
    browser = models.CharField(max_length=64, blank=True)
    country = models.CharField(max_length=2, blank=True)

    class Meta:
        indexes = [models.Index(fields=["article", "ts"], name="pageview_article_ts")]

    def __str__(self) -> str:
        return f"{self.ts:%Y-%m-%d %H:%M} {self.path}"


class ArticleHourly(models.Model):
    """Human views of one article in one hour (UTC), and the readers who arrived in it.

    ``visitors`` counts the visitors first seen on this article that UTC day during
    this hour, so the hours of a day add up to the day's distinct readers and a
    reader reloading all day counts once.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="hourly_views", db_constraint=False
    )
    hour = models.DateTimeField()
    views = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "hour"], name="articlehourly_unique"),
        ]
        indexes = [models.Index(fields=["hour", "article"], name="articlehourly_hour")]

    def __str__(self) -> str:
        return f"article {self.article_id} at {self.hour:%Y-%m-%d %H:00}: {self.views}"


class ArticleDaily(models.Model):
    """Human views and distinct readers of one article in one UTC day.

    Long windows read this, not the hours.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="daily_views", db_constraint=False
    )
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="articledaily_unique"),
        ]
        # Covering index: ranking a range of days by readers (or views) reads the index alone.
        indexes = [
            models.Index(fields=["day", "article", "visitors", "views"], name="articledaily_day_v2")
        ]

    def __str__(self) -> str:
        return f"article {self.article_id} on {self.day}: {self.views}"


class ClosedDaysTop(models.Model):
    """The top articles over a range of whole past days, summed once (Most Popular, 7 and 30 days).

    Past days' rollups no longer change, so their sum is worked out on the first
    ask after the range closes and read back after that (hits/popular.py). A view
    flushed late into a past day deletes the ranges holding that day (rollups.py).
    """

    first_day = models.DateField()
    end_day = models.DateField(help_text="The day after the range (not in it).")
    measure = models.CharField(max_length=16)
    depth = models.PositiveIntegerField(help_text="How many articles were ranked.")
    ranking = models.JSONField(default=list, help_text="[article id, total], highest first.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["end_day", "first_day", "measure", "depth"], name="closeddaystop_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"top {self.depth} by {self.measure}, {self.first_day} to {self.end_day}"


class SiteHourly(models.Model):
    """Site-wide views and distinct daily visitors in one hour (UTC)."""

    hour = models.DateTimeField(unique=True)
    views = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00}: {self.views} views, {self.visitors} visitors"


class SiteDaily(models.Model):
    """Site-wide views and distinct visitors of one UTC day."""

    day = models.DateField(unique=True)
    views = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.views} views, {self.visitors} visitors"


class DimensionDaily(models.Model):
    """Views per day for one value of a dimension (referrer, device, browser, source...)."""

    day = models.DateField()
    dimension = models.CharField(max_length=16)
    value = models.CharField(max_length=255)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "dimension", "value"], name="dimensiondaily_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.value}: {self.views}"


class FilteredDaily(models.Model):
    """Requests not counted as readers, per day and reason, so bot traffic stays visible."""

    day = models.DateField()
    reason = models.CharField(max_length=16, choices=FilterReason.choices)
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "reason"], name="filtereddaily_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}: {self.requests}"


class SiteCounter(models.Model):
    """All-time human views for the header hit counter (one row)."""

    views = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.views} views"


class Dimension(models.TextChoices):
    """The dimensions counted in ``DimensionDaily``; source and category values are ids."""

    REFERRER = "referrer", "Referrer host"
    DEVICE = "device", "Device class"
    BROWSER = "browser", "Browser family"
    SOURCE = "source", "Source id"
    CATEGORY = "category", "Category id"
    KIND = "kind", "Page kind"


class DailyVisitor(models.Model):
    """A visitor id seen on one UTC day, so daily uniques grow only by new ids.

    Kept only while the day's salt lives: the counts are final once the day is over.
    """

    day = models.DateField()
    visitor = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "visitor"], name="dailyvisitor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.visitor}"


class ArticleVisitor(models.Model):
    """A visitor seen reading one article on one UTC day: an article's readers grow only by new ids.

    ``visitor`` is 64 bits of a hash of the daily visitor id, enough to tell a
    day's readers of one article apart and half the size of the text id. The
    composite key is the only index. Rows go with the day's salt.
    """

    pk = models.CompositePrimaryKey("day", "article_id", "visitor")
    day = models.DateField()
    article_id = models.BigIntegerField()
    visitor = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.day} article {self.article_id} visitor {self.visitor}"


class HourlyVisitor(models.Model):
    """A visitor id seen in one UTC hour, so hourly uniques grow only by new ids."""

    hour = models.DateTimeField()
    visitor = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hour", "visitor"], name="hourlyvisitor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} {self.visitor}"
