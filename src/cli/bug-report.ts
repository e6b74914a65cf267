/** Where a user reports a bug: the one place the command line (and its messages) name it. */
export const ISSUE_TRACKER_URL = 'https://github.com/coursehub/coursehub/issues';
