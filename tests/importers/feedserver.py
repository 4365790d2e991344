"""A real HTTP server on 127.0.0.1 (port 0) for importer tests: static files and scripted feeds.

Tests talk to it over real sockets with the importers' own HTTP client, so retries, timeouts,
status codes and truncated bodies are exercised exactly as they would be against a publisher.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit


class Reply:
    """A scripted response. `delay` sleeps before answering (to provoke client timeouts)."""

    def __init__(self, body=b"", status=200, headers=None, delay=0.0, content_type="application/json"):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        self.body = body.encode() if isinstance(body, str) else body
        self.status = status
        self.headers = dict(headers or {})
        self.headers.setdefault("Content-Type", content_type)
        self.delay = delay


class FeedServer:
    def __init__(self):
        self.routes: dict[str, object] = {}
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.hits.append(self.path)
                reply = server.dispatch(self.path)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, handler) -> str:
        """Serve `handler` at `path`: a Reply, a list of Replies (in turn; the last repeats),
        a callable(path, query) -> Reply, or a file Path."""
        self.routes[path] = list(handler) if isinstance(handler, list) else handler
        return self.url(path)

    def dispatch(self, raw_path: str) -> Reply:
        parts = urlsplit(raw_path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        handler = self.routes.get(parts.path)
        if handler is None:
            return Reply({"error": "not found"}, 404)
        if isinstance(handler, list):
            return handler.pop(0) if len(handler) > 1 else handler[0]
        if isinstance(handler, Path):
            return Reply(handler.read_bytes())
        if callable(handler):
            return handler(raw_path, query)
        return handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class RpdeFeed:
    """A spec-following RPDE endpoint over a list of items, with either ordering strategy.

    `strategy="modified"` pages with afterTimestamp/afterId ordered by (modified, id);
    `strategy="change"` pages with afterChangeNumber ordered by modified. The last page is an
    empty `items` whose `next` is the URL that was requested.
    """

    def __init__(self, path: str, items: list[dict], page_size: int = 2, strategy: str = "modified"):
        self.path = path
        self.items = items
        self.page_size = page_size
        self.strategy = strategy

    def _key(self, item):
        return (int(item["modified"]), str(item["id"]))

    def __call__(self, raw_path: str, query: dict) -> Reply:
        ordered = sorted(self.items, key=self._key)
        if self.strategy == "change":
            after = int(query["afterChangeNumber"]) if "afterChangeNumber" in query else None
            chosen = [i for i in ordered if after is None or int(i["modified"]) > after]
        else:
            if "afterTimestamp" in query:
                mark = (int(query["afterTimestamp"]), query.get("afterId", ""))
                chosen = [i for i in ordered if self._key(i) > mark]
            else:
                chosen = ordered
        page = chosen[: self.page_size]
        if not page:
            return Reply({"items": [], "next": raw_path, "license": "https://creativecommons.org/licenses/by/4.0/"})
        last = page[-1]
        params = ({"afterChangeNumber": last["modified"]} if self.strategy == "change"
                  else {"afterTimestamp": last["modified"], "afterId": last["id"]})
        return Reply({"items": page, "next": f"{self.path}?{urlencode(params)}",
                      "license": "https://creativecommons.org/licenses/by/4.0/"})
