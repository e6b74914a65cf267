/**
 * The gradebook's stores in one object: courses (assignments, students, extensions), the source
 * notebooks generate stored, submissions with their grades and comments, and the set-based read of
 * an assignment's scores. Built once over a Kysely instance; `withTransaction` hands the same
 * stores bound to one transaction, so one command's writes commit or roll back together.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { CourseStore } from './courses.js';
import { SourceNotebookStore } from './gradebook-notebooks.js';
import { ScoreStore } from './gradebook-scores.js';
import { SubmissionStore } from './gradebook-submissions.js';
import { GradebookTransferStore } from './gradebook-transfer.js';

export class GradebookStore {
  readonly courses: CourseStore;
  readonly notebooks: SourceNotebookStore;
  readonly submissions: SubmissionStore;
  readonly scores: ScoreStore;
  /** A course's whole gradebook in and out at once (moving a class from and to nbgrader). */
  readonly transfer: GradebookTransferStore;

  constructor(private readonly db: Kysely<Database>) {
    this.courses = new CourseStore(db);
    this.notebooks = new SourceNotebookStore(db);
    this.submissions = new SubmissionStore(db);
    this.scores = new ScoreStore(db);
    this.transfer = new GradebookTransferStore(db);
  }

  /**
   * Runs `work` with stores bound to one transaction: all its writes commit together, or none
   * does if it throws. Inside a transaction already, `work` joins it (Kysely does not nest them).
   */
  async withTransaction<T>(work: (store: GradebookStore) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new GradebookStore(trx)));
  }
}
