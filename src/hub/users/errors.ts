import { CoursehubError } from '../../util/errors.js';

/** A username or group name that cannot be used (the message says why). */
export class InvalidNameError extends CoursehubError {}
export class UserNotFoundError extends CoursehubError {}
export class UserExistsError extends CoursehubError {}
export class GroupNotFoundError extends CoursehubError {}
export class GroupExistsError extends CoursehubError {}
