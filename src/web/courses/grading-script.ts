/**
 * The grading page's script, served as a file (/hub/grading.js) for the CSP's script-src 'self'.
 * It saves each box when its value changes (PUT to the grading API with the page's CSRF token and
 * the version of the field the box was rendered with) and shows what the server answers: saved,
 * refused (why), or saved over another grader's newer value (theirs, who, when). Keys as
 * nbgrader's formgrader: Tab / Shift+Tab between the boxes, Escape leaves a box, Enter returns to
 * it, Ctrl+. / Ctrl+, the same box of the next / previous student (?index=N), Ctrl+Shift+. the
 * next student needing manual grading, Ctrl+Shift+F the flag. Moving on waits for pending saves.
 * Every 5 s it asks for the fields' versions, so a value another grader saved shows up (or, while
 * that box is being edited, a notice that saving will replace it).
 * Grading by question has a student per panel: each saves to its own address, and Ctrl+. / Ctrl+,
 * move between the panels of the page, and past its first or last onto the previous or next page
 * (?page=N&entry=first|last|needing&field=F: the same box of that page's first, last or first
 * needing panel).
 */
export const GRADING_SCRIPT = String.raw`(function () {
  'use strict';
  var root = document.getElementById('grading-page');
  if (!root) return;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var saveUrl = root.getAttribute('data-save-url');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('.tabbable'));
  var pending = [];
  var last = null;

  function put(url, body) {
    return fetch(url, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-XSRF-Token': csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    });
  }

  function show(where, text, error) {
    if (!where) return;
    where.textContent = text;
    where.classList.toggle('error', !!error);
  }

  function valueOf(box) {
    var field = box.getAttribute('data-field');
    if (field === 'comment') return box.value === '' ? null : box.value;
    if (box.value.trim() === '') return null;
    var n = Number(box.value);
    return isNaN(n) ? box.value : n;
  }

  function describe(value) {
    return value === null ? 'nothing' : JSON.stringify(value);
  }

  function save(element, value) {
    var section = element.closest('.grading');
    var cell = section ? section.getAttribute('data-cell') : '';
    var field = element.getAttribute('data-field');
    var state = section ? section.querySelector('.save-state') : document.getElementById('flag-state');
    var conflict = section ? section.querySelector('.conflict') : null;
    show(state, 'Saving…');
    var url = (section && section.getAttribute('data-save-url')) || saveUrl;
    var done = put(url, { cell: cell, field: field, value: value, baseVersion: Number(element.getAttribute('data-version')) })
      .then(function (answer) {
        if (!answer.ok) {
          show(state, answer.data.message || 'Not saved.', true);
          element.setAttribute('aria-invalid', 'true');
          return;
        }
        element.removeAttribute('aria-invalid');
        element.setAttribute('data-version', String(answer.data.version));
        show(state, 'Saved.');
        var other = answer.data.conflict;
        var notice = other
          ? 'Saved over ' + other.editedBy + '’s ' + field.replace('_', ' ') + ' (' + describe(other.value) +
            ', saved ' + other.editedAt.replace('T', ' ').slice(0, 19) + ' UTC, while you were editing): yours, ' +
            describe(answer.data.value) + ', is the one kept. Theirs stays in the grading history.'
          : '';
        if (conflict) { conflict.textContent = notice; conflict.hidden = !other; }
        else if (other) show(state, notice);
      })
      .catch(function () { show(state, 'Not saved: the hub did not answer. Try again.', true); });
    pending.push(done);
    return done;
  }

  boxes.forEach(function (box) {
    box.addEventListener('change', function () { save(box, valueOf(box)); });
    box.addEventListener('focus', function () { last = box; });
  });

  document.querySelectorAll('.grading').forEach(function (section) {
    var score = section.querySelector('.score');
    if (!score) return;
    function credit(value) { score.value = String(value); save(score, value); }
    section.querySelector('.full-credit').addEventListener('click', function () { credit(Number(section.getAttribute('data-max'))); });
    section.querySelector('.no-credit').addEventListener('click', function () { credit(0); });
  });

  var flag = document.getElementById('flag');
  function toggleFlag() {
    var flagged = flag.getAttribute('data-flagged') !== 'yes';
    flag.setAttribute('data-flagged', flagged ? 'yes' : 'no');
    flag.textContent = flagged ? 'Unflag' : 'Flag';
    return save(flag, flagged);
  }
  if (flag) flag.addEventListener('click', toggleFlag);

  function select(index) {
    if (boxes.length === 0) return;
    var box = boxes[(index + boxes.length) % boxes.length];
    box.focus();
    if (box.select) box.select();
  }

  /** Saves the box being edited (its change event has not fired yet), waits for every save, then goes. */
  function go(url) {
    if (!url) return;
    var active = document.activeElement;
    if (active && boxes.indexOf(active) >= 0) active.blur();
    var index = last ? boxes.indexOf(last) : 0;
    Promise.all(pending).then(function () {
      window.location.assign(url + '?index=' + Math.max(index, 0));
    });
  }

  // Grading by question: the students are on this page, one entry each.
  var questionMode = root.getAttribute('data-mode') === 'question';
  function moveInPage(step, needing) {
    var entries = Array.prototype.slice.call(document.querySelectorAll('.question-entry'));
    var from = last ? entries.indexOf(last.closest('.question-entry')) : -1;
    var field = last ? last.getAttribute('data-field') : null;
    for (var i = from + step; i >= 0 && i < entries.length; i += step) {
      if (needing && entries[i].getAttribute('data-needs') !== 'yes') continue;
      var box = (field && entries[i].querySelector('.tabbable[data-field="' + field + '"]')) || entries[i].querySelector('.tabbable');
      if (box) { select(boxes.indexOf(box)); return; }
    }
    var onward = root.getAttribute(step < 0 ? 'data-previous' : 'data-next');
    if (onward) goToPage(onward, needing ? 'needing' : step < 0 ? 'last' : 'first', field);
  }
  function goToPage(url, entry, field) {
    var active = document.activeElement;
    if (active && boxes.indexOf(active) >= 0) active.blur();
    Promise.all(pending).then(function () {
      window.location.assign(url + '&entry=' + entry + (field ? '&field=' + encodeURIComponent(field) : ''));
    });
  }
  /** Where a page reached by moving past another's end starts: the same box of the named panel. */
  function landingBox() {
    var query = new URLSearchParams(window.location.search);
    var entry = query.get('entry');
    if (!questionMode || !entry) return null;
    var entries = Array.prototype.slice.call(document.querySelectorAll('.question-entry'));
    if (entry === 'needing') entries = entries.filter(function (e) { return e.getAttribute('data-needs') === 'yes'; }).concat(entries);
    var panel = entry === 'last' ? entries[entries.length - 1] : entries[0];
    if (!panel) return null;
    var field = query.get('field');
    return (field && panel.querySelector('.tabbable[data-field="' + field + '"]')) || panel.querySelector('.tabbable');
  }

  document.addEventListener('keydown', function (e) {
    var inBox = boxes.indexOf(document.activeElement) >= 0;
    if (e.key === 'Tab' && !e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      var at = last ? boxes.indexOf(last) : -1;
      if (!inBox && last) at = e.shiftKey ? at + 1 : at - 1;
      select(e.shiftKey ? at - 1 : at + 1);
    } else if (e.key === 'Escape' && inBox) {
      document.activeElement.blur();
    } else if (e.key === 'Enter' && !inBox && last && document.activeElement === document.body) {
      e.preventDefault();
      select(boxes.indexOf(last));
    } else if (e.ctrlKey && (e.code === 'Period' || e.code === 'Comma') && questionMode) {
      e.preventDefault();
      moveInPage(e.code === 'Comma' ? -1 : 1, e.shiftKey && e.code === 'Period');
    } else if (e.ctrlKey && (e.code === 'Period' || e.code === 'Comma')) {
      e.preventDefault();
      var attribute = e.code === 'Comma' ? 'data-previous' : e.shiftKey ? 'data-next-needing' : 'data-next';
      go(root.getAttribute(attribute));
    } else if (e.ctrlKey && e.shiftKey && e.code === 'KeyF' && flag) {
      e.preventDefault();
      toggleFlag();
    }
  });

  // Others' saves: every few seconds (and when the page comes back into view) the fields' versions
  // are asked for; a field someone else saved since shows their value, or, while it is being
  // edited here, a notice that saving will replace theirs.
  function valueIn(state, cell, field) {
    if (field === 'flag') return state.flagged;
    var c = state.cells.filter(function (x) { return x.gradeId === cell; })[0] || {};
    if (field === 'comment') return c.comment ? c.comment.manualComment : null;
    if (!c.grade) return null;
    return field === 'manual_score' ? c.grade.manualScore : c.grade.extraCredit;
  }
  function refresh() {
    if (questionMode || document.hidden) return;
    fetch(saveUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        state.fields.forEach(function (f) {
          var section = f.cell === '' ? null : document.querySelector('.grading[data-cell="' + CSS.escape(f.cell) + '"]');
          var element = section ? section.querySelector('[data-field="' + f.field + '"]') : f.field === 'flag' ? flag : null;
          if (!element || Number(element.getAttribute('data-version')) >= f.version) return;
          var value = valueIn(state, f.cell, f.field);
          var who = f.editedBy + ' saved ' + f.field.replace('_', ' ') + ' ' + describe(value) + ' at ' +
            String(f.editedAt).replace('T', ' ').slice(0, 19) + ' UTC';
          var notice = section ? section.querySelector('.conflict') : null;
          if (document.activeElement === element) {
            if (notice) { notice.textContent = who + ' while you are editing it: saving yours will replace theirs (theirs stays in the grading history).'; notice.hidden = false; }
            return;
          }
          if (f.field === 'flag') {
            flag.setAttribute('data-flagged', value ? 'yes' : 'no');
            flag.textContent = value ? 'Unflag' : 'Flag';
          } else element.value = value === null ? '' : String(value);
          element.setAttribute('data-version', String(f.version));
          if (notice) { notice.textContent = who + ': the box shows it now.'; notice.hidden = false; }
        });
      })
      .catch(function () { /* the next round asks again */ });
  }
  setInterval(refresh, 5000);
  document.addEventListener('visibilitychange', refresh);

  var index = Number(new URLSearchParams(window.location.search).get('index') || '0');
  var landing = landingBox();
  if (landing) select(boxes.indexOf(landing));
  else if (boxes.length > 0) select(Math.min(Math.max(index, 0), boxes.length - 1));
})();
`;
