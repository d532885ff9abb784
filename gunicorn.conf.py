"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py`` (see docs/deploy.md).

Every value can be set from the environment, so one file serves all machines. The app keeps no
state in its processes; more workers or more machines behind the proxy share one PostgreSQL.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "conference:create_app()"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Requests mostly wait for PostgreSQL, so a few more processes than cores; capped, because
# each worker holds its own connection pool (workers x pool size <= max_connections).
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9))
# One thread: gunicorn's sync workers, each answering one request at a time. The reverse proxy
# buffers requests and answers (docs/deploy.md) and opens a connection per request, so the
# keep-alive that gthread workers offer is never used, while their hand-offs between the
# accepting thread and the request threads, all under one GIL, cost every request: at 8 door
# scanners on 2 workers, sync workers answered with a p99 of 32-36 ms where gthread workers
# with 2 threads took 48-58 ms (README, "Performance"). More than one thread gives gthread
# workers, e.g. for clients that connect directly and keep their connections open.
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 60)  # badge PDFs for a whole congress take a while
graceful_timeout = 30
keepalive = 5
# No preloading: each worker opens its own database connections after the fork.
preload_app = False
# Optional recycling of workers (0: never), e.g. to contain a slow leak.
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10

# Only the proxy may set X-Forwarded-*; the app trusts PROXY_FIX_HOPS of them (ProxyFix).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout/stderr for journald or the container runtime. One access line per request:
# client (as the proxy saw it), request line, status, bytes, time in ms, user agent. Tokens in
# paths (/r/<token>, /feeds/<token>.ics), also percent-escaped, are replaced by [token], and the
# words of staff searches (?q=) by [search] (conference/core/logs.py), in every atom: a format
# with the referer (%(f)s) or the query string (%(q)s) is redacted the same way.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
logger_class = "conference.core.logs.RedactingLogger"
proc_name = "conference"


def post_worker_init(worker):
    """Requests gunicorn cannot parse get a German and English page (conference/core/serving.py).

    The app is loaded by now: its objects (modules, the URL map, SQLAlchemy's metadata, about
    220,000 of them) live as long as the worker. ``gc.freeze()`` takes them out of the cyclic
    garbage collector's view, so a full collection no longer stalls a request for 100 ms and
    more to walk them again."""
    import gc

    from conference.core.serving import install_error_pages

    install_error_pages()
    gc.collect()
    gc.freeze()
