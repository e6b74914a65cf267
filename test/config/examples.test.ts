import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { readRosterFile } from '../../src/hub/users/roster-csv.js';

const EXAMPLES = resolve(import.meta.dirname, '..', '..', 'examples');

describe('examples/', () => {
  it('coursehub.yaml is a valid configuration whose roster files are valid', () => {
    const { config, warnings } = loadConfig({ file: resolve(EXAMPLES, 'coursehub.yaml'), env: {} });
    expect(warnings).toEqual([]);
    expect(config.hub.dataDir).toBe(resolve(EXAMPLES, '..', 'data'));
    expect(config.users.instructors).toBe(resolve(EXAMPLES, 'instructors.csv'));
    expect(readRosterFile(config.users.instructors ?? '').map((e) => e.name)).toEqual(['prof_lee']);
    expect(readRosterFile(config.users.students ?? '').map((e) => e.name)).toEqual(['amy', 'rory', 'clara']);
  });

  it('the demo rosters hold the instructor and three students', () => {
    expect(readRosterFile(resolve(EXAMPLES, 'demo/instructors.csv')).map((e) => e.name)).toEqual([
      'instructor',
    ]);
    expect(readRosterFile(resolve(EXAMPLES, 'demo/students.csv')).map((e) => e.name)).toEqual([
      'student1',
      'student2',
      'student3',
    ]);
  });
});
