/** Paths of the assignment editor under hub.baseUrl. */
import type { HubUrls } from '../../hub/urls.js';

const seg = encodeURIComponent;

export function editorUrls(urls: HubUrls, course: string, assignment: string) {
  const base = urls.hub(`courses/${seg(course)}/editor/${seg(assignment)}`);
  return {
    list: base,
    notebook: (name: string) => `${base}/${seg(name)}`,
  };
}
