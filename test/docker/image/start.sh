#!/bin/bash
# The test notebook image's start-up, as docker-stacks' start.sh does it (so coursehub's Docker
# spawner treats both alike): started as root with NB_USER, NB_UID and NB_GID, it makes that
# account (home /home/NB_USER), sources the hooks in /usr/local/bin/before-notebook.d/*.sh as
# root, then runs the command as the account with its groups (those the hooks added too) and the
# environment the hooks exported. Started as another user, it sources the hooks and runs the command.
set -e
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
NB_USER="${NB_USER:-jovyan}"
NB_UID="${NB_UID:-1000}"
NB_GID="${NB_GID:-100}"

run_hooks() {
  local hook
  for hook in /usr/local/bin/before-notebook.d/*.sh; do
    [ -e "$hook" ] || continue
    # shellcheck disable=SC1090
    source "$hook"
  done
}

if [ "$(id -u)" != 0 ]; then
  run_hooks
  exec "$@"
fi

case "$NB_USER" in
  *[!a-z0-9_.-]* | "" | -*) echo "start.sh: NB_USER \"$NB_USER\" is not a user name" >&2; exit 2 ;;
esac
getent group "$NB_GID" >/dev/null || groupadd --gid "$NB_GID" "$NB_USER"
if ! id "$NB_USER" >/dev/null 2>&1; then
  useradd --no-create-home --home-dir "/home/$NB_USER" --shell /bin/bash \
    --uid "$NB_UID" --gid "$NB_GID" --non-unique "$NB_USER"
fi
if [ ! -d "/home/$NB_USER" ]; then
  mkdir -p "/home/$NB_USER"
  chown "$NB_UID:$NB_GID" "/home/$NB_USER"
  chmod 700 "/home/$NB_USER"
fi
export HOME="/home/$NB_USER" USER="$NB_USER" LOGNAME="$NB_USER" SHELL=/bin/bash
run_hooks
cd "$HOME"
exec setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups -- "$@"
