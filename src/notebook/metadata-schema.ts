/**
 * nbgrader's cell metadata JSON schema (v3, draft-04), checked the way `jsonschema.validate`
 * checks it: every violation is collected in the schema's keyword order and the most relevant one
 * (the shallowest, first found) is reported with jsonschema's own wording.
 *
 * Why not a JSON-schema library: the schema is nine fixed properties, and nbgrader users see
 * jsonschema's exact messages (with Python reprs); a generic validator would word them differently.
 */
import { NbgraderMetadataError } from './errors.js';
import { isPythonFloat } from './python-json.js';
import { pythonRepr } from './python-repr.js';

type SchemaType = 'integer' | 'boolean' | 'string' | 'number';

interface PropertyRule {
  type: SchemaType;
  minimum?: number;
  maximum?: number;
  pattern?: { source: string; regex: RegExp };
  minLength?: number;
  maxLength?: number;
  enum?: string[];
}

/** The properties in the order nbgrader's v3.json lists them (jsonschema checks them in that order). */
export const SCHEMA_PROPERTIES: Record<string, PropertyRule> = {
  schema_version: { type: 'integer', minimum: 3, maximum: 3 },
  grade: { type: 'boolean' },
  locked: { type: 'boolean' },
  solution: { type: 'boolean' },
  task: { type: 'boolean' },
  // Python's `$` also matches before a final newline, hence the optional \n.
  grade_id: { type: 'string', pattern: { source: '^[a-zA-Z0-9_\\-]*$', regex: /^[a-zA-Z0-9_-]*\n?$/ } },
  points: { type: 'number', minimum: 0 },
  checksum: { type: 'string', minLength: 32, maxLength: 32 },
  cell_type: { type: 'string', enum: ['raw', 'code', 'markdown'] },
};

const REQUIRED = ['schema_version', 'grade', 'locked', 'solution'];

interface Violation {
  keyword: string;
  path: string[];
  message: string;
}

function hasType(value: unknown, type: SchemaType, container: object, key: string): boolean {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      // draft-04: an integer is a Python int; 3.0 is a float and does not count.
      return typeof value === 'number' && Number.isInteger(value) && !isPythonFloat(container, key);
  }
}

function propertyViolations(meta: Record<string, unknown>, key: string, rule: PropertyRule): Violation[] {
  const value = meta[key];
  const repr = pythonRepr(value, meta, key);
  const path = [key];
  const found: Violation[] = [];
  if (!hasType(value, rule.type, meta, key))
    found.push({ keyword: 'type', path, message: `${repr} is not of type '${rule.type}'` });
  if (typeof value === 'number') {
    if (rule.minimum !== undefined && value < rule.minimum)
      found.push({
        keyword: 'minimum',
        path,
        message: `${repr} is less than the minimum of ${rule.minimum}`,
      });
    if (rule.maximum !== undefined && value > rule.maximum)
      found.push({
        keyword: 'maximum',
        path,
        message: `${repr} is greater than the maximum of ${rule.maximum}`,
      });
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (rule.pattern && !rule.pattern.regex.test(value))
      found.push({
        keyword: 'pattern',
        path,
        message: `${repr} does not match ${pythonRepr(rule.pattern.source)}`,
      });
    if (rule.minLength !== undefined && length < rule.minLength)
      found.push({ keyword: 'minLength', path, message: `${repr} is too short` });
    if (rule.maxLength !== undefined && length > rule.maxLength)
      found.push({ keyword: 'maxLength', path, message: `${repr} is too long` });
  }
  if (rule.enum && !rule.enum.includes(value as string))
    found.push({ keyword: 'enum', path, message: `${repr} is not one of ${pythonRepr(rule.enum)}` });
  return found;
}

function allViolations(meta: unknown): Violation[] {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta))
    return [{ keyword: 'type', path: [], message: `${pythonRepr(meta)} is not of type 'object'` }];
  const record = meta as Record<string, unknown>;
  const found: Violation[] = [];
  for (const [key, rule] of Object.entries(SCHEMA_PROPERTIES))
    if (Object.hasOwn(record, key)) found.push(...propertyViolations(record, key, rule));
  for (const key of REQUIRED)
    if (!Object.hasOwn(record, key))
      found.push({ keyword: 'required', path: [], message: `'${key}' is a required property` });
  const extras = Object.keys(record).filter((key) => !Object.hasOwn(SCHEMA_PROPERTIES, key));
  if (extras.length > 0) {
    const verb = extras.length === 1 ? 'was' : 'were';
    const names = extras.map((k) => pythonRepr(k)).join(', ');
    found.push({
      keyword: 'additionalProperties',
      path: [],
      message: `Additional properties are not allowed (${names} ${verb} unexpected)`,
    });
  }
  return found;
}

/** Throws the error `jsonschema.validate(meta, v3_schema)` would raise, if any. */
export function checkMetadataSchema(meta: unknown): void {
  const violations = allViolations(meta);
  if (violations.length === 0) return;
  // jsonschema's best_match: the shallowest path wins; the first found wins ties.
  const best = violations.reduce((a, b) => (b.path.length < a.path.length ? b : a));
  throw new NbgraderMetadataError({
    detail: best.message,
    rule: 'jsonschema',
    schemaKeyword: best.keyword,
    schemaPath: best.path,
  });
}
