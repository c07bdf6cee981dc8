"""The kinds of job: a code, a name for people, and the function that does the work.

Each app registers its kinds in its own ``jobs.py`` (found by JobsConfig.ready), so that a
worker knows every kind: ``results.jobs`` (the downloads of a large round) and
``questionnaire.jobs`` (a large register import, anonymising a round).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobKind:
    code: str
    label: str
    # run(job) does the work and returns what the page shows afterwards (JSON), or None. It may
    # save a file on the job (jobs.services.job_file_save). A ValidationError's messages are shown
    # to staff as the reason it failed; any other exception is logged and shown as a failure.
    run: Callable


KINDS: dict[str, JobKind] = {}


def register(code: str, label, run: Callable) -> JobKind:
    """Register the kind of job *code*, done by *run(job)*; return it."""
    if code in KINDS and KINDS[code].run is not run:
        raise ValueError(f"Two kinds of job are called {code!r}")
    KINDS[code] = kind = JobKind(code, label, run)
    return kind
