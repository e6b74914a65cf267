/**
 * The instructor page's script, served as a file (/hub/courses.js) for the CSP's script-src 'self':
 * it follows every running job by polling its small JSON endpoint once a second, shows its
 * progress and message, and opens the page again when one finishes (so counts and the gradebook show
 * the result). The jobs are rows in the database: a reload finds them and polling resumes.
 */
export const COURSE_SCRIPT = String.raw`(function () {
  'use strict';
  var rows = document.querySelectorAll('tr.job[data-state="running"]');
  if (rows.length === 0) return;
  var finished = false;
  // The page's GET address: the page may be the answer to a form's POST, which a reload would repeat.
  var pageUrl = document.getElementById('jobs').getAttribute('data-page');
  function poll(row) {
    fetch(row.getAttribute('data-job-url'), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        row.querySelector('.job-state').textContent = job.state;
        row.querySelector('.job-count').textContent = job.done + ' / ' + job.total;
        row.querySelector('progress').value = job.total > 0 ? Math.round((100 * job.done) / job.total) : 0;
        row.querySelector('.job-message pre').textContent = job.message || '';
        row.setAttribute('data-state', job.state);
        if (job.state === 'running') setTimeout(function () { poll(row); }, 1000);
        else if (!finished) { finished = true; setTimeout(function () { window.location.assign(pageUrl); }, 300); }
      })
      .catch(function () { setTimeout(function () { poll(row); }, 2000); });
  }
  rows.forEach(poll);
})();
`;
