/**
 * The stored fields of nbgrader's gradebook dump (test/fixtures/nbgrader-gradebooks/make/
 * dump-gradebook.py, run by the real nbgrader through its API), in one comparable shape, from the
 * fixture's dump.json or from a gradebook as coursehub moves it (src/db/nbgrader/model.ts). The
 * values nbgrader computes (scores, max scores, the shown comment) are left to the grades.csv
 * comparisons, made by coursehub's own export.
 */
import type { NbgraderGradebook } from '../../../../src/db/nbgrader/model.js';

const byName = <T extends { name: string }>(rows: T[]) =>
  [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
const byKey = <T>(rows: T[], key: (row: T) => string) =>
  [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
const iso = (t: string | null) => (t === null ? null : t.replace(' ', 'T'));

/* eslint-disable @typescript-eslint/no-explicit-any -- dump.json is untyped JSON */
export function fieldsOfDump(dump: any) {
  return {
    students: byKey(
      dump.students.map((s: any) => ({
        id: s.id,
        first_name: s.first_name,
        last_name: s.last_name,
        email: s.email,
        lms_user_id: s.lms_user_id,
      })),
      (s: any) => s.id,
    ),
    assignments: byName(
      dump.assignments.map((a: any) => ({
        name: a.name,
        duedate: a.duedate,
        notebooks: byName(
          a.notebooks.map((n: any) => ({
            name: n.name,
            grade_cells: n.grade_cells,
            solution_cells: n.solution_cells,
            source_cells: n.source_cells,
            task_cells: n.task_cells,
          })),
        ),
        submissions: a.submissions.map((s: any) => ({
          student: s.student,
          timestamp: s.timestamp,
          extension: s.extension,
          notebooks: s.notebooks.map((n: any) => ({
            name: n.name,
            flagged: n.flagged,
            late_submission_penalty: n.late_submission_penalty,
            grades: n.grades.map((g: any) => ({
              name: g.name,
              auto_score: g.auto_score,
              manual_score: g.manual_score,
              extra_credit: g.extra_credit,
              needs_manual_grade: g.needs_manual_grade,
            })),
            comments: n.comments.map((c: any) => ({
              name: c.name,
              auto_comment: c.auto_comment,
              manual_comment: c.manual_comment,
            })),
          })),
        })),
      })),
    ),
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export function fieldsOfGradebook(book: NbgraderGradebook) {
  return {
    students: byKey(
      book.students.map((s) => ({
        id: s.id,
        first_name: s.firstName,
        last_name: s.lastName,
        email: s.email,
        lms_user_id: s.lmsUserId,
      })),
      (s) => s.id,
    ),
    assignments: byName(
      book.assignments.map((a) => ({
        name: a.name,
        duedate: iso(a.duedate),
        notebooks: byName(
          a.notebooks.map((n) => ({
            name: n.name,
            grade_cells: byName(
              n.gradeCells.map((c) => ({ cell_type: c.cellType, max_score: c.maxScore, name: c.name })),
            ),
            solution_cells: [...n.solutionCells].sort(),
            source_cells: byName(
              n.sourceCells.map((c) => ({
                cell_type: c.cellType,
                checksum: c.checksum,
                locked: c.locked,
                name: c.name,
              })),
            ),
            task_cells: byName(n.taskCells.map((c) => ({ max_score: c.maxScore, name: c.name }))),
          })),
        ),
        submissions: byKey(a.submissions, (s) => s.studentId).map((s) => ({
          student: s.studentId,
          timestamp: iso(s.timestamp),
          extension: s.extensionSeconds,
          notebooks: byName(s.notebooks).map((n) => ({
            name: n.name,
            flagged: n.flagged,
            late_submission_penalty: n.latePenalty,
            grades: byName(n.grades).map((g) => ({
              name: g.name,
              auto_score: g.autoScore,
              manual_score: g.manualScore,
              extra_credit: g.extraCredit,
              needs_manual_grade: g.needsManualGrade,
            })),
            comments: byName(n.comments).map((c) => ({
              name: c.name,
              auto_comment: c.autoComment,
              manual_comment: c.manualComment,
            })),
          })),
        })),
      })),
    ),
  };
}
