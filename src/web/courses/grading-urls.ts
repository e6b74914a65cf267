/**
 * Paths of the grading pages and their JSON API under hub.baseUrl (the student segment is the
 * student's id, or their pseudonym when the assignment is graded anonymously).
 */
import type { HubUrls } from '../../hub/urls.js';

const seg = encodeURIComponent;

export function gradingUrls(urls: HubUrls, course: string, assignment: string) {
  const base = urls.hub(`courses/${seg(course)}/grading/${seg(assignment)}`);
  const api = urls.api(`courses/${seg(course)}/assignments/${seg(assignment)}`);
  return {
    list: base,
    anonymous: `${base}/anonymous`,
    submission: (student: string, notebook: string) => `${base}/${seg(student)}/${seg(notebook)}`,
    question: (notebook: string, cell: string) => `${base}/question/${seg(notebook)}/${seg(cell)}`,
    saveApi: (student: string, notebook: string) => `${api}/grading/${seg(student)}/${seg(notebook)}`,
    listApi: `${api}/submissions`,
  };
}

/** The grading page's script and the notebook stylesheet, served as files for the CSP. */
export const gradingScriptPath = (urls: HubUrls) => urls.hub('grading.js');
export const notebookStylesheetPath = (urls: HubUrls) => urls.hub('static/notebook.css');
