"""coursehub's tar helper: one long-lived root process that forks a `tar --create` per request.

Spawning `setpriv ... tar` from the hub costs a fork of the whole Node process per submission,
and the event loop waits for each; 200 students submitting at once then queue behind 200 of
them. This small process forks instead. For each request it opens the folder from the account's
root name by name with O_NOFOLLOW (as the hub did), and the fork enters it, drops to the account
exactly as setpriv does (no supplementary groups, empty bounding set, no_new_privs, every uid and
gid the account's) and only then runs tar: so tar reads with the student's own rights only, and
no link in the path is followed.

Protocol. From the hub on stdin, JSON lines: {"op":"pack","id":N,"root":R,"path":P,"uid":U,
"gid":G,"args":[...]} and {"op":"kill","id":N}. To the hub on stdout, frames: a header
(id: u32, kind: u8, length: u32, big-endian) and `length` bytes. Kinds: 1 tar's stdout (the
archive), 2 tar's stderr, 3 the end ({"code":C,"signal":S} as JSON, after every byte of 1 and 2),
4 a refusal before tar ran ({"message":M} as JSON; no frame 3 follows).

Standard library and ctypes only: it runs on Debian's /usr/bin/python3.
"""

import ctypes
import json
import os
import selectors
import signal
import struct
import sys

TAR = "/usr/bin/tar"
FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
libc = ctypes.CDLL(None, use_errno=True)


def frame(id_, kind, data):
    out = struct.pack(">IBI", id_, kind, len(data)) + data
    while out:
        written = os.write(1, out)
        out = out[written:]


def open_folder(root, path):
    """ROOT/PATH, each name opened below the last with O_NOFOLLOW (never a link)."""
    names = [n for n in path.split("/") if n]
    if path.startswith("/") or "\0" in path or any(n in (".", "..") for n in names):
        raise ValueError(f'"{path}" is not a path inside the user\'s folder.')
    fd = os.open(root, FOLDER)
    try:
        for name in names:
            nxt = os.open(name, FOLDER, dir_fd=fd)
            os.close(fd)
            fd = nxt
        return fd
    except BaseException:
        os.close(fd)
        raise


def become(uid, gid):
    """What setpriv --reuid --regid --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs does."""
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == 22:
            break  # EINVAL: past the last capability this kernel has
    # --inh-caps=-all: the inheritable (and ambient) sets emptied; the rest go with root below.
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.capget(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    data[2] = data[5] = 0  # inheritable, both halves
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != gid or os.getgroups():
        raise OSError("could not become the account")


def start(request):
    folder = open_folder(request["root"], request["path"])
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.fchdir(folder)
            become(int(request["uid"]), int(request["gid"]))
            null = os.open("/dev/null", os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.closerange(3, 65536)
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            os.execve(TAR, [TAR, *[str(a) for a in request["args"]]], ENV)
        except BaseException as error:  # noqa: BLE001 - the fork must never return to the loop
            try:
                os.write(err_w, f"{TAR}: helper: {error}\n".encode())
            finally:
                os._exit(127)
    os.close(folder)
    os.close(out_w)
    os.close(err_w)
    return pid, out_r, err_r


def main():
    selector = selectors.DefaultSelector()
    children = {}  # id -> {"pid", "open": set of fds}
    stdin = sys.stdin.buffer.raw
    pending = b""
    selector.register(stdin, selectors.EVENT_READ, ("hub", None, None))
    while True:
        for key, _ in selector.select():
            what, id_, kind = key.data
            if what == "hub":
                data = os.read(stdin.fileno(), 65536)
                if not data:  # the hub is gone: so are its requests
                    for child in children.values():
                        try:
                            os.kill(child["pid"], signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                    return
                pending += data
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    request = json.loads(line)
                    id_ = int(request["id"])
                    if request["op"] == "kill":
                        child = children.get(id_)
                        if child:
                            try:
                                os.kill(child["pid"], signal.SIGKILL)
                            except ProcessLookupError:
                                pass
                        continue
                    try:
                        pid, out_r, err_r = start(request)
                    except (OSError, ValueError) as error:
                        frame(id_, 4, json.dumps({"message": str(error)}).encode())
                        continue
                    children[id_] = {"pid": pid, "open": {out_r, err_r}}
                    selector.register(out_r, selectors.EVENT_READ, ("child", id_, 1))
                    selector.register(err_r, selectors.EVENT_READ, ("child", id_, 2))
            else:
                fd = key.fd
                data = os.read(fd, 65536)
                if data:
                    frame(id_, kind, data)
                    continue
                selector.unregister(fd)
                os.close(fd)
                child = children[id_]
                child["open"].discard(fd)
                if not child["open"]:
                    _, status = os.waitpid(child["pid"], 0)
                    del children[id_]
                    code = os.waitstatus_to_exitcode(status)
                    end = {"code": code, "signal": None} if code >= 0 else {"code": None, "signal": -code}
                    frame(id_, 3, json.dumps(end).encode())


if __name__ == "__main__":
    main()
