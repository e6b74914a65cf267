"""coursehub's kernel zygote: ipykernel imported once, a sandboxed kernel forked per notebook.

Starting a Python kernel costs about a second of CPU, almost all of it importing IPython,
ipykernel, zmq and their dependencies. This process pays that once. It never runs user code and
never creates a kernel itself; for each notebook it forks, and only the fork (a fresh process that
has imported modules and nothing else) becomes a kernel, after it has sandboxed itself:

    zygote (root, in the hub's bwrap: no network, read-only system, host root at /.host)
      └─ holder    waits at a gate until the hub has put it in the kernel's cgroup, then
         │         unshares pid/mount/net/ipc/uts namespaces; exits with the kernel's status
         └─ init   pid 1 of the new namespace: mounts /proc, a private /tmp, binds the runtime
            │      and working folders from /.host, detaches /.host, reaps orphans
            └─ kernel  drops to the grader account (no capabilities, no_new_privs, rlimits) and
                       runs IPKernelApp, exactly as `python3 -m ipykernel_launcher -f FILE` would

Protocol: JSON lines. From the hub on stdin: {"op":"fork", ...} and {"op":"release","id":...} (a
holder never released is killed by the hub). To the hub on stdout: {"event":"ready"}, {"event":"forked","id","pid"},
{"event":"exited","id","code"} and {"event":"error","id","message"}.

Written with the standard library and ctypes only: it must run on Debian's /usr/bin/python3 next
to Debian's ipykernel, and Python 3.11 has no os.unshare.
"""

import ctypes
import json
import os
import resource
import selectors
import signal
import socket
import struct
import sys
import fcntl

# The imports the zygote exists for: the same modules `python3 -m ipykernel_launcher` loads.
import ipykernel.kernelapp  # noqa: F401
import ipykernel.ipkernel  # noqa: F401
import ipykernel.zmqshell  # noqa: F401
import IPython.core.completerlib  # noqa: F401
import faulthandler  # noqa: F401
import importlib.util

# What `python3 -m ipykernel_launcher` has as sys.argv[0].
LAUNCHER_PATH = importlib.util.find_spec("ipykernel_launcher").origin

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1

HOST = "/.host"
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.unshare.argtypes = [ctypes.c_int]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def encode(text):
    return None if text is None else text.encode()


def mount(source, target, fstype, flags, data=None):
    check(libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")


def prctl(option, arg):
    check(libc.prctl(option, arg, 0, 0, 0), f"prctl {option}")


def die_with_parent(parent):
    """SIGKILL when the parent dies. `parent` None: it is outside our pid namespace, where
    getppid() says 0; the holder only ever dies by SIGKILL, after which the hub kills the cgroup."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:  # it died before the line above
        os._exit(1)


def keep_only_fds(keep):
    """Closes every inherited descriptor but `keep`: the zygote's command pipes, its selector and
    other kernels' gates must never reach a kernel."""
    for fd in (int(n) for n in os.listdir("/proc/self/fd")):
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def exit_status_code(status):
    """A wait status as an exit code (128 + signal for a killed process, as shells report it)."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1


# ---- inside the new namespaces ------------------------------------------------------------------


def build_filesystem(req):
    """Runs as pid 1 of the kernel's namespaces, still root: the kernel's view of the file system."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # The zygote's /proc shows the host's processes; the kernel's shows only its namespace.
    check(libc.umount2(b"/proc", MNT_DETACH), "umount /proc")
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV)
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={req['tmp_bytes']}")
    for path in req["binds"]:
        # The mount point: made in the zygote's root tmpfs, which is private to these namespaces.
        os.makedirs(path, mode=0o755, exist_ok=True)
        mount(HOST + path, path, None, MS_BIND | MS_REC)
        # The host root is bound read-only into the zygote; the kernel may write these two.
        mount(None, path, None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV)
    for path in req["hidden"]:
        if os.path.isdir(path):
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "mode=000,size=4k")
        elif os.path.exists(path):
            mount(HOST + req["mask_file"], path, None, MS_BIND)
            mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
    # The host's root leaves the kernel's world: from here on only the binds above exist.
    check(libc.umount2(HOST.encode(), MNT_DETACH), "umount /.host")


def loopback_up():
    """A new network namespace has a loopback that is down; bwrap brings it up, so do we."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", IFF_UP))


def drop_privileges(req):
    last_cap = int(open("/proc/sys/kernel/cap_last_cap").read())
    for cap in range(last_cap + 1):
        prctl(PR_CAPBSET_DROP, cap)
    os.setgroups([])
    os.setresgid(req["gid"], req["gid"], req["gid"])
    # Leaving uid 0 clears every capability (no keep-caps): the kernel has none.
    os.setresuid(req["uid"], req["uid"], req["uid"])
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    # Changing uid made the process non-dumpable; an exec'd kernel is dumpable, so be like it
    # (nothing else of this uid can see it: every kernel has its own pid namespace).
    prctl(PR_SET_DUMPABLE, 1)


def set_limits(req):
    for name, value in req["rlimits"].items():
        limit = getattr(resource, "RLIMIT_" + name.upper())
        resource.setrlimit(limit, (value, value))


def run_kernel(req, init_pid):
    """The kernel process (pid 2): sandboxed, then IPKernelApp as ipykernel_launcher runs it."""
    die_with_parent(init_pid)
    set_limits(req)
    os.chdir(req["cwd"])
    drop_privileges(req)
    os.environ.clear()
    os.environ.update(req["env"])
    os.environ["PWD"] = req["cwd"]  # the shell that starts a spawned kernel sets it
    # `python3 -m ipykernel_launcher` starts with the working directory first on sys.path.
    sys.path[:] = [req["cwd"]] + [p for p in sys.path[1:] if p]
    sys.argv = [LAUNCHER_PATH] + req["kernel_args"]
    code = 0
    try:
        from ipykernel.kernelapp import launch_new_instance

        launch_new_instance(argv=req["kernel_args"])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run_init(req):
    """pid 1 of the kernel's pid namespace: sets up its world, starts the kernel, reaps orphans and
    exits with the kernel's status (which ends every process left in the namespace)."""
    die_with_parent(None)
    os.setsid()  # as bwrap --new-session: no controlling terminal to push input into
    try:
        build_filesystem(req)
        loopback_up()
    except BaseException as error:
        print(f"coursehub zygote: sandbox setup failed: {error}", file=sys.stderr, flush=True)
        os._exit(70)
    kernel = os.fork()
    if kernel == 0:
        run_kernel(req, 1)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        if pid == kernel:
            os._exit(exit_status_code(status))


def run_holder(req, gate_fd, log_fd):
    """The forked child in the zygote's namespaces: waits for the hub's go, then makes the kernel's."""
    die_with_parent(req["zygote_pid"])
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    keep_only_fds({gate_fd})
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    if os.read(gate_fd, 1) != b"g":  # the zygote closed the gate without a go
        os._exit(71)
    os.close(gate_fd)
    check(libc.unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
    init = os.fork()
    if init == 0:
        run_init(req)
    _, status = os.waitpid(init, 0)
    os._exit(exit_status_code(status))


# ---- the zygote itself ---------------------------------------------------------------------------


def main():
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # nothing but protocol lines on the hub's pipe
    send = lambda **event: out.write(json.dumps(event) + "\n")
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ, "command")
    pending = {}  # id -> gate write fd
    holders = {}  # pidfd -> (id, pid)
    buffer = b""
    send(event="ready", pid=os.getpid())
    while True:
        for key, _ in selector.select():
            if key.data == "command":
                chunk = os.read(0, 65536)
                if not chunk:  # the hub is gone: so are we (the holders follow by PDEATHSIG)
                    os._exit(0)
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    handle(json.loads(line), send, selector, pending, holders)
            else:
                pidfd = key.fd
                kernel_id, pid = holders.pop(pidfd)
                selector.unregister(pidfd)
                os.close(pidfd)
                _, status = os.waitpid(pid, 0)
                gate = pending.pop(kernel_id, None)
                if gate is not None:
                    os.close(gate)
                send(event="exited", id=kernel_id, code=exit_status_code(status))


def handle(command, send, selector, pending, holders):
    kernel_id = command.get("id")
    op = command.get("op")
    if op == "fork":
        try:
            gate_read, gate_write = os.pipe()
            log_fd = os.open(command["log_file"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as error:
            send(event="error", id=kernel_id, message=str(error))
            return
        command["zygote_pid"] = os.getpid()
        try:
            pid = os.fork()
        except OSError as error:
            os.close(gate_read)
            os.close(gate_write)
            os.close(log_fd)
            send(event="error", id=kernel_id, message=f"fork: {error}")
            return
        if pid == 0:
            try:
                run_holder(command, gate_read, log_fd)
            finally:
                os._exit(72)
        os.close(gate_read)
        os.close(log_fd)
        pidfd = os.pidfd_open(pid)
        selector.register(pidfd, selectors.EVENT_READ, "holder")
        holders[pidfd] = (kernel_id, pid)
        pending[kernel_id] = gate_write
        send(event="forked", id=kernel_id, pid=pid)
    elif op == "release":
        gate = pending.pop(kernel_id, None)
        if gate is not None:
            os.write(gate, b"g")
            os.close(gate)
    else:
        send(event="error", id=kernel_id, message=f"unknown op {op!r}")


if __name__ == "__main__":
    main()
