"""Danish dates as this app writes them: one format for a date and time, everywhere.

Django's own Danish formats, with the time written as Danes write it in a sentence
("1. december 2026 kl. 14:05"): landing page, receipt, mails and the admin's pages use
``|date:"DATETIME_FORMAT"``; narrow table columns use ``SHORT_DATETIME_FORMAT``.
"""

from django.conf.locale.da.formats import *  # noqa: F403 – the rest stays Django's

DATETIME_FORMAT = r"j. F Y \k\l. H:i"
SHORT_DATE_FORMAT = "d.m.y"
SHORT_DATETIME_FORMAT = "d.m.y H:i"
