/**
 * The course layer: an nbgrader course directory on disk. It owns the layout (CourseDirectory),
 * the one fnmatch and the ignore rules, reading and writing course files, "build beside, then
 * rename into place" (stageBeside), and runs grading/'s step pipelines over the files with kernels
 * from the caller's launcher: generate_assignment, validate, and autograde of one submission.
 * One student's feedback pages (writeFeedback). The gradebook layer joins these with the stores;
 * the exchange (release, fetch, submit, collect) builds on the same pieces.
 */
export { CourseDirectory, CourseLayoutError, requireCourseRoot } from './course-directory.js';
export { fnmatch, fnmatchRegExp } from './fnmatch.js';
export { copyExclusion, globMatches, isIgnoredName } from './ignore-rules.js';
export type { CopyExclusion, CopyRules } from './ignore-rules.js';
export {
  copyFiles,
  copyFolderForRun,
  filesMatching,
  findAllFiles,
  findFilesToCopy,
  isFolder,
  pathConflicts,
  PathConflictError,
  pathExists,
  readNotebookFile,
  readTimestampFile,
  removeFolder,
  writeFileInPlace,
  writeNotebookFile,
} from './course-files.js';
export { removeStaleStages, stageBeside } from './staged-folder.js';
export type { StagedFolder } from './staged-folder.js';
export { NBGRADER_CONFIG_FILE, readNbgraderConfigFile } from './nbgrader-config-file.js';
export { kernelsIn, kernelsInScratchCopy } from './kernels.js';
export type { ScratchKernels } from './kernels.js';
export { generateAssignment } from './generate-assignment.js';
export type { GenerateAssignmentOptions, GenerateAssignmentResult } from './generate-assignment.js';
export { validateNotebookFile } from './validate-notebook-file.js';
export type { ValidateNotebookOptions } from './validate-notebook-file.js';
export { gradeSubmission, removeStalePartials, SubmissionSkippedError } from './grade-submission.js';
export type { GradedSubmission, SubmissionJob } from './grade-submission.js';
export { FEEDBACK_FILE_MODE, FeedbackNotGradedError, writeFeedback } from './write-feedback.js';
export type { FeedbackJob, WrittenFeedback } from './write-feedback.js';
export {
  openSourceNotebook,
  saveSourceNotebook,
  sourceNotebooks,
  sourceNotebookPath,
  SourceNotebookNotFoundError,
  StaleSourceNotebookError,
} from './source-notebook-file.js';
export type { OpenedSourceNotebook } from './source-notebook-file.js';
