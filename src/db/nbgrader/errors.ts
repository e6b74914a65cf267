import { CoursehubError } from '../../util/errors.js';

/** An nbgrader gradebook.db that cannot be moved in: damaged, locked, of another schema or course. */
export class NbgraderGradebookError extends CoursehubError {}

/** nbgrader 0.9.5's alembic revision: the schema nbgrader 0.6 to 0.9 write, the only one read here. */
export const NBGRADER_REVISION = 'e43177bfe90b';
