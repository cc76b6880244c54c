"""Date formats of the staff pages (FORMAT_MODULE_PATH): one format, 24-hour, with the zone.

The admin shows every date and time with these; the staff templates name them
("DATETIME_FORMAT") rather than spelling a format of their own. Reader pages
format their dates themselves and never read these.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
