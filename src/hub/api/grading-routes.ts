/**
 * Grading by hand over HTTP (the grading page's script, and any client with a token holding
 * `courses:grade`): instructors and graders of the course only; cookie callers send the CSRF token
 * (the login area's hook checks every PUT). Students are keyed as in the pages: by pseudonym when
 * the assignment is graded anonymously, and no answer then holds a name.
 *   GET /courses/{c}/assignments/{a}/submissions                    every student's state and score
 *   GET /courses/{c}/assignments/{a}/grading/{student}/{notebook}   the grades, comments and field versions
 *   PUT /courses/{c}/assignments/{a}/grading/{student}/{notebook}   {cell, field, value, baseVersion}: save one field
 */
import type { FastifyInstance } from 'fastify';
import type { Formgrader } from '../courses/formgrader.js';
import { GradingValueError } from '../courses/grading-errors.js';
import { GRADING_FIELDS, type GradingField } from '../courses/grading-saves.js';
import { GradebookMissingEntryError } from '../../gradebook/errors.js';
import { ApiError } from './api-error.js';
import { objectBody } from './body.js';
import { actorFor } from './course-actor.js';

type SubmissionParams = { Params: { course: string; assignment: string; student: string; notebook: string } };
type AssignmentParams = { Params: { course: string; assignment: string } };

async function refusals<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof GradingValueError)
      throw new ApiError(400, error.message, { hint: error.hint, cause: error });
    if (error instanceof GradebookMissingEntryError)
      throw new ApiError(404, error.message, { hint: error.hint, cause: error });
    throw error;
  }
}

export function registerGradingRoutes(api: FastifyInstance, deps: { formgrader: Formgrader }): void {
  const { formgrader } = deps;
  const submission = '/courses/:course/assignments/:assignment/grading/:student/:notebook';

  api.get<AssignmentParams>('/courses/:course/assignments/:assignment/submissions', async (request) => {
    const actor = actorFor(request, 'courses:grade');
    const list = await refusals(() =>
      formgrader.submissions(request.params.course, request.params.assignment, actor, {
        pageSize: Infinity,
      }),
    );
    return {
      assignment: list.assignment,
      duedate: list.duedate,
      anonymous: list.anonymous,
      maxScore: list.maxScore,
      notebooks: list.notebooks,
      submissions: list.rows.map((row) => ({
        student: row.key,
        label: row.label,
        state: row.state,
        timestamp: row.timestamp,
        late: row.late,
        score: row.score,
        notebooks: row.notebooks,
      })),
    };
  });

  api.get<SubmissionParams>(submission, async (request) => {
    const actor = actorFor(request, 'courses:grade');
    const { course, assignment, student, notebook } = request.params;
    const state = await refusals(() => formgrader.state(course, assignment, student, notebook, actor));
    return { ...state, student: state.student.key, label: state.student.label };
  });

  api.put<SubmissionParams>(submission, async (request) => {
    const actor = actorFor(request, 'courses:grade');
    const { course, assignment, student, notebook } = request.params;
    // Who may grade first: a student learns nothing, not even what a valid body looks like.
    await formgrader.requireGrader(course, actor);
    const body = objectBody(request.body);
    if (typeof body.cell !== 'string')
      throw new ApiError(400, 'Give the grade id of the cell as "cell" ("" for the flag).');
    if (typeof body.field !== 'string' || !(GRADING_FIELDS as readonly string[]).includes(body.field))
      throw new ApiError(400, `"field" must be one of ${GRADING_FIELDS.join(', ')}.`);
    if (
      typeof body.baseVersion !== 'number' ||
      !Number.isSafeInteger(body.baseVersion) ||
      body.baseVersion < 0
    )
      throw new ApiError(
        400,
        'Give the version you edited from as "baseVersion" (0 for a field never saved).',
      );
    if (!('value' in body)) throw new ApiError(400, 'Give the new value as "value" (null clears it).');
    const value = body.value;
    if (value !== null && !['number', 'string', 'boolean'].includes(typeof value))
      throw new ApiError(400, '"value" must be a number, a text, true / false or null.');
    return refusals(() =>
      formgrader.save(
        course,
        assignment,
        student,
        notebook,
        {
          cell: body.cell as string,
          field: body.field as GradingField,
          value: value as number | string | boolean | null,
          baseVersion: body.baseVersion as number,
        },
        actor,
      ),
    );
  });
}
