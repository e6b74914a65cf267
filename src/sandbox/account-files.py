"""Reads, writes or lists one path below a root folder with the rights of the account this runs as.

coursehub starts it through setpriv as the account (see account-files.ts), so the kernel checks
every access with that account's rights, never root's. On top of that, every name below the root
is opened relative to its parent with O_NOFOLLOW: no symbolic link is followed, not in the middle
of the path and not at its end; a write goes to a new file beside the target, renamed over it.

    python3 -I -S -c SCRIPT read  ROOT PATH MAX_BYTES   -> the file's bytes on stdout
    python3 -I -S -c SCRIPT write ROOT PATH             <- the new content on stdin
    python3 -I -S -c SCRIPT list  ROOT PATH             -> a JSON list of entries on stdout

A failure exits with status 3 and one JSON line on stderr: {"reason": ..., "message": ...}.
Written with the standard library only, for Debian's /usr/bin/python3.
"""

import errno
import json
import os
import stat
import sys

FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
REASONS = {
    errno.ENOENT: "not-found",
    errno.EACCES: "permission-denied",
    errno.EPERM: "permission-denied",
    errno.ELOOP: "symbolic-link",
    errno.ENOTDIR: "not-a-folder",
    errno.EISDIR: "not-a-file",
}


class Refused(Exception):
    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


def names_of(path):
    names = [name for name in path.split("/") if name]
    if any(name in (".", "..") for name in names):
        raise Refused("invalid-path", f"{path!r} must not contain . or .. components")
    return names


def open_folder(root, names, create=False):
    """An open descriptor of ROOT/NAMES..., each step opened below the last without following links."""
    fd = os.open(root, FOLDER_FLAGS)
    try:
        for name in names:
            try:
                below = os.open(name, FOLDER_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(name, 0o777, dir_fd=fd)
                below = os.open(name, FOLDER_FLAGS, dir_fd=fd)
            except NotADirectoryError:
                # O_DIRECTORY | O_NOFOLLOW on a link says "not a directory": say what it is.
                if stat.S_ISLNK(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode):
                    raise Refused("symbolic-link", f"{name} is a symbolic link") from None
                raise
            os.close(fd)
            fd = below
    except BaseException:
        os.close(fd)
        raise
    return fd


def split_file(path):
    names = names_of(path)
    if not names:
        raise Refused("not-a-file", "the root folder is not a file")
    return names[:-1], names[-1]


def read(root, path, max_bytes):
    folders, name = split_file(path)
    folder = open_folder(root, folders)
    # O_NONBLOCK: a FIFO placed there must not hang the read.
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise Refused("not-a-file", f"{path} is not a regular file")
    if info.st_size > max_bytes:
        raise Refused("too-large", f"{path} has {info.st_size} bytes, more than {max_bytes}")
    data = bytearray()
    while chunk := os.read(fd, 1 << 20):
        data += chunk
        if len(data) > max_bytes:
            raise Refused("too-large", f"{path} grew past {max_bytes} bytes while being read")
    sys.stdout.buffer.write(data)


def write(root, path):
    folders, name = split_file(path)
    folder = open_folder(root, folders, create=True)
    data = sys.stdin.buffer.read()
    mode = None
    try:
        existing = os.stat(name, dir_fd=folder, follow_symlinks=False)
        if stat.S_ISDIR(existing.st_mode):
            raise Refused("not-a-file", f"{path} is a folder")
        if stat.S_ISREG(existing.st_mode):
            mode = stat.S_IMODE(existing.st_mode)
    except FileNotFoundError:
        pass
    temporary = f".{name}.coursehub-{os.getpid()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666, dir_fd=folder)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if mode is not None:
            os.fchmod(fd, mode)  # a replaced file keeps its permissions
        os.fsync(fd)
        os.close(fd)
        # A rename replaces a symbolic link in the way; it never writes through one.
        os.rename(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        os.unlink(temporary, dir_fd=folder)
        raise


def kind_of(mode):
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "symbolic-link"
    return "other"


def list_folder(root, path):
    folder = open_folder(root, names_of(path))
    entries = []
    with os.scandir(folder) as found:
        for entry in found:
            info = entry.stat(follow_symlinks=False)
            entries.append(
                {"name": entry.name, "kind": kind_of(info.st_mode), "size": info.st_size, "modified": info.st_mtime}
            )
    entries.sort(key=lambda entry: entry["name"])
    sys.stdout.write(json.dumps(entries))


def main():
    op, root, path = sys.argv[1:4]
    try:
        if op == "read":
            read(root, path, int(sys.argv[4]))
        elif op == "write":
            write(root, path)
        elif op == "list":
            list_folder(root, path)
        else:
            raise Refused("failed", f"unknown operation {op!r}")
    except Refused as refused:
        fail(refused.reason, str(refused))
    except OSError as error:
        fail(REASONS.get(error.errno, "failed"), f"{error.strerror} ({errno.errorcode.get(error.errno, error.errno)})")


def fail(reason, message):
    sys.stderr.write(json.dumps({"reason": reason, "message": message}) + "\n")
    sys.exit(3)


main()
