/** generate (source -> release), nbgrader-compatible, for one notebook (the file side is in src/course). */
export { generateNotebook, generateSteps, settingsForOptions, sourceWithTestsSteps } from './pipeline.js';
export type { GeneratedNotebook, PipelineOptions } from './pipeline.js';
export type { GenerateContext } from './context.js';
export * from './errors.js';
export type * from './types.js';
