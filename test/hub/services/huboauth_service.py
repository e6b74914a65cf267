"""A JupyterHub service written with JupyterHub's own HubOAuth (Debian's jupyterhub 3.0 package).

Unmodified JupyterHub code: HubOAuthenticated sends a visitor through the hub's OAuth2 flow
(JUPYTERHUB_CLIENT_ID, JUPYTERHUB_OAUTH_CALLBACK_URL, its API token as the client secret), checks
the token's scopes against JUPYTERHUB_OAUTH_ACCESS_SCOPES, and keeps the login in its own cookie.
GET PREFIX answers the user model the hub gave it.
"""
import json
import os
from urllib.parse import urlparse

from tornado import ioloop, web
from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join

PREFIX = os.environ["JUPYTERHUB_SERVICE_PREFIX"]


class WhoAmI(HubOAuthenticated, web.RequestHandler):
    @web.authenticated
    def get(self):
        self.set_header("content-type", "application/json")
        self.write(json.dumps(self.get_current_user()))


app = web.Application(
    [
        (PREFIX, WhoAmI),
        (url_path_join(PREFIX, "oauth_callback"), HubOAuthCallbackHandler),
    ],
    cookie_secret=os.urandom(32),
)
url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
app.listen(url.port, url.hostname)
ioloop.IOLoop.current().start()
