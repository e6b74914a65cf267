/** The autotests.yml settings for one kernel, read as nbgrader's InstantiateTests reads them. */
import { parse } from 'yaml';
import { GenerateError } from '../errors.js';
import { getOwn, setOwn } from '../../../util/own-keys.js';

export interface TestTemplate {
  test: string;
  fail: string;
}

export interface AutotestTemplates {
  setup?: string;
  hash?: string;
  dispatch: string;
  normalize: string;
  check: string;
  success?: string;
  /** Python type name (as the dispatch code prints it) -> tests; 'default' for the rest. */
  templates: Record<string, TestTemplate[]>;
}

const optionalString = (v: unknown, key: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new GenerateError(`autotests.yml: "${key}" must be a string`);
  return v;
};

export function readAutotestTemplates(text: string, kernelName: string): AutotestTemplates {
  let all: unknown;
  try {
    all = parse(text);
  } catch (error) {
    throw new GenerateError(
      `autotests.yml contains invalid YAML code: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
  const forKernel = (
    typeof all === 'object' && all !== null ? getOwn(all as Record<string, unknown>, kernelName) : undefined
  ) as Record<string, unknown> | undefined;
  if (typeof forKernel !== 'object' || forKernel === null)
    throw new GenerateError(
      `autotests.yml has no section for the kernel '${kernelName}'`,
      {},
      {
        hint: `Add a top-level "${kernelName}:" section to autotests.yml.`,
      },
    );
  const required = (key: string): string => {
    const v = optionalString(getOwn(forKernel, key), key);
    if (v === undefined) throw new GenerateError(`autotests.yml: the '${kernelName}' section needs "${key}"`);
    return v;
  };
  const templates = getOwn(forKernel, 'templates') as Record<string, unknown> | undefined;
  if (typeof templates !== 'object' || templates === null || !Object.hasOwn(templates, 'default'))
    throw new GenerateError(
      'autotests.yml must contain a top-level "default" key with corresponding test code',
    );
  const checked: Record<string, TestTemplate[]> = {};
  for (const [type, tests] of Object.entries(templates)) {
    if (
      !Array.isArray(tests) ||
      !tests.every((t) => typeof t?.test === 'string' && typeof t?.fail === 'string')
    )
      throw new GenerateError(
        'each type in autotests.yml must have a list of dictionaries with a "test" and "fail" key',
      );
    setOwn(checked, type, tests as TestTemplate[]);
  }
  const result: AutotestTemplates = {
    dispatch: required('dispatch'),
    normalize: required('normalize'),
    check: required('check'),
    templates: checked,
  };
  const setup = optionalString(forKernel.setup, 'setup');
  const hash = optionalString(forKernel.hash, 'hash');
  const success = optionalString(forKernel.success, 'success');
  if (setup !== undefined) result.setup = setup;
  if (hash !== undefined) result.hash = hash;
  if (success !== undefined) result.success = success;
  return result;
}
