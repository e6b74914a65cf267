/** The submissions list's filter and sort, over rows already read (./formgrader.ts pages them). */
import { SUBMISSION_STATES, type ListQuery, type SubmissionListRow } from './formgrader-views.js';

export function filterRows(rows: SubmissionListRow[], query: ListQuery): SubmissionListRow[] {
  const search = query.search?.trim().toLowerCase();
  return rows.filter(
    (row) =>
      (query.state === undefined || row.state === query.state) &&
      (!search || row.label.toLowerCase().includes(search)),
  );
}

export function sortRows(rows: SubmissionListRow[], query: ListQuery): SubmissionListRow[] {
  const direction = query.order === 'desc' ? -1 : 1;
  const keyOf = (row: SubmissionListRow): string | number => {
    switch (query.sort) {
      case 'timestamp':
        return row.timestamp ?? '';
      case 'state':
        return SUBMISSION_STATES.indexOf(row.state);
      case 'score':
        return row.score ?? -1;
      default:
        return row.key;
    }
  };
  return [...rows].sort((a, b) => {
    const x = keyOf(a);
    const y = keyOf(b);
    const byKey = x < y ? -1 : x > y ? 1 : 0;
    return (byKey || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) * direction;
  });
}
