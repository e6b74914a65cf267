# coursehub's additions to a user's Jupyter Notebook 6 server, as JupyterHub's singleuser server
# makes them: a "Control Panel" link back to the hub in every page's header, and a Logout that
# logs out of the hub. The spawner puts this folder on JUPYTER_CONFIG_PATH; the notebook itself
# is Debian's, unmodified. The hub's URLs come from JupyterHub's variables the spawner sets.
import os

import notebook

_here = os.path.dirname(os.path.abspath(__file__))
_hub = os.environ.get("JUPYTERHUB_BASE_URL", "/").rstrip("/") + "/hub/"

c = get_config()  # noqa: F821 (defined by the Jupyter config loader)
# Our page.html and logout.html first; the notebook package's folder second, so that they can
# extend the stock templates as "templates/page.html" without extending themselves.
c.NotebookApp.extra_template_paths = [
    os.path.join(_here, "templates"),
    os.path.dirname(os.path.abspath(notebook.__file__)),
]
c.NotebookApp.jinja_template_vars = {
    "coursehub_home_url": _hub + "home",
    "coursehub_logout_url": _hub + "logout",
}
