"""A tiny JupyterHub service for the tests: http.server on JUPYTERHUB_SERVICE_URL's port.

GET PREFIX          -> what it was started with and what the request looked like
GET PREFIX/whoami   -> the hub's answer to GET /hub/api/user with the service's own token
"""
import json
import os
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

SERVICE_URL = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
PREFIX = os.environ["JUPYTERHUB_SERVICE_PREFIX"]
NAMES = [
    "JUPYTERHUB_SERVICE_NAME",
    "JUPYTERHUB_API_URL",
    "JUPYTERHUB_CLIENT_ID",
    "JUPYTERHUB_OAUTH_CALLBACK_URL",
    "JUPYTERHUB_SERVICE_PREFIX",
    "JUPYTERHUB_SERVICE_URL",
    "JUPYTERHUB_OAUTH_ACCESS_SCOPES",
]


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == PREFIX + "whoami":
            request = urllib.request.Request(
                os.environ["JUPYTERHUB_API_URL"] + "/user",
                headers={"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]},
            )
            with urllib.request.urlopen(request) as response:
                return self.answer(200, json.load(response))
        self.answer(
            200,
            {
                "path": self.path,
                "pid": os.getpid(),
                "cookie": self.headers.get("cookie"),
                "env": {name: os.environ.get(name) for name in NAMES},
                "has_api_token": bool(os.environ.get("JUPYTERHUB_API_TOKEN")),
            },
        )

    def log_message(self, *args):
        pass


ThreadingHTTPServer((SERVICE_URL.hostname, SERVICE_URL.port), Handler).serve_forever()
