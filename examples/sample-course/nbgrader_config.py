# The sample course's nbgrader configuration: read by `coursehub nbgrader ... --course-dir
# examples/sample-course` (and by nbgrader itself, which can grade this folder too).
c = get_config()

c.CourseDirectory.course_id = "demo101"
