import { cloneJson } from '../../../notebook/index.js';
import type { Step } from '../../pipeline/step.js';
import type { GenerateContext } from '../context.js';

/** IncludeHeaderFooter: the header notebook's cells go first, the footer's last. */
export const includeHeaderFooter: Step<GenerateContext> = {
  name: 'IncludeHeaderFooter',
  run(notebook, context) {
    const header = context.header ? cloneJson(context.header.cells) : [];
    const footer = context.footer ? cloneJson(context.footer.cells) : [];
    notebook.cells = [...header, ...notebook.cells, ...footer];
  },
};
