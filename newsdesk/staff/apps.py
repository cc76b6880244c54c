from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "newsdesk.staff"
    label = "staff"
    verbose_name = "Staff area"

    def ready(self) -> None:
        from django.contrib import admin

        # The admin is the staff area's home: named after the site, not "Django administration".
        admin.site.site_header = "Newsdesk staff"
        admin.site.site_title = "Newsdesk staff"
        admin.site.index_title = "Run the site"
