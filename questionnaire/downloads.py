"""Files as downloads, for the admin and the results pages: one content type per format, one temporary-file response.

A file goes to a temporary file rather than memory, since it grows with the responses;
FileResponse closes (and so deletes) it once sent.
"""

import tempfile

from django.http import FileResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def file_response(write, filename: str, content_type: str) -> FileResponse:
    """Return the file that *write(handle)* writes to a binary temporary file, as a download named *filename*."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


def xlsx_response(write, filename: str) -> FileResponse:
    """Return the workbook that *write(handle)* writes, as a download named *filename*."""
    return file_response(write, filename, XLSX)
