/**
 * Reads the zod config schema as data: every leaf key with its dotted path, kind, default and
 * description. The environment-variable mapping and the generated docs both come from here, so a
 * key added to the schema gets its env var and its documentation without anyone listing it again.
 */
import type { z } from 'zod';

export type LeafKind = 'string' | 'number' | 'boolean' | 'enum' | 'array' | 'record' | 'other';

export interface ConfigLeaf {
  /** Dotted path, e.g. `hub.port`. */
  path: string;
  kind: LeafKind;
  /** Allowed values of an enum. */
  values?: string[];
  /** The default (undefined: no default, the key is optional or required). */
  defaultValue: unknown;
  description: string | undefined;
  /** Whether the schema accepts the key being absent (optional or defaulted). */
  optional: boolean;
}

export interface ConfigBranch {
  path: string;
  description: string | undefined;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  shape?: Record<string, z.ZodType>;
  entries?: Record<string, string>;
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { def: Def }).def;
}

/** Strips default/optional/nullable wrappers, collecting the default and description on the way. */
function unwrap(schema: z.ZodType): {
  core: z.ZodType;
  defaultValue: unknown;
  description?: string;
  optional: boolean;
} {
  let current = schema;
  let defaultValue: unknown;
  let description = current.description;
  let optional = false;
  for (;;) {
    const def = defOf(current);
    if (def.type === 'default' || def.type === 'prefault') {
      defaultValue ??= def.defaultValue;
      optional = true;
    } else if (def.type === 'optional' || def.type === 'nullable') {
      optional = true;
    } else if (def.type === 'pipe' && def.in) {
      current = def.in;
      description ??= current.description;
      continue;
    } else {
      break;
    }
    current = def.innerType as z.ZodType;
    description ??= current.description;
  }
  return { core: current, defaultValue, description, optional };
}

function kindOf(core: z.ZodType): LeafKind {
  const type = defOf(core).type;
  if (type === 'string' || type === 'number' || type === 'boolean' || type === 'enum') return type;
  if (type === 'array' || type === 'record') return type;
  return 'other';
}

/** Every leaf and every object (branch) of the schema, depth first, in declaration order. */
export function walkSchema(
  schema: z.ZodType,
  prefix = '',
): { leaves: ConfigLeaf[]; branches: ConfigBranch[] } {
  const leaves: ConfigLeaf[] = [];
  const branches: ConfigBranch[] = [];
  const { core } = unwrap(schema);
  const shape = defOf(core).shape ?? {};
  for (const [key, child] of Object.entries(shape)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const info = unwrap(child);
    if (defOf(info.core).type === 'object') {
      branches.push({ path, description: info.description });
      const nested = walkSchema(child, path);
      leaves.push(...nested.leaves);
      branches.push(...nested.branches);
      continue;
    }
    const kind = kindOf(info.core);
    const entries = defOf(info.core).entries;
    leaves.push({
      path,
      kind,
      ...(kind === 'enum' && entries ? { values: Object.values(entries) } : {}),
      defaultValue: info.defaultValue,
      description: info.description,
      optional: info.optional,
    });
  }
  return { leaves, branches };
}
