#!/usr/bin/env python
"""Django's command-line utility; `newsdesk` is the same with dashed names."""

from newsdesk.cli import main

if __name__ == "__main__":
    main()
