"""A real worker (``manage.py db_worker``) whose results workbook takes as long as a test wants.

The tests that kill a worker in the middle of a job start this instead of manage.py, so that
the job is surely still running when the worker dies. Only the workbook's writer is replaced:
claiming, the lease, the file and the job's page are the app's own. With JOB_TEST_HANG=1 the
writer never finishes (until the process is killed); otherwise it writes b"made" at once.

    python tests/jobworker.py --interval 0.1 ...   (the arguments of db_worker)
"""

import os
import sys
import time
from dataclasses import replace
from pathlib import Path


def hanging_or_quick_write(*, handle, **_kwargs) -> None:
    if os.environ.get("JOB_TEST_HANG") == "1":
        while True:
            time.sleep(1)
    handle.write(b"made")


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surveyproject.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from results import downloads

    downloads.DOWNLOADS["workbook"] = replace(downloads.DOWNLOADS["workbook"], write=hanging_or_quick_write)
    call_command("db_worker", *sys.argv[1:])


if __name__ == "__main__":
    main()
