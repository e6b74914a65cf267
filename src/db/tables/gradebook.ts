/**
 * Tables of the gradebook: courses, assignments, notebooks, grade cells, students, submissions,
 * grades, comments. Same conventions as ./hub.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GradebookTables {}
