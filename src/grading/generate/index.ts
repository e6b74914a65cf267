/** generate (source -> release), nbgrader-compatible. */
export { generateAssignment } from './assignment.js';
export type { GenerateAssignmentOptions, GenerateAssignmentResult } from './assignment.js';
export { generateNotebook, generateSteps, settingsForOptions } from './pipeline.js';
export type { GeneratedNotebook, PipelineOptions } from './pipeline.js';
export type { GenerateContext, GenerateStep } from './step.js';
export * from './errors.js';
export type * from './types.js';
