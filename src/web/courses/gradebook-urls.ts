/**
 * Paths of the gradebook pages under hub.baseUrl (the student segment is the student's id, or
 * their pseudonym while the course grades anonymously).
 */
import type { HubUrls } from '../../hub/urls.js';

const seg = encodeURIComponent;

export function gradebookUrls(urls: HubUrls, course: string) {
  const base = urls.hub(`courses/${seg(course)}/gradebook`);
  return {
    overview: base,
    gradesCsv: `${base}/grades.csv`,
    cellsCsv: `${base}/cells.csv`,
    student: (student: string, assignment: string) => `${base}/students/${seg(student)}/${seg(assignment)}`,
    analytics: (assignment: string) => `${base}/analytics/${seg(assignment)}`,
  };
}
