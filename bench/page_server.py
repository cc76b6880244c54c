"""Settings of the page benchmark's server: Newsdesk's own, plus one bare view.

``DJANGO_SETTINGS_MODULE=bench.page_server`` runs the site with every setting
and middleware of ``config.settings``; its URLs (``bench.page_urls``) add
``/bench/bare/``, so "a bare Django view on the same server settings" is measured
by the same gunicorn, middleware stack and load generator as the pages.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.page_urls"
