"""An OAuth2 authorization-code flow against the hub, as a JupyterHub service and a browser do it.

The service side is requests-oauthlib (Debian's python3-requests-oauthlib) with the values
JupyterHub hands a service (client id, its API token as the secret, the callback path); the
browser side is a requests session that logs in through the hub's form with the `_xsrf` field,
then authorizes on the consent page. Prints one JSON object with what each side saw.

Environment: HUB_URL (http://127.0.0.1:PORT/), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI (a path, as
JUPYTERHUB_OAUTH_CALLBACK_URL), USER_NAME, AUTH ("post" = client_secret_post, "basic").
"""
import json
import os
import re
import sys
from urllib.parse import urljoin

import requests
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

# The hub is plain http on loopback in the test; oauthlib otherwise insists on https.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
# The hub grants more than was asked (identifying the user, access to the service), as
# JupyterHub does; oauthlib would raise on a scope that differs from the request.
os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"

HUB = os.environ["HUB_URL"]
CLIENT_ID = os.environ["CLIENT_ID"]
SECRET = os.environ["CLIENT_SECRET"]
REDIRECT = os.environ["REDIRECT_URI"]
USER = os.environ["USER_NAME"]
AUTH = os.environ.get("AUTH", "post")
report = {}

# The browser logs in through the form: the _xsrf field of the page, with its cookie.
browser = requests.Session()
form = browser.get(urljoin(HUB, "hub/login"))
xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text).group(1)
login = browser.post(
    urljoin(HUB, "hub/login"),
    data={"_xsrf": xsrf, "username": USER, "password": "any", "next": "/hub/home"},
    allow_redirects=False,
)
report["login_status"] = login.status_code

# The service sends the browser to the hub's authorize URL.
service = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT, scope=["read:users:activity!user"])
authorize_url, state = service.authorization_url(urljoin(HUB, "hub/api/oauth2/authorize"))

consent = browser.get(authorize_url, allow_redirects=False)
report["consent_status"] = consent.status_code
if consent.status_code == 200:
    page_xsrf = re.search(r'name="_xsrf" value="([^"]+)"', consent.text).group(1)
    # The consent form (the page's other form is the header's logout button).
    action = re.search(r'action="([^"]*oauth2/authorize[^"]*)"', consent.text).group(1).replace("&amp;", "&")
    ticked = re.findall(r'name="scopes" value="([^"]+)"', consent.text)
    report["consent_scopes"] = ticked
    approved = browser.post(
        urljoin(HUB, action), data={"_xsrf": page_xsrf, "scopes": ticked}, allow_redirects=False
    )
else:
    approved = consent
report["approve_status"] = approved.status_code
callback = approved.headers["location"]
report["callback_path"] = callback.split("?")[0]

# The browser arrives at the service's callback; the service trades the code for a token
# (requests-oauthlib checks that `state` came back unchanged).
if AUTH == "basic":
    token = service.fetch_token(
        urljoin(HUB, "hub/api/oauth2/token"),
        authorization_response=urljoin(HUB, callback),
        auth=HTTPBasicAuth(CLIENT_ID, SECRET),
        include_client_id=False,
    )
else:
    token = service.fetch_token(
        urljoin(HUB, "hub/api/oauth2/token"),
        authorization_response=urljoin(HUB, callback),
        client_secret=SECRET,
        include_client_id=True,
    )
report["token_type"] = token["token_type"]
report["token_scope"] = token.get("scope")
report["expires_in"] = token.get("expires_in")

# The service asks the hub who the token belongs to, with the token as a Bearer header.
me = service.get(urljoin(HUB, "hub/api/user"))
report["user_status"] = me.status_code
report["user"] = me.json()
json.dump(report, sys.stdout)
