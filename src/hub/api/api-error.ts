/**
 * Errors the REST API answers with, as JupyterHub does: HTTP status + `{"status": N, "message": "..."}`.
 * Services throw their own typed errors; `toApiError` maps them to a status in one place.
 */
import { CoursehubError } from '../../util/errors.js';
import { InvalidTokenError, TokenRequestError, TokenScopeError } from '../tokens/index.js';
import {
  GroupExistsError,
  GroupNotFoundError,
  InvalidNameError,
  UserExistsError,
  UserNotFoundError,
} from '../users/errors.js';
import { UnknownScopeError } from '../scopes.js';
import { ServerRequestError } from '../servers/errors.js';
import {
  CourseExistsError,
  CourseNotFoundError,
  CourseRoleError,
  InvalidCourseNameError,
  NotReleasedError,
  ReleaseRefusedError,
  SubmissionRefusedError,
} from '../../exchange/errors.js';
import { RosterFileError } from '../users/roster-csv.js';

export class ApiError extends CoursehubError {
  constructor(
    readonly status: number,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

const STATUS_OF: [new (...args: never[]) => CoursehubError, number][] = [
  [InvalidNameError, 400],
  [TokenRequestError, 400],
  [UnknownScopeError, 400],
  [InvalidTokenError, 403],
  [TokenScopeError, 403],
  [UserNotFoundError, 404],
  [GroupNotFoundError, 404],
  [UserExistsError, 409],
  [GroupExistsError, 409],
  [InvalidCourseNameError, 400],
  [SubmissionRefusedError, 400],
  [RosterFileError, 400],
  [CourseRoleError, 403],
  [CourseNotFoundError, 404],
  [CourseExistsError, 409],
  [NotReleasedError, 409],
  [ReleaseRefusedError, 409],
];

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message: string;
}

/** The status and message for any error a route threw; undefined = unexpected (answer 500). */
export function toApiError(error: unknown): { status: number; message: string } | undefined {
  if (error instanceof ApiError) return { status: error.status, message: error.describe() };
  if (error instanceof ServerRequestError) return { status: error.status, message: error.describe() };
  for (const [type, status] of STATUS_OF)
    if (error instanceof type) return { status, message: error.describe() };
  const fastifyError = error as FastifyLikeError;
  switch (fastifyError?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        message:
          'The request body is too large (the limit is 1 MiB). Send smaller requests, e.g. fewer users at a time.',
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: 'Send the request body as JSON (Content-Type: application/json).' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // The hub's parser (src/app/json-body.ts) puts the parser's reason in the message.
      return { status: 400, message: `The request body is not valid JSON: ${fastifyError.message}` };
  }
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500)
    return { status: fastifyError.statusCode, message: fastifyError.message };
  return undefined;
}
