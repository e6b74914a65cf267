/**
 * generate_feedback (autograded -> feedback), not built yet: this is its place.
 *
 * nbgrader's GenerateFeedback runs two preprocessors on each autograded notebook, GetGrades (the
 * scores and comments from the gradebook, into the notebook's resources) and nbconvert's
 * CSSHTMLHeaderPreprocessor, then exports HTML with nbgrader's feedback template into
 * feedback/STUDENT/ASSIGNMENT/ (mode 0644). Here that becomes:
 * - `feedbackSteps(): Step<FeedbackContext>[]` in this folder (GetGrades and the HTML header, pure,
 *   with the grades handed in through the context, like autograde's SourceNotebook);
 * - the file side in src/course/ (CourseDirectory.feedback(student, assignment), written with
 *   stageBeside() like generate's release and autograde's results);
 * - the gradebook side (loading the grades) in src/gradebook/.
 */
export {};
