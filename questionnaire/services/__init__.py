"""Business rules, one module per job; views, admin pages and commands call them.

- ``questionnaire``: the questionnaire versions, loaded once per process
- ``definition``: a questionnaire definition read (YAML, an XLSForm workbook), validated, installed
- ``answers``: how an answer is stored and read back (the one owner of Answer rows)
- ``rounds``: opening a round, inviting libraries, their personal links
- ``responses``: what a library does through its link: save a section, submit
- ``summary``: answers as people read them (review page, receipt, admin)
- ``corrections``: DB staff's changes to a response, each recorded
- ``history``: a response's recorded changes read back (the last reopening)
- ``personal_data``: removing the contact details once a round has closed
- ``quote_consent``: which quotes may be published, and which with a name (the one rule)

Every function that writes to several rows runs in one transaction, so a request that
fails half-way (the database going away, two tabs at once) leaves nothing half-saved.
A change that a mail tells of queues that mail in its own transaction (``mail.outbox``);
the mail package reads through the modules here and never imports one that queues mail.
"""
