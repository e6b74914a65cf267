/**
 * What sandboxed code sees of the host system, and THE list of paths hidden from it.
 *
 * Two views today, side by side so that their difference is in one place: grading kernels see the
 * system folders and /etc with its secrets masked, nothing else; user servers see the system
 * folders, all of /etc and /opt, and of /home only their own home (bound in by the request). The
 * security issue is to bring the user servers' view to the grading one (mask MASKED_PATHS there
 * too); until then each keeps what it had.
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

/** Files and folders in a bound folder that sandboxed code must not read: the host's secrets. */
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

/** What a user server sees today: system folders, /etc and /opt whole, an empty /home. */
export const USER_SERVER_VIEW: SystemView = {
  readOnly: [...SYSTEM_FOLDERS, '/etc', '/opt'],
  masked: [],
  emptied: ['/home'],
  ownCgroupNamespace: false,
};
