// The gradebook repository on both databases: roster, generate's source cells, autograde results,
// nbgrader's totals and late penalties, and grades.csv.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { GradebookStore } from '../../src/db/stores/gradebook.js';
import {
  ensureCourse,
  listAssignments,
  listStudents,
  removeAssignment,
  removeStudent,
  setExtension,
  updateOrCreateAssignment,
  updateOrCreateStudent,
} from '../../src/gradebook/courses.js';
import { gradesCsv } from '../../src/gradebook/export-grades-csv.js';
import { loadAssignmentScores } from '../../src/gradebook/scores.js';
import { loadSourceNotebooks, storeSourceNotebooks } from '../../src/gradebook/source-notebooks.js';
import { recordSubmissionResult } from '../../src/gradebook/submissions.js';
import {
  setExtraCredit,
  setFlagged,
  setManualComment,
  setManualScore,
} from '../../src/gradebook/manual-grades.js';
import { createTestDatabase } from '../support/postgres.js';

const sourceNotebook = {
  name: 'p1',
  kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
  gradeCells: [
    { name: 'test1', maxScore: 2, cellType: 'code' as const },
    { name: 'essay', maxScore: 3, cellType: 'markdown' as const },
  ],
  solutionCells: ['answer1', 'essay'],
  taskCells: [{ name: 'task1', maxScore: 1, cellType: 'markdown' as const }],
  sourceCells: [
    { name: 'answer1', cellType: 'code' as const, locked: false, source: '# YOUR CODE HERE', checksum: 'aa' },
    { name: 'test1', cellType: 'code' as const, locked: true, source: 'assert f() == 1', checksum: 'bb' },
    {
      name: 'essay',
      cellType: 'markdown' as const,
      locked: false,
      source: 'YOUR ANSWER HERE',
      checksum: 'cc',
    },
    { name: 'task1', cellType: 'markdown' as const, locked: true, source: 'Describe it', checksum: 'dd' },
  ],
};

function suite(name: string, url: () => Promise<string>) {
  describe(`gradebook repository on ${name}`, () => {
    let handle: DatabaseHandle;
    let store: GradebookStore;
    let courseId: number;

    beforeAll(async () => {
      handle = openDatabase({ url: await url() });
      await migrateToLatest(handle.db);
      store = new GradebookStore(handle.db);
      courseId = await ensureCourse(store, 'course101');
    });
    afterAll(async () => {
      await handle?.close();
    });

    it('keeps a roster of students and assignments', async () => {
      await updateOrCreateStudent(store, courseId, {
        id: 'zed',
        firstName: 'Zed',
        lastName: 'Adams',
        email: 'z@x.org',
      });
      await updateOrCreateStudent(store, courseId, { id: 'amy', lastName: 'Brown' });
      await updateOrCreateStudent(store, courseId, { id: 'amy', firstName: 'Amy' });
      expect(await listStudents(store, courseId)).toEqual([
        { id: 'zed', firstName: 'Zed', lastName: 'Adams', email: 'z@x.org' },
        { id: 'amy', firstName: 'Amy', lastName: 'Brown', email: null },
      ]);
      await expect(updateOrCreateStudent(store, courseId, { id: '../etc' })).rejects.toThrow(
        /not a valid student id/,
      );
      await updateOrCreateAssignment(store, courseId, 'ps1', { duedate: '2024-03-01 17:00:00' });
      await updateOrCreateAssignment(store, courseId, 'ps0');
      await expect(updateOrCreateAssignment(store, courseId, '../../etc')).rejects.toThrow(
        /not a valid assignment id/,
      );
      expect(await listAssignments(store, courseId)).toEqual([
        { name: 'ps0', duedate: null },
        { name: 'ps1', duedate: '2024-03-01 17:00:00' },
      ]);
      await removeAssignment(store, courseId, 'ps0');
      expect((await listAssignments(store, courseId)).map((a) => a.name)).toEqual(['ps1']);
    });

    it('stores and reloads what generate produced', async () => {
      await storeSourceNotebooks(store, courseId, 'ps1', [sourceNotebook]);
      // Storing again (generate --force) replaces rather than duplicates.
      await storeSourceNotebooks(store, courseId, 'ps1', [sourceNotebook]);
      expect(await loadSourceNotebooks(store, courseId, 'ps1')).toEqual([sourceNotebook]);
    });

    it('records autograde results with totals, comments and a late penalty', async () => {
      await recordSubmissionResult(store, courseId, {
        assignment: 'ps1',
        studentId: 'zed',
        timestamp: '2024-03-01 18:00:00',
        gradedNotebooks: [
          {
            name: 'p1',
            grades: [
              { name: 'test1', autoScore: 1.5 },
              { name: 'essay', autoScore: null },
            ],
            comments: [
              { name: 'answer1', autoComment: null },
              { name: 'essay', autoComment: null },
              { name: 'task1', autoComment: null },
            ],
          },
        ],
        missingNotebooks: [],
        latePenalty: 'zero',
      });
      await recordSubmissionResult(store, courseId, {
        assignment: 'ps1',
        studentId: 'amy',
        timestamp: '2024-03-01 16:00:00',
        gradedNotebooks: [],
        missingNotebooks: ['p1'],
        latePenalty: 'zero',
      });
      const scores = await loadAssignmentScores(store, courseId, 'ps1');
      expect(scores.maxScore).toBe(6);
      const [amy, zed] = scores.submissions;
      expect(zed?.studentId).toBe('zed');
      expect(zed?.secondsLate).toBe(3600);
      expect(zed?.score).toBe(1.5);
      expect(zed?.latePenalty).toBe(1.5);
      expect(zed?.scoreAfterPenalty).toBe(0);
      expect(zed?.needsManualGrade).toBe(true);
      const p1 = zed?.notebooks.p1;
      expect(p1?.codeScore).toBe(1.5);
      expect(p1?.maxWrittenScore).toBe(3);
      expect(p1?.maxTaskScore).toBe(1);
      expect(p1?.failedTests).toBe(true);
      expect(p1?.grades.task1).toMatchObject({
        cellKind: 'TaskCell',
        autoScore: null,
        needsManualGrade: true,
      });
      expect(Object.keys(p1?.comments ?? {}).sort()).toEqual(['answer1', 'essay', 'task1']);
      expect(amy?.studentId).toBe('amy');
      expect(amy?.notebooks.p1?.grades.test1).toMatchObject({ autoScore: 0, needsManualGrade: false });
      expect(amy?.notebooks.p1?.latePenalty).toBeNull();
      expect(amy?.needsManualGrade).toBe(false);
    });

    it('moves the due date by a per-student extension', async () => {
      await setExtension(store, courseId, 'ps1', 'zed', 7200);
      await recordSubmissionResult(store, courseId, {
        assignment: 'ps1',
        studentId: 'zed',
        timestamp: '2024-03-01 18:00:00',
        gradedNotebooks: [{ name: 'p1', grades: [{ name: 'test1', autoScore: 2 }], comments: [] }],
        missingNotebooks: [],
        latePenalty: 'zero',
      });
      const zed = (await loadAssignmentScores(store, courseId, 'ps1')).submissions.find(
        (s) => s.studentId === 'zed',
      );
      expect(zed?.secondsLate).toBe(0);
      expect(zed?.latePenalty).toBe(0);
      expect(zed?.score).toBe(2);
    });

    it('takes manual scores, extra credit, comments and flags, and a rerun keeps them', async () => {
      const ref = { assignment: 'ps1', studentId: 'zed', notebook: 'p1' };
      await setManualScore(store, courseId, { ...ref, cell: 'essay' }, 2.5);
      await setExtraCredit(store, courseId, { ...ref, cell: 'test1' }, 0.5);
      await setManualComment(store, courseId, { ...ref, cell: 'essay' }, 'Well argued.');
      await setFlagged(store, courseId, ref, true);
      await expect(setManualScore(store, courseId, { ...ref, cell: 'essay' }, -1)).rejects.toThrow(
        /at least 0/,
      );
      await expect(setManualComment(store, courseId, { ...ref, cell: 'test1' }, 'x')).rejects.toThrow(
        /no comments/,
      );
      // Autograding again does not undo the grader's work, and a manual grade keeps needing review.
      await recordSubmissionResult(store, courseId, {
        assignment: 'ps1',
        studentId: 'zed',
        timestamp: '2024-03-01 18:00:00',
        gradedNotebooks: [
          {
            name: 'p1',
            grades: [
              { name: 'test1', autoScore: 2 },
              { name: 'essay', autoScore: null },
            ],
            comments: [],
          },
        ],
        missingNotebooks: [],
        latePenalty: 'none',
      });
      const zed = (await loadAssignmentScores(store, courseId, 'ps1')).submissions.find(
        (s) => s.studentId === 'zed',
      );
      const p1 = zed?.notebooks.p1;
      expect(p1?.grades.essay).toMatchObject({ manualScore: 2.5, score: 2.5, needsManualGrade: true });
      expect(p1?.grades.test1).toMatchObject({ autoScore: 2, extraCredit: 0.5, score: 2.5 });
      expect(p1?.comments.essay?.manualComment).toBe('Well argued.');
      expect(p1?.flagged).toBe(true);
      expect(zed?.score).toBe(5);
      // Back to the state the next test expects.
      await setManualScore(store, courseId, { ...ref, cell: 'essay' }, null);
      await setExtraCredit(store, courseId, { ...ref, cell: 'test1' }, null);
    });

    it('exports grades.csv with nbgrader columns, order and formatting', async () => {
      await updateOrCreateStudent(store, courseId, {
        id: 'nosub',
        firstName: 'No',
        lastName: 'Sub, Jr.',
      });
      const csv = await gradesCsv(store, courseId);
      expect(csv.split('\n')).toEqual([
        'assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,late_submission_penalty,score,max_score',
        'ps1,2024-03-01 17:00:00,2024-03-01 18:00:00,zed,Adams,Zed,z@x.org,2.0,0.0,2.0,6.0',
        'ps1,2024-03-01 17:00:00,2024-03-01 16:00:00,amy,Brown,Amy,,0.0,0.0,0.0,6.0',
        'ps1,2024-03-01 17:00:00,,nosub,"Sub, Jr.",No,,0.0,0.0,0.0,6.0',
        '',
      ]);
    });

    it('refuses to drop a student with submissions unless forced', async () => {
      await expect(removeStudent(store, courseId, 'zed')).rejects.toThrow(/would delete their grades/);
      await removeStudent(store, courseId, 'zed', { force: true });
      const scores = await loadAssignmentScores(store, courseId, 'ps1');
      expect(scores.submissions.map((s) => s.studentId)).toEqual(['amy']);
    });

    it('refuses to remove an assignment with submissions unless forced, and keeps every grade', async () => {
      const before = await gradesCsv(store, courseId);
      await expect(removeAssignment(store, courseId, 'ps1')).rejects.toThrow(
        /Assignment 'ps1' has 1 submission\(s\); removing it would delete their grades/,
      );
      expect(await gradesCsv(store, courseId)).toBe(before);
      expect((await listAssignments(store, courseId)).map((a) => a.name)).toContain('ps1');
      await removeAssignment(store, courseId, 'ps1', { force: true });
      expect((await listAssignments(store, courseId)).map((a) => a.name)).not.toContain('ps1');
      await expect(loadAssignmentScores(store, courseId, 'ps1')).rejects.toThrow(
        /No assignment with ID 'ps1'/,
      );
    });
  });
}

suite('SQLite', async () => ':memory:');
suite('PostgreSQL', () => createTestDatabase());
