/**
 * Every path of the course pages under hub.baseUrl (so no page or form hard-codes one), and the
 * page's flash message.
 */
import type { HubUrls } from '../../hub/urls.js';

export interface Flash {
  kind: 'error' | 'info';
  text: string;
}

const seg = encodeURIComponent;

export function courseUrls(urls: HubUrls, course: string) {
  const base = urls.hub(`courses/${seg(course)}`);
  return {
    page: base,
    fetch: (assignment: string) => `${base}/fetch/${seg(assignment)}`,
    submit: (assignment: string) => `${base}/submit/${seg(assignment)}`,
    validate: (assignment: string) => `${base}/validate/${seg(assignment)}`,
    feedback: (id: number, page: string) => `${base}/feedback/${id}/${seg(page)}`,
    assignments: `${base}/assignments`,
    generate: (assignment: string) => `${base}/generate/${seg(assignment)}`,
    release: (assignment: string) => `${base}/release/${seg(assignment)}`,
    unrelease: (assignment: string) => `${base}/unrelease/${seg(assignment)}`,
    jobs: `${base}/jobs`,
    job: (id: number) => `${base}/jobs/${id}`,
    students: `${base}/students`,
    removeStudent: (name: string) => `${base}/students/${seg(name)}/remove`,
    gradesCsv: `${base}/grades.csv`,
    preview: (assignment: string) => `${base}/preview/${seg(assignment)}`,
    extensions: `${base}/extensions`,
    importStudents: `${base}/students/import`,
  };
}

/** The course pages' script (job progress), served as a file for the CSP. */
export const coursesScriptPath = (urls: HubUrls) => urls.hub('courses.js');

/** The notebook stylesheet of the assignment preview (src/render/'s NOTEBOOK_CSS), a file for the CSP. */
export const notebookCssPath = (urls: HubUrls) => urls.hub('courses-notebook.css');
