import { CoursehubError } from '../util/errors.js';

/** A sandbox cannot be set up on this machine as asked (a missing tool, account or cgroup, an unsafe folder). */
export class SandboxSetupError extends CoursehubError {}

/** A hub user cannot be given a Unix account (bad name, clash with a system account), or it cannot be removed. */
export class UnixAccountError extends CoursehubError {}

/** Why a file of an account could not be read, written or listed with that account's rights. */
export type AccountFileFailure =
  | 'not-found'
  | 'permission-denied'
  | 'symbolic-link'
  | 'not-a-file'
  | 'not-a-folder'
  | 'too-large'
  | 'invalid-path'
  // A packed folder (./folder-archive.ts) holds what the hub does not take:
  | 'hard-link'
  | 'special-file'
  | 'invalid-name'
  | 'file-too-large'
  | 'too-many-files'
  | 'failed';

/** A file of an account could not be read, written or listed with that account's rights. */
export class AccountFileError extends CoursehubError {
  constructor(
    readonly failure: AccountFileFailure,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}
