"""The results' background work: the files of a large round (results.downloads)."""

from jobs.registry import register

from .downloads import DOWNLOADS, download_make

for download in DOWNLOADS.values():
    register(download.code, download.label, download_make)
