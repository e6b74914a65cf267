/** The steps between execution and scoring: IgnorePattern and LimitOutput, as nbgrader does them. */
import { joinLines, type Output } from '../../notebook/index.js';
import type { Step } from '../pipeline/step.js';
import type { AutogradeContext } from './context.js';

/**
 * IgnorePattern: drops stderr outputs matching the pattern, so a known warning does not cost the
 * points. Python's `re.search` syntax is, for the patterns instructors write, JavaScript's too.
 */
export const ignorePattern: Step<Pick<AutogradeContext, 'settings'>> = {
  name: 'IgnorePattern',
  run(notebook, { settings }) {
    if (!settings.ignorePatternEnabled || !settings.ignorePattern) return;
    const pattern = new RegExp(settings.ignorePattern);
    for (const cell of notebook.cells) {
      if (cell.cell_type !== 'code') continue;
      cell.outputs = cell.outputs.filter(
        (o) => !(o.output_type === 'stream' && o.name === 'stderr' && pattern.test(joinLines(o.text))),
      );
    }
  },
};

function limitStreams(outputs: Output[], maxLines: number): Output[] {
  let length = 0;
  const kept: Output[] = [];
  for (const output of outputs) {
    if (output.output_type === 'stream') {
      if (length === maxLines) continue;
      let lines = joinLines(output.text).split('\n');
      if (lines.length + length > maxLines) {
        lines = lines.slice(0, Math.max(0, maxLines - length - 1));
        lines.push('... Output truncated ...');
      }
      length += lines.length;
      output.text = lines.join('\n');
    }
    kept.push(output);
  }
  return kept;
}

/** LimitOutput: at most max_lines stream lines per cell and max_traceback traceback entries. */
export const limitOutput: Step<Pick<AutogradeContext, 'settings'>> = {
  name: 'LimitOutput',
  run(notebook, { settings }) {
    for (const cell of notebook.cells) {
      if (cell.cell_type !== 'code') continue;
      if (settings.maxOutputLines !== -1) cell.outputs = limitStreams(cell.outputs, settings.maxOutputLines);
      if (settings.maxTracebackLines === -1) continue;
      for (const output of cell.outputs) {
        if (output.output_type !== 'error' || output.traceback.length <= settings.maxTracebackLines) continue;
        const start = Math.floor(settings.maxTracebackLines / 2);
        const end = settings.maxTracebackLines - start - 1;
        output.traceback = [
          ...output.traceback.slice(0, start),
          '... Traceback truncated ...',
          ...(end > 0 ? output.traceback.slice(-end) : output.traceback),
        ];
      }
    }
  },
};
