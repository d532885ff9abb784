"""A light HTTP/1.1 client for the load runs that measure the server's own speed.

The door and the feeds are polled by many small clients (phones, hand scanners, calendar
apps), each on its own CPU. In a benchmark all clients share the two cores with the server,
so the client's own cost is added to every latency: httpx spends about 1.5 ms of CPU per
request, more than the server spends on a door scan, and its eight threads queue for one GIL.
This client is the standard library's ``http.client`` on one keep-alive connection per
thread (a tenth of that cost), with the little of httpx's interface the scenarios use. Every
answer is still read completely and checked by the scenario.
"""

from __future__ import annotations

import http.client
import json as json_module
from urllib.parse import urlsplit

import httpx


class Response:
    """What a scenario reads of an answer: status, headers, body."""

    __slots__ = ("status_code", "headers", "content", "url")

    def __init__(self, status_code: int, headers, content: bytes, url):
        self.status_code = status_code
        self.headers = headers  # http.client.HTTPMessage: case-insensitive
        self.content = content
        self.url = url

    @property
    def text(self) -> str:
        return self.content.decode()

    def json(self):
        return json_module.loads(self.content)


class LightClient:
    """``get``/``post`` on one persistent connection; errors are ``httpx.TransportError`` so the
    harness counts them like httpx's."""

    def __init__(self, base_url: str, timeout: float = 30):
        self.base = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(
            self.base.hostname, self.base.port, timeout=timeout
        )

    def request(self, method: str, path: str, *, json=None, headers=None) -> Response:
        body = None
        sent = dict(headers or {})
        if json is not None:
            body = json_module.dumps(json).encode()
            sent["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=body, headers=sent)
            answer = self.connection.getresponse()
            content = answer.read()
        except (http.client.HTTPException, OSError) as error:
            self.connection.close()  # the next request opens a new connection
            raise httpx.TransportError(f"{method} {path}: {error!r}") from error
        if answer.will_close:
            self.connection.close()
        return Response(answer.status, answer.headers, content, urlsplit(path))

    def get(self, path: str, *, headers=None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, *, json=None, headers=None) -> Response:
        return self.request("POST", path, json=json, headers=headers)

    def __enter__(self) -> LightClient:
        return self

    def __exit__(self, *exc) -> None:
        self.connection.close()
