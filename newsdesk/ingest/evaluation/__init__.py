"""Measure article extraction against the saved-page corpus (``newsdesk extract eval``).

``corpus`` reads a corpus folder and splits it into a development and a held-back
part; ``scoring`` defines the per-benchmark body metric and the metadata checks;
``runner`` runs Newsdesk and the single-tool baselines side by side and builds the
report. Nothing here is used by the crawler.
"""
