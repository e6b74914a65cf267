/**
 * An assignment's analytics, for its instructors and graders: the distribution of scores, of each
 * graded cell's score, the autograder tests failed most, and submissions over time against the
 * due date. Charts are server-rendered SVG (./svg-charts.ts), each with its numbers in a table
 * too; nothing here names a student.
 */
import type { HubCourseRow } from '../../exchange/courses/course-service.js';
import type { AnalyticsView, HistogramBin } from '../../hub/courses/gradebook-analytics.js';
import { parseNaiveUtc } from '../../gradebook/timestamps.js';
import type { HubUrls } from '../../hub/urls.js';
import { scoreText } from '../../render/index.js';
import { html, page, type PageUser } from '../layout.js';
import { gradebookUrls } from './gradebook-urls.js';
import { barChartSvg, timelineSvg } from './svg-charts.js';

const binLabel = (bin: HistogramBin, wholePoints: boolean) =>
  wholePoints ? scoreText(bin.from) : `${scoreText(bin.from)}–${scoreText(bin.to)}`;

const naiveMs = (text: string) => parseNaiveUtc(text) / 1000;
const formatMs = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

export function analyticsPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken?: string;
  view: AnalyticsView & { course: HubCourseRow };
}): string {
  const { urls, view } = options;
  const links = gradebookUrls(urls, view.course.name);
  const late = view.timeline.filter((t) => t.late).length;
  const cellCharts = view.cells.map((cell) => {
    const whole = cell.bins.every((b) => b.to - b.from === 1 && Number.isInteger(b.from));
    return html`<figure class="cell-chart" data-notebook="${cell.notebook}" data-cell="${cell.cell}">
      ${barChartSvg({
        title: `${cell.notebook} / ${cell.cell}: scores`,
        desc: `How many of ${cell.graded} submissions scored each ${whole ? 'number of points' : 'range of points'} on ${cell.cell} (out of ${scoreText(cell.maxScore)}).`,
        bars: cell.bins.map((b) => ({ label: binLabel(b, whole), count: b.count })),
        xLabel: `points of ${scoreText(cell.maxScore)}`,
      })}
      <figcaption>${cell.notebook} / ${cell.cell} (${cell.graded} graded, max ${scoreText(cell.maxScore)})</figcaption>
    </figure>`;
  });
  return page({
    urls,
    title: `Analytics of ${view.assignment}`,
    user: options.user,
    csrfToken: options.csrfToken,
    body: html`<p><a href="${links.overview}">← Gradebook</a></p>
      <h1>Analytics of ${view.assignment}</h1>
      <p class="muted">${view.submitted} autograded submissions · ${scoreText(view.maxScore)} points · due ${view.duedate ?? 'whenever'} (UTC)</p>
      <section id="score-distribution">
        <h2>Scores</h2>
        ${barChartSvg({
          title: `${view.assignment}: score distribution`,
          desc: `How many of ${view.submitted} submissions scored in each tenth of ${scoreText(view.maxScore)} points, after late penalties.`,
          bars: view.scores.map((b) => ({ label: binLabel(b, false), count: b.count })),
          xLabel: 'score after late penalty',
        })}
        <table class="bins"><thead><tr><th scope="col">Score</th><th scope="col">Submissions</th></tr></thead>
          <tbody>${view.scores.map((b) => html`<tr><td>${binLabel(b, false)}</td><td>${b.count}</td></tr>`)}</tbody></table>
      </section>
      <section id="failed-tests">
        <h2>Tests failed most</h2>
        ${
          view.failedTests.length === 0
            ? html`<p>Every autograded test passed in full.</p>`
            : html`<table><thead><tr><th scope="col">Notebook / cell</th><th scope="col">0 points</th><th scope="col">Part</th><th scope="col">Full</th></tr></thead>
              <tbody>${view.failedTests.map(
                (t) =>
                  html`<tr class="failed-test" data-cell="${t.cell}"><td>${t.notebook} / ${t.cell} (${scoreText(t.maxScore)})</td><td class="zero">${t.zero}</td><td class="partial">${t.partial}</td><td class="full">${t.full}</td></tr>`,
              )}</tbody></table>`
        }
      </section>
      <section id="timeline">
        <h2>Submissions over time</h2>
        ${
          view.timeline.length === 0
            ? html`<p>No submission has a time stamp.</p>`
            : timelineSvg({
                title: `${view.assignment}: submissions over time`,
                desc: `${view.timeline.length} submissions from ${view.timeline[0]!.timestamp} to ${view.timeline.at(-1)!.timestamp} UTC; ${late} late${view.duedate ? `; due ${view.duedate} UTC` : ''}.`,
                points: view.timeline.map((t) => ({ at: naiveMs(t.timestamp), late: t.late })),
                due: view.duedate === null ? null : naiveMs(view.duedate),
                formatTime: formatMs,
              })
        }
        <p id="late-count" data-late="${late}" data-on-time="${view.timeline.length - late}">${view.timeline.length - late} on time, ${late} late.</p>
      </section>
      <section id="cell-distributions">
        <h2>Scores per graded cell</h2>
        ${cellCharts}
      </section>`,
  });
}
