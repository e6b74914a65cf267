// The submissions list and grading by question are paged (a class of 2,000 on one page took seconds
// to build): the pages link to their neighbours, keep the list's sort and filter in those links,
// and grading by question hands its neighbours to the keyboard (Ctrl+. / Ctrl+, past a page's end).
import { describe, expect, it } from 'vitest';
import type { HubCourseRow } from '../../src/db/stores/courses-roles.js';
import type { QuestionView, SubmissionsList } from '../../src/hub/courses/formgrader-views.js';
import { HubUrls } from '../../src/hub/urls.js';
import { questionPage } from '../../src/web/courses/question-page.js';
import { submissionsPage } from '../../src/web/courses/submissions-page.js';

const urls = new HubUrls('/');
const user = { name: 'prof', admin: false };
const course: HubCourseRow = {
  id: 1,
  name: 'cs101',
  title: 'CS 101',
  directory: '/nowhere',
  unixGroup: null,
  created: '2026-01-01T00:00:00Z',
};
const list = '/hub/courses/cs101/grading/ps1';

function attribute(page: string, name: string): string | undefined {
  return new RegExp(`id="grading-page"[^>]*?\\s${name}="([^"]*)"`, 's').exec(page)?.[1];
}

describe('grading by question, paged', () => {
  const view = (page: number, pageCount: number): QuestionView => ({
    course,
    role: 'instructor',
    assignment: 'ps1',
    notebook: 'p1',
    cell: 'essay',
    anonymous: false,
    entries: [],
    page,
    pageCount,
    studentCount: 120,
  });

  it('links a middle page to both neighbours, for the links and the keyboard', () => {
    const page = questionPage({ urls, user, view: view(2, 3) });
    expect(attribute(page, 'data-previous')).toBe(`${list}/question/p1/essay?page=1`);
    expect(attribute(page, 'data-next')).toBe(`${list}/question/p1/essay?page=3`);
    expect(page).toContain(`href="${list}/question/p1/essay?page=3"`);
    expect(page).toContain('Page 2 of 3');
    expect(page).toContain('120 students');
  });

  it('has no neighbour before the first page or after the last', () => {
    expect(attribute(questionPage({ urls, user, view: view(1, 3) }), 'data-previous')).toBe('');
    expect(attribute(questionPage({ urls, user, view: view(3, 3) }), 'data-next')).toBe('');
    expect(questionPage({ urls, user, view: view(1, 1) })).not.toContain('class="pager"');
  });
});

describe('the submissions list, paged', () => {
  const submissions: SubmissionsList = {
    course,
    role: 'grader',
    assignment: 'ps1',
    duedate: null,
    anonymous: false,
    notebooks: ['p1'],
    maxScore: 10,
    rows: [],
    page: 2,
    pageCount: 4,
    rowCount: 350,
    questions: [],
    counts: {
      'not submitted': 0,
      submitted: 0,
      autograded: 350,
      'needs manual grading': 0,
      graded: 0,
      flagged: 0,
    },
  };

  it('links to the neighbouring pages with the same sort and filter', () => {
    const page = submissionsPage({
      urls,
      user,
      list: submissions,
      query: { sort: 'score', order: 'desc', state: 'autograded', page: 2 },
    });
    expect(page).toContain(`href="${list}?sort=score&amp;order=desc&amp;state=autograded"`);
    expect(page).toContain(`href="${list}?sort=score&amp;order=desc&amp;state=autograded&amp;page=3"`);
    expect(page).toContain('Page 2 of 4 (350 students)');
  });
});
