"""``{% worker_warning %}``: tells staff in Danish, where they wait for a worker, that none runs (jobs.workers)."""

from django import template

from jobs.workers import worker_state

register = template.Library()


@register.inclusion_tag("admin/_worker_warning.html")
def worker_warning():
    """Render the warning when no worker has been seen within WORKER_SILENT_SECONDS (one query)."""
    state = worker_state()
    return {"no_worker": not state.running, "last_seen": state.last_seen}
