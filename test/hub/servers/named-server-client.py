"""A client of JupyterHub's REST API for named servers, written here with python3-requests the way
JupyterHub's "Starting servers with the JupyterHub API" tutorial describes the flow: start a named
server, wait for it on its progress event stream, talk to it through the proxy with the same
token, stop it and wait for it to leave the user model, then delete it.

Usage: named-server-client.py HUB_URL USER SERVER_NAME   (the token in JUPYTERHUB_API_TOKEN)
Prints one JSON object of what it saw; exits non-zero on the first surprise.
"""
import json
import os
import sys
import time

import requests


def main():
    hub_url, user, name = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    session = requests.Session()
    session.headers["Authorization"] = f"token {os.environ['JUPYTERHUB_API_TOKEN']}"
    api = f"{hub_url}/hub/api"
    seen = {}

    def user_model():
        r = session.get(f"{api}/users/{user}")
        r.raise_for_status()
        return r.json()

    r = session.post(f"{api}/users/{user}/servers/{name}", json={})
    seen["start_status"] = r.status_code
    if r.status_code not in (201, 202):
        raise SystemExit(f"start answered {r.status_code}: {r.text}")

    server = user_model()["servers"][name]
    seen["model"] = server
    events = []
    with session.get(f"{hub_url}{server['progress_url']}", stream=True) as stream:
        stream.raise_for_status()
        seen["progress_content_type"] = stream.headers["content-type"]
        for line in stream.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                events.append(json.loads(line.split(":", 1)[1]))
                if events[-1].get("ready") or events[-1].get("failed"):
                    break
    seen["last_event"] = events[-1]

    r = session.get(f"{hub_url}{events[-1]['url']}api/status")
    seen["server_status"] = r.status_code

    r = session.delete(f"{api}/users/{user}/servers/{name}")
    seen["stop_status"] = r.status_code
    deadline = time.monotonic() + 60
    while name in user_model().get("servers", {}):
        if time.monotonic() > deadline:
            raise SystemExit("the server did not leave the user model")
        time.sleep(0.5)

    r = session.delete(f"{api}/users/{user}/servers/{name}", json={"remove": True})
    seen["remove_status"] = r.status_code
    r = session.delete(f"{api}/users/{user}/servers/{name}")
    seen["after_remove"] = {"status": r.status_code, "body": r.json()}
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
