/**
 * What sandboxed code sees of the host system, and THE list of paths hidden from it.
 *
 * Two views, side by side so that their difference is in one place, with ONE mask list: grading
 * kernels see the system folders and /etc, nothing else; user servers see the system folders,
 * /etc and /opt (software a class installs there), and of /home only their own home (bound in by
 * the request). In both, every path of MASKED_PATHS is replaced by an unreadable stand-in.
 */

/** Host folders every sandbox sees read-only. Not /srv, /var or /home: a hub's data and users' files live there. */
export const SYSTEM_FOLDERS: readonly string[] = [
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib64',
  '/lib32',
  '/libx32',
];

/**
 * Files and folders in a bound folder that sandboxed code must not read: the host's secrets, and
 * the hub's own configuration (/etc/coursehub may hold its cookie, proxy and OAuth secrets).
 */
export const MASKED_PATHS: readonly string[] = [
  '/etc/shadow',
  '/etc/shadow-',
  '/etc/gshadow',
  '/etc/gshadow-',
  '/etc/ssh',
  '/etc/ssl/private',
  '/etc/sudoers',
  '/etc/sudoers.d',
  '/etc/coursehub',
];

export interface SystemView {
  /** Host folders seen read-only at their own path (Debian's merged-/usr symlinks stay symlinks). */
  readOnly: readonly string[];
  /** Paths replaced by an unreadable stand-in: taken from MASKED_PATHS. */
  masked: readonly string[];
  /** Host folders replaced by an empty in-memory folder (so other users' homes are not there). */
  emptied: readonly string[];
  /** A cgroup namespace of its own, so /proc/self/cgroup does not show the host's group names. */
  ownCgroupNamespace: boolean;
}

/** What a grading kernel (and the kernel zygote) sees: system folders, /etc without its secrets. */
export const GRADING_VIEW: SystemView = {
  readOnly: [...SYSTEM_FOLDERS, '/etc'],
  masked: MASKED_PATHS,
  emptied: [],
  ownCgroupNamespace: true,
};

/** What a user server sees: system folders, /etc without its secrets, /opt, an empty /home. */
export const USER_SERVER_VIEW: SystemView = {
  readOnly: [...SYSTEM_FOLDERS, '/etc', '/opt'],
  masked: MASKED_PATHS,
  emptied: ['/home'],
  ownCgroupNamespace: false,
};
