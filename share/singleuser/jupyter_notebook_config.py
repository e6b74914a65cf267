# coursehub's additions to a user's Jupyter Notebook 6 server, as JupyterHub's singleuser server
# makes them: a "Control Panel" link back to the hub in every page's header, a Logout that logs
# out of the hub, and the `coursehub` command in terminals too. The spawner puts this folder on JUPYTER_CONFIG_PATH; the notebook itself
# is Debian's, unmodified. The hub's URLs come from JupyterHub's variables the spawner sets.
import os
import shlex
import shutil
import sys

c = get_config()  # noqa: F821 (defined by the Jupyter config loader)

# Only for notebook 6's own server: the templates extend its page.html. A `jupyter lab` or
# `jupyter server` (spawner.local.command) reads this file too and must not get them.
if "notebook.notebookapp" in sys.modules:
    import notebook

    _hub = os.environ.get("JUPYTERHUB_BASE_URL", "/").rstrip("/") + "/hub/"
    # Our page.html and logout.html first; the notebook package's folder second, so that they
    # extend the stock templates as "templates/page.html" without extending themselves. Prepended
    # and merged: an admin's settings of these in /etc/jupyter are kept.
    c.NotebookApp.extra_template_paths.prepend(
        [
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates"),
            os.path.dirname(os.path.abspath(notebook.__file__)),
        ]
    )
    c.NotebookApp.jinja_template_vars.update(
        {
            "coursehub_home_url": _hub + "home",
            "coursehub_logout_url": _hub + "logout",
        }
    )

    # Jupyter starts terminals as login shells, and Debian's /etc/profile sets PATH anew: put the
    # folder of the `coursehub` launcher (first on the server's PATH) back in front, then go on as
    # an interactive shell ("$0" is the shell itself).
    _coursehub = shutil.which("coursehub")
    if _coursehub:
        _shell = os.environ.get("SHELL") or "/bin/sh"
        _bin = shlex.quote(os.path.dirname(_coursehub))
        c.NotebookApp.terminado_settings.update(
            {"shell_command": [_shell, "-l", "-c", f'PATH={_bin}:"$PATH"; export PATH; exec "$0" -i', _shell]}
        )
