"""Excel files as downloads, for the admin and the results pages alike."""

import tempfile

from django.http import FileResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(write, filename: str) -> FileResponse:
    """Return the workbook that *write(handle)* writes, as a download named *filename*.

    The workbook goes to a temporary file rather than memory, since it grows with the
    responses; FileResponse closes (and so deletes) it once sent.
    """
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)
