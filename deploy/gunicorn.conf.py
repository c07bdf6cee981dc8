"""gunicorn's settings for Borgerservice-undersøgelsen (borgerservice-web.service starts it with this file).

Behind the proxy in nginx.conf, on the loopback only. The two values that differ between
servers come from the environment file (/etc/borgerservice/borgerservice.env).
"""

import os

# Where the proxy reaches the app; never a public address (the proxy terminates TLS).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Processes answering requests: two or three per core. Each holds one database connection.
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# A report or a results workbook for a small round is made in the request (a large one by the
# worker): allow it a minute, then the process is restarted and the page says so.
timeout = 60
# A deploy's restart lets requests under way finish first.
graceful_timeout = 30
# Restart each process now and then, so that memory a large PDF took is given back.
max_requests = 1000
max_requests_jitter = 100
# Whether a request came by HTTPS is Django's decision alone (TRUSTED_PROXY_COUNT,
# DJANGO_PROXY_SSL_HEADER): gunicorn would believe X-Forwarded-Proto from any local process.
secure_scheme_headers = {}
forwarded_allow_ips = ""
# systemctl reload and restart control it; no control socket (gunicorn would put it in a home directory).
control_socket_disable = True
# Errors on standard error (the journal), one line each, in the app's format; no access log:
# the proxy keeps that, and the app's log holds no addresses or personal links.
logger_class = "surveyproject.logs.GunicornLogger"
errorlog = "-"
accesslog = None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
