#!/usr/bin/env python3
"""A JupyterHub REST API client written against JupyterHub 5's documented API (rest-api.yml),
the way the ecosystem's tools use it (jupyterhub-idle-culler, hubtraf, the docs' examples), with
Debian's python3-requests. It knows nothing of coursehub.

    client.py HUB_URL

Reads from the environment:
    CULLER_TOKEN  a token with the idle culler's scopes
                  (list:users, read:users:activity, read:servers, delete:servers)
    ADMIN_TOKEN   a token that may start servers (servers / admin:servers)
    USER_NAME     the user whose server is started, stopped and logged in as
    USER_TOKEN    that user's own token (reaches their server through the proxy)
    PASSWORD      their password for the login form

Checks as it goes (AssertionError = exit 1) and prints one JSON report on the last line.
"""
import json
import os
import sys
import time
from urllib.parse import urljoin

import requests

PAGINATION = "application/jupyterhub-pagination+json"
report = {}


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_until(what, predicate, timeout=60.0):
    """Polls `predicate` (returning a truthy value when done), as the tools poll the hub."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)


class Hub:
    def __init__(self, url, token=None):
        self.url = url if url.endswith("/") else url + "/"
        self.api = urljoin(self.url, "hub/api/")
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"token {token}"

    def get(self, path, **kw):
        return self.session.get(urljoin(self.api, path), timeout=30, **kw)

    def post(self, path, **kw):
        return self.session.post(urljoin(self.api, path), timeout=30, **kw)

    def delete(self, path, **kw):
        return self.session.delete(urljoin(self.api, path), timeout=30, **kw)


def list_users_as_the_culler(hub):
    """jupyterhub-idle-culler's listing: paginated, state=ready, least-privilege token."""
    users, url, params = [], "users", {"state": "ready", "limit": 2, "offset": 0}
    pages = 0
    while True:
        r = hub.get(url, params=params, headers={"Accept": PAGINATION})
        check(r.status_code == 200, f"GET /users: {r.status_code} {r.text}")
        body = r.json()
        check(isinstance(body, dict) and "items" in body and "_pagination" in body, f"not paginated: {body}")
        users.extend(body["items"])
        pages += 1
        nxt = body["_pagination"]["next"]
        if not nxt:
            break
        params = {"state": "ready", "limit": nxt["limit"], "offset": nxt["offset"]}
    for user in users:
        check(isinstance(user["name"], str), f"name: {user}")
        check("servers" in user and isinstance(user["servers"], dict), f"no servers for the culler: {user}")
        check("last_activity" in user, f"no last_activity for the culler: {user}")
        check("created" not in user and "groups" not in user, f"more than the culler's scopes allow: {user}")
        for name, server in user["servers"].items():
            for field in ("name", "ready", "pending", "stopped", "url", "progress_url", "started", "last_activity"):
                check(field in server, f"server {user['name']}/{name} lacks {field}: {server}")
            check("state" not in server, f"state shown without admin:server_state: {server}")
    return users, pages


def main():
    hub_url = sys.argv[1]
    user = os.environ["USER_NAME"]
    culler = Hub(hub_url, os.environ["CULLER_TOKEN"])
    admin = Hub(hub_url, os.environ["ADMIN_TOKEN"])
    owner = Hub(hub_url, os.environ["USER_TOKEN"])

    # A bad token: 403, which HubAuth reads as "not allowed" (anything else is a hub failure).
    r = Hub(hub_url, "not-a-token").get("user")
    check(r.status_code == 403, f"bad token: {r.status_code}")
    report["bad_token_status"] = r.status_code

    # Start the server and follow its progress event stream to the end.
    r = admin.post(f"users/{user}/server")
    check(r.status_code in (201, 202), f"start: {r.status_code} {r.text}")
    report["start_status"] = r.status_code
    model = admin.get(f"users/{user}").json()
    progress_url = urljoin(hub_url, model["servers"][""]["progress_url"])
    events = []
    with admin.session.get(progress_url, stream=True, timeout=90) as stream:
        check(stream.status_code == 200, f"progress: {stream.status_code}")
        check(stream.headers["content-type"].startswith("text/event-stream"), "progress is not an event stream")
        for line in stream.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                event = json.loads(line[len("data:"):])
                events.append(event)
                if event.get("ready") or event.get("failed"):
                    break
    check(events and events[-1].get("ready") is True, f"progress did not end ready: {events}")
    report["progress"] = [e["progress"] for e in events]
    report["progress_last"] = events[-1]

    # The culler's view, least privilege: the running server, its activity.
    users, pages = list_users_as_the_culler(culler)
    mine = [u for u in users if u["name"] == user]
    check(len(mine) == 1, f"{user} not listed as ready: {[u['name'] for u in users]}")
    report["culler_keys"] = sorted(mine[0].keys())
    report["culler_server_keys"] = sorted(mine[0]["servers"][""].keys())
    report["culler_pages"] = pages
    before = mine[0]["servers"][""]["last_activity"]

    # Use the server through the proxy; its last_activity (read by the culler) moves forward.
    time.sleep(0.01)
    r = owner.session.get(urljoin(hub_url, f"user/{user}/api/status"), timeout=30)
    check(r.status_code == 200, f"server through the proxy: {r.status_code}")
    after = wait_until(
        "last_activity to move",
        lambda: (lambda a: a if a and a > before else None)(
            culler.get(f"users/{user}").json()["servers"][""]["last_activity"]
        ),
    )
    report["activity_before"], report["activity_after"] = before, after

    # What jupyterhub-singleuser reports to JUPYTERHUB_ACTIVITY_URL, with the user's own token.
    stamp = "2099-01-01T00:00:00Z"
    r = owner.post(f"users/{user}/activity", json={"last_activity": stamp, "servers": {"": {"last_activity": stamp}}})
    check(r.status_code == 400, f"an activity far ahead must be refused: {r.status_code}")
    now = time.strftime("%Y-%m-%dT%H:%M:%S.999Z", time.gmtime())
    r = owner.post(f"users/{user}/activity", json={"last_activity": now, "servers": {"": {"last_activity": now}}})
    check(r.status_code == 200, f"activity: {r.status_code} {r.text}")
    report["activity_post_status"] = r.status_code

    # Stop it, as the culler does (delete:servers), and see it gone.
    r = culler.delete(f"users/{user}/server")
    check(r.status_code in (202, 204), f"stop: {r.status_code} {r.text}")
    report["stop_status"] = r.status_code
    wait_until("the server to stop", lambda: culler.get(f"users/{user}").json()["servers"] == {})

    # Log in through the form, as hubtraf does: the _xsrf cookie, echoed in X-XSRFToken.
    browser = requests.Session()
    r = browser.get(urljoin(hub_url, "hub/login"), timeout=30)
    check(r.status_code == 200, f"login page: {r.status_code}")
    xsrf = browser.cookies.get("_xsrf")
    check(xsrf, f"no _xsrf cookie: {browser.cookies.keys()}")
    r = browser.post(
        urljoin(hub_url, "hub/login"),
        data={"username": user, "password": os.environ["PASSWORD"]},
        headers={"X-XSRFToken": xsrf},
        allow_redirects=False,
        timeout=30,
    )
    check(r.status_code == 302, f"login: {r.status_code}")
    report["login_status"] = r.status_code
    me = browser.get(urljoin(hub_url, "hub/api/user"), timeout=30)
    check(me.status_code == 200 and me.json()["name"] == user, f"whoami: {me.status_code} {me.text}")
    # A state-changing API call riding on the cookie needs the token, from the _xsrf cookie.
    tokens = urljoin(hub_url, f"hub/api/users/{user}/tokens")
    r = browser.post(tokens, json={"note": "no xsrf"}, timeout=30)
    check(r.status_code == 403, f"cookie POST without X-XSRFToken: {r.status_code}")
    r = browser.post(tokens, json={"note": "from python"}, headers={"X-XSRFToken": browser.cookies.get("_xsrf")}, timeout=30)
    check(r.status_code == 201, f"cookie POST with X-XSRFToken: {r.status_code} {r.text}")
    report["cookie_post_statuses"] = [403, r.status_code]

    print(json.dumps(report))


if __name__ == "__main__":
    main()
