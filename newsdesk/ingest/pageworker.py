"""Imported by the extraction fork server alone: load once what every worker needs.

pagepool.py names this module in ``set_forkserver_preload``, so its import
runs once in the fork server and every worker forked from it starts with the
language model in memory (assembling a page detects its language). The
crawler and the web processes never import it: they load the model only if
they detect a language themselves.
"""

from __future__ import annotations

from newsdesk.ingest.language import load_model

load_model()
