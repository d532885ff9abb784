"""The app shell, above every area: the landing page, the staff home with the edition switch,
the language switch, the health check, the error pages and the request-wide hooks (access
enforcement, security headers, template helpers). ``init_app`` installs the hooks."""

from conference.shell.web import init_app  # noqa: F401 - the app factory calls it
