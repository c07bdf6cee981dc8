"""Invitation, reminder, receipt and reopening mails: nothing is sent inside a web request.

Asking to send puts one ``Mail`` row per library in the outbox and a task on the queue; a
worker (``manage.py db_worker``, ``questionnaire/tasks.py``) sends them. One module per subject,
each importing only those listed before it:

- ``texts``: the placeholders in a round's own texts (the models validate them)
- ``recipients``: who is due a mail
- ``messages``: what a mail says, rendered from the templates and the round's own texts
- ``outbox``: putting mail on the queue; the services call it when a response changes state
- ``sending``: claims, the per-minute limit, delivering one mail, refusals and retries
- ``runs``: a batch run by one worker at a time, in slices; resuming what a dead worker left
- ``here``: sending in this process, without a worker (the commands' ``--now``)
- ``progress``: counts of a batch's or a round's mails by state, for the admin

Nothing is re-exported here: import from the module that owns the thing. The package never
imports a service that queues mail (``services.responses``, ``services.corrections``): they
import ``outbox``. The queue's two tasks live in ``questionnaire/tasks.py`` (queued rows store
that path), above ``runs``: they call ``runs`` and hand it themselves to queue a continuation,
so ``runs`` never imports ``tasks``.
"""
