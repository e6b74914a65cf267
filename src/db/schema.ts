import type { CourseTables } from './tables/courses.js';
import type { GradebookTables } from './tables/gradebook.js';
import type { GradingTables } from './tables/grading.js';
import type { HubTables } from './tables/hub.js';

/** Every table coursehub keeps, as Kysely sees them. Each area declares its own in ./tables/. */
export interface Database extends HubTables, GradebookTables, CourseTables, GradingTables {}
