/**
 * What the course and exchange services read and write, in one object over one database: the
 * hub's courses and roles, the exchange's rows, jobs, the gradebook, and users (to look them up).
 * `transaction(fn)` hands the same stores bound to one transaction (joined when already in one).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { HubCourseStore } from './courses-roles.js';
import { ExchangeStore } from './exchange.js';
import { GradebookStore } from './gradebook.js';
import { GradingStore } from './grading.js';
import { JobStore } from './jobs.js';
import { UserStore } from './users.js';

export class CourseStores {
  readonly courses: HubCourseStore;
  readonly exchange: ExchangeStore;
  readonly jobs: JobStore;
  readonly gradebook: GradebookStore;
  readonly grading: GradingStore;
  readonly users: UserStore;

  constructor(private readonly db: Kysely<Database>) {
    this.courses = new HubCourseStore(db);
    this.exchange = new ExchangeStore(db);
    this.jobs = new JobStore(db);
    this.gradebook = new GradebookStore(db);
    this.grading = new GradingStore(db);
    this.users = new UserStore(db);
  }

  async transaction<T>(work: (stores: CourseStores) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new CourseStores(trx)));
  }
}
