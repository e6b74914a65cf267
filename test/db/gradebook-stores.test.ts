// The gradebook's stores (src/db/stores/) on both databases, method by method: what
// test/gradebook/repository.test.ts does not reach through the gradebook layer (row shapes,
// partial updates, cascades, transactions, the set-based score read).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceNotebookRecord } from '../../src/db/stores/gradebook-notebooks.js';
import { GradebookStore } from '../../src/db/stores/gradebook.js';
import { BACKENDS, openTestDatabase, type TestDatabase } from './backends.js';

const notebook = (name: string, cells: string[]): SourceNotebookRecord => ({
  name,
  kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
  gradeCells: cells.map((cell, i) => ({ name: `${cell}_test`, maxScore: i + 1, cellType: 'code' as const })),
  solutionCells: cells,
  taskCells: [{ name: `${name}_task`, maxScore: 2, cellType: 'markdown' }],
  sourceCells: cells.map((cell) => ({
    name: cell,
    cellType: 'code' as const,
    locked: false,
    source: `# ${cell}`,
    checksum: null,
  })),
});

describe.each(BACKENDS)('gradebook stores on %s', (backend) => {
  let database: TestDatabase;
  let store: GradebookStore;
  let courseId: number;

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    store = new GradebookStore(database.db);
    courseId = await store.courses.ensureCourse('stores101');
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('keeps one row per course name', async () => {
    expect(await store.courses.ensureCourse('stores101')).toBe(courseId);
    const other = await store.courses.ensureCourse('stores102');
    expect(other).not.toBe(courseId);
    expect(await store.courses.countCourses()).toBe(2);
  });

  it('stores assignments, students and extensions as rows', async () => {
    const ps1 = await store.courses.insertAssignment(courseId, 'ps1', null);
    await store.courses.insertAssignment(courseId, 'ps0', '2024-01-01 00:00:00');
    await store.courses.setDuedate(ps1, '2024-03-01 17:00:00.250000');
    expect(await store.courses.findAssignment(courseId, 'ps1')).toEqual({
      id: ps1,
      name: 'ps1',
      duedate: '2024-03-01 17:00:00.250000',
    });
    expect((await store.courses.listAssignments(courseId)).map((a) => a.name)).toEqual(['ps0', 'ps1']);
    expect(await store.courses.findAssignment(courseId, 'nope')).toBeUndefined();

    const zed = await store.courses.insertStudent(courseId, 'zed', { firstName: 'Zed' });
    const amy = await store.courses.insertStudent(courseId, 'amy', {});
    await store.courses.updateStudent(zed, { email: 'z@x.org' });
    await store.courses.updateStudent(amy, {});
    expect(await store.courses.listStudents(courseId)).toEqual([
      { pk: zed, id: 'zed', firstName: 'Zed', lastName: null, email: 'z@x.org' },
      { pk: amy, id: 'amy', firstName: null, lastName: null, email: null },
    ]);
    expect(await store.courses.findStudentPk(courseId, 'amy')).toBe(amy);

    expect(await store.courses.extensionSeconds(ps1, zed)).toBe(0);
    await store.courses.replaceExtension(ps1, zed, 3600);
    await store.courses.replaceExtension(ps1, zed, 5400.5);
    expect(await store.courses.extensionSeconds(ps1, zed)).toBe(5400.5);
    await store.courses.replaceExtension(ps1, zed, null);
    expect(await store.courses.extensionSeconds(ps1, zed)).toBe(0);
  });

  it('replaces and reloads source notebooks in a fixed order', async () => {
    const ps1 = (await store.courses.findAssignment(courseId, 'ps1'))!.id;
    await store.notebooks.replaceAll(ps1, [notebook('p2', ['b', 'a']), notebook('p1', ['c'])]);
    const loaded = await store.notebooks.loadAll(ps1);
    expect(loaded.map((n) => n.name)).toEqual(['p1', 'p2']);
    expect(loaded[1]).toEqual(notebook('p2', ['b', 'a']));
    // Replacing drops notebooks no longer listed and the old cells of the others.
    await store.notebooks.replaceAll(ps1, [notebook('p2', ['d'])]);
    expect(await store.notebooks.loadAll(ps1)).toEqual([notebook('p2', ['d'])]);
    await store.notebooks.replaceAll(ps1, []);
    expect(await store.notebooks.loadAll(ps1)).toEqual([]);
    await store.notebooks.replaceAll(ps1, [notebook('p1', ['a', 'b']), notebook('p2', ['c'])]);
  });

  it('creates the rows of a submission once and keeps what was graded', async () => {
    const ps1 = (await store.courses.findAssignment(courseId, 'ps1'))!.id;
    const zed = (await store.courses.findStudentPk(courseId, 'zed'))!;
    const ids = await store.submissions.ensure(ps1, zed, '2024-03-01 18:00:00');
    expect([...ids.keys()].sort()).toEqual(['p1', 'p2']);
    const p1 = ids.get('p1')!;
    const grades = await store.submissions.listGrades(p1);
    expect(grades.map((g) => [g.name, g.cellKind]).sort()).toEqual([
      ['a_test', 'grade'],
      ['b_test', 'grade'],
      ['p1_task', 'task'],
    ]);
    expect(grades.every((g) => g.autoScore === null && g.needsManualGrade)).toBe(true);

    const aTest = (await store.submissions.findGrade(p1, 'a_test'))!;
    await store.submissions.updateGrade(aTest.id, { manualScore: 0.5, needsManualGrade: false });
    await store.submissions.updateGrade(aTest.id, { extraCredit: 0.25 });
    expect(await store.submissions.updateComment(p1, 'a', { manualComment: 'Good.' })).toBe(true);
    expect(await store.submissions.updateComment(p1, 'a_test', { manualComment: 'x' })).toBe(false);

    // Again, without a timestamp: the same rows, the grade kept, the timestamp kept.
    expect(await store.submissions.ensure(ps1, zed, null)).toEqual(ids);
    expect(await store.submissions.findGrade(p1, 'a_test')).toEqual({
      ...aTest,
      manualScore: 0.5,
      extraCredit: 0.25,
      needsManualGrade: false,
    });
    expect(await store.submissions.listGrades(p1)).toHaveLength(3);
    expect(await store.submissions.count({ assignmentId: ps1 })).toBe(1);
    expect(await store.submissions.count({ studentPk: zed })).toBe(1);
    expect(await store.submissions.findSubmittedNotebookId(ps1, zed, 'p2')).toBe(ids.get('p2'));
    expect(await store.submissions.findSubmittedNotebookId(ps1, zed, 'p3')).toBeUndefined();

    await store.submissions.updateAllGrades(ids.get('p2')!, { autoScore: 0, needsManualGrade: false });
    expect(
      (await store.submissions.listGrades(ids.get('p2')!)).map((g) => [g.autoScore, g.needsManualGrade]),
    ).toEqual([
      [0, false],
      [0, false],
    ]);
  });

  it('reads every score row of an assignment, and only of that assignment', async () => {
    const ps1 = (await store.courses.findAssignment(courseId, 'ps1'))!;
    const ps0 = (await store.courses.findAssignment(courseId, 'ps0'))!;
    const zed = (await store.courses.findStudentPk(courseId, 'zed'))!;
    const amy = (await store.courses.findStudentPk(courseId, 'amy'))!;
    await store.courses.replaceExtension(ps1.id, zed, 60);
    await store.notebooks.replaceAll(ps0.id, [notebook('p1', ['z'])]);
    await store.submissions.ensure(ps0.id, amy, null);
    const ids = await store.submissions.ensure(ps1.id, zed, null);
    await store.submissions.setFlagged(ids.get('p2')!, true);
    await store.submissions.setLatePenalty(ids.get('p2')!, 1.5);

    const rows = await store.scores.scoreRows(ps1.id);
    const comments = await store.scores.commentRows(ps1.id);
    expect(rows.notebooks.map((n) => n.name)).toEqual(['p1', 'p2']);
    const [p1, p2] = rows.notebooks;
    expect(rows.cells.map((c) => [c.notebookId, c.name, c.maxScore, c.cellType, c.task])).toEqual(
      expect.arrayContaining([
        [p1!.id, 'a_test', 1, 'code', false],
        [p1!.id, 'b_test', 2, 'code', false],
        [p1!.id, 'p1_task', 2, 'markdown', true],
        [p2!.id, 'c_test', 1, 'code', false],
        [p2!.id, 'p2_task', 2, 'markdown', true],
      ]),
    );
    expect(rows.cells).toHaveLength(5);
    // Grade cells come before task cells.
    expect(rows.cells.map((c) => c.task)).toEqual([false, false, false, true, true]);
    expect(rows.submissions).toEqual([
      {
        id: expect.any(Number),
        timestamp: '2024-03-01 18:00:00',
        studentId: 'zed',
        firstName: 'Zed',
        lastName: null,
        email: 'z@x.org',
        extensionSeconds: 60,
      },
    ]);
    expect(rows.submittedNotebooks).toHaveLength(2);
    expect(rows.submittedNotebooks.find((s) => s.id === ids.get('p2'))).toEqual({
      id: ids.get('p2'),
      submissionId: rows.submissions[0]!.id,
      notebookId: p2!.id,
      flagged: true,
      latePenalty: 1.5,
    });
    expect(rows.submittedNotebooks.find((s) => s.id === ids.get('p1'))).toMatchObject({
      flagged: false,
      latePenalty: null,
    });
    expect(rows.grades).toHaveLength(5);
    expect(rows.grades.find((g) => g.name === 'a_test')).toEqual({
      submittedNotebookId: ids.get('p1'),
      name: 'a_test',
      cellKind: 'grade',
      autoScore: null,
      manualScore: 0.5,
      extraCredit: 0.25,
      needsManualGrade: false,
    });
    // The summary's rows: the same notebooks, cells and submissions, and nbgrader's sums per
    // submitted notebook instead of the grades.
    const summary = await store.scores.summaryRows(ps1.id);
    expect([summary.notebooks, summary.cells, summary.submissions]).toEqual([
      rows.notebooks,
      rows.cells,
      rows.submissions,
    ]);
    expect(summary.notebookTotals).toHaveLength(2);
    expect(summary.notebookTotals.find((t) => t.notebookId === p1!.id)).toEqual({
      submissionId: rows.submissions[0]!.id,
      notebookId: p1!.id,
      flagged: false,
      latePenalty: null,
      score: 0.75,
      codeScore: 0.75,
      writtenScore: 0,
      taskScore: 0,
      needsManualGrade: true,
      failedTests: false,
    });
    // c_test scored 0 of 1 by the autograder: its tests failed.
    expect(summary.notebookTotals.find((t) => t.notebookId === p2!.id)).toEqual({
      submissionId: rows.submissions[0]!.id,
      notebookId: p2!.id,
      flagged: true,
      latePenalty: 1.5,
      score: 0,
      codeScore: 0,
      writtenScore: 0,
      taskScore: 0,
      needsManualGrade: false,
      failedTests: true,
    });
    expect(comments.map((c) => c.name).sort()).toEqual(['a', 'b', 'c', 'p1_task', 'p2_task']);
    expect(comments.find((c) => c.name === 'a')).toEqual({
      submittedNotebookId: ids.get('p1'),
      name: 'a',
      cellKind: 'solution',
      autoComment: null,
      manualComment: 'Good.',
    });
  });

  it('removes an assignment or a student with everything that hangs off it', async () => {
    const ps0 = (await store.courses.findAssignment(courseId, 'ps0'))!;
    const amy = (await store.courses.findStudentPk(courseId, 'amy'))!;
    expect(await store.submissions.count({ studentPk: amy })).toBe(1);
    await store.courses.deleteAssignment(ps0.id);
    expect(await store.submissions.count({ studentPk: amy })).toBe(0);
    expect(await store.notebooks.loadAll(ps0.id)).toEqual([]);
    const zed = (await store.courses.findStudentPk(courseId, 'zed'))!;
    const ps1 = (await store.courses.findAssignment(courseId, 'ps1'))!;
    await store.courses.deleteStudent(zed);
    expect(await store.submissions.count({ assignmentId: ps1.id })).toBe(0);
    expect((await store.scores.scoreRows(ps1.id)).grades).toEqual([]);
    expect((await store.scores.summaryRows(ps1.id)).notebookTotals).toEqual([]);
    expect(await store.scores.commentRows(ps1.id)).toEqual([]);
    expect(await store.courses.findStudentPk(courseId, 'zed')).toBeUndefined();
  });

  it('commits the writes of withTransaction together, or none of them', async () => {
    await expect(
      store.withTransaction(async (tx) => {
        await tx.courses.insertStudent(courseId, 'rolled-back', {});
        // A nested call joins the outer transaction rather than committing on its own.
        await tx.withTransaction((inner) => inner.courses.insertStudent(courseId, 'also-rolled-back', {}));
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(await store.courses.findStudentPk(courseId, 'rolled-back')).toBeUndefined();
    expect(await store.courses.findStudentPk(courseId, 'also-rolled-back')).toBeUndefined();
    const pk = await store.withTransaction((tx) => tx.courses.insertStudent(courseId, 'kept', {}));
    expect(await store.courses.findStudentPk(courseId, 'kept')).toBe(pk);
  });
});
