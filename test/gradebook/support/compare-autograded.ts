/**
 * How the conformance README says to compare autograded notebooks: as parsed JSON without the run-
 * and environment-dependent parts (execution timings, language_info, traceback text, kernel temp
 * paths), with adjacent stream outputs of the same name merged (chunking depends on timing).
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const joinText = (value: Json | undefined): string =>
  Array.isArray(value) ? value.join('') : String(value ?? '');

function normaliseOutputs(outputs: Obj[]): Obj[] {
  const merged: Obj[] = [];
  for (const output of outputs) {
    const copy: Obj = { ...output };
    if (copy.output_type === 'stream') {
      copy.text = joinText(copy.text).replace(/\/tmp\/ipykernel_\d+\/\d+\.py/g, '<cell-file>');
      const last = merged.at(-1);
      if (last && last.output_type === 'stream' && last.name === copy.name) {
        last.text = String(last.text) + String(copy.text);
        continue;
      }
    }
    if (copy.output_type === 'error') {
      // Text depends on IPython; the number of entries shows LimitOutput's truncation.
      const traceback = (copy.traceback as Json[]) ?? [];
      copy.traceback = traceback.some((t) => t === '... Traceback truncated ...') ? traceback.length : 'text';
    }
    if (copy.data && typeof copy.data === 'object' && !Array.isArray(copy.data)) {
      copy.data = Object.fromEntries(
        Object.entries(copy.data).map(([k, v]) => [
          k,
          typeof v === 'string' || Array.isArray(v) ? joinText(v) : v,
        ]),
      );
    }
    merged.push(copy);
  }
  return merged;
}

export function normaliseAutograded(notebook: Obj): Obj {
  const copy = structuredClone(notebook);
  const metadata = copy.metadata as Obj;
  delete metadata.language_info;
  copy.cells = (copy.cells as Obj[]).map((cell) => {
    const c: Obj = { ...cell, source: joinText(cell.source) };
    const meta = { ...(c.metadata as Obj) };
    delete meta.execution;
    c.metadata = meta;
    if (Array.isArray(c.outputs)) c.outputs = normaliseOutputs(c.outputs as Obj[]);
    return c;
  });
  return copy;
}
