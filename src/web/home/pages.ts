/**
 * The pages about one's own server: the home page (Start / Stop with a live progress bar), the
 * spawn-pending page, and the page a browser lands on when `/user/NAME/` has no route
 * (JupyterHub's /hub/user/NAME/...), which offers to start the server. A server that stopped on
 * its own (it crashed, or ran out of memory) says so, and why, on both until it is started again.
 */
import type { StoppedServer } from '../../hub/servers/server-manager.js';
import type { HubUrls } from '../../hub/urls.js';
import { csrfField, html, page, type PageUser, type SafeHtml } from '../layout.js';
import { namedServerCard, type NamedServersView } from './named-server-list.js';

export interface ServerView {
  userName: string;
  /** '' = the default server. */
  serverName: string;
  /** 'running' | 'starting' | 'stopping' | 'stopped' */
  phase: 'running' | 'starting' | 'stopping' | 'stopped';
  /** Public path of the server, e.g. /user/alice/ */
  url: string;
  progressUrl: string;
  apiUrl: string;
  started: string | null;
  lastActivity: string | null;
  /** Set when the server stopped on its own and has not been started since. */
  stopped?: StoppedServer | undefined;
}

/** "stopped at 14:03 UTC: it ran out of memory." or "stopped unexpectedly at 14:03 UTC (killed by SIGKILL)." */
export function describeStop(stopped: StoppedServer): string {
  const at = `${stopped.at.replace('T', ' ').slice(0, 16)} UTC`;
  if (stopped.outOfMemory)
    return `stopped at ${at}: it ran out of memory (it used all the memory a server may have here, and the system ended it). Start it again; the notebooks you saved are kept. Use less memory (smaller data, fewer open kernels), or ask your instructor for more.`;
  const how = stopped.message.split('\n')[0];
  return `stopped unexpectedly at ${at} (${how}). Start it again; the notebooks you saved are kept.`;
}

function describePhase(view: ServerView): string {
  const yours = view.serverName ? `Your server '${view.serverName}'` : 'Your server';
  switch (view.phase) {
    case 'running':
      return `${yours} is running${view.started ? ` (since ${view.started.replace('T', ' ').slice(0, 16)} UTC)` : ''}.`;
    case 'starting':
      return `${yours} is starting…`;
    case 'stopping':
      return `${yours} is stopping…`;
    case 'stopped':
      return view.stopped ? `${yours} ${describeStop(view.stopped)}` : `${yours} is not running.`;
  }
}

/** The start/stop block with its progress bar; `next` is where to go once the server is ready. */
function serverControl(
  urls: HubUrls,
  view: ServerView,
  csrfToken: string | undefined,
  next: string,
  startLabel: string,
): SafeHtml {
  const user = view.userName;
  // The hub's pages for this server: /hub/spawn/USER, or /hub/spawn/USER/SERVER for a named one.
  const which = view.serverName ? `${user}/${view.serverName}` : user;
  return html`<div
      id="server-control"
      class="card"
      data-user="${user}"
      data-api="${view.apiUrl}"
      data-progress="${view.progressUrl}"
      data-next="${next}"
      data-pending="${view.phase === 'starting' ? 'spawn' : view.phase === 'stopping' ? 'stop' : ''}"
    >
      <p id="server-status">${describePhase(view)}</p>
      <progress id="progress-bar" max="100" value="0" ${view.phase === 'starting' ? '' : 'hidden'}></progress>
      <p id="progress-message" class="muted" role="status" aria-live="polite"></p>
      ${
        view.phase === 'running'
          ? html`<a class="button" id="open-server" href="${next}">Open my server</a>
              <form id="stop-form" method="post" action="${urls.hub(`stop/${which}`)}" class="inline">
                ${csrfField(csrfToken)}<button type="submit" class="danger" id="stop">Stop my server</button>
              </form>`
          : view.phase === 'stopped'
            ? html`<form
                id="start-form"
                method="post"
                action="${urls.hub(`spawn/${which}`)}?next=${encodeURIComponent(next)}"
              >
                ${csrfField(csrfToken)}<button type="submit" id="start">${startLabel}</button>
              </form>`
            : html``
      }
      <noscript
        ><p class="muted">Without JavaScript, reload this page to see the server's state.</p></noscript
      >
    </div>
    <script src="${urls.hub('home/server.js')}" defer></script>`;
}

/** A course the user has a role in, as the home page lists it. */
export interface HomeCourse {
  name: string;
  title: string;
  role: string;
}

function courseList(urls: HubUrls, courses: readonly HomeCourse[]): SafeHtml {
  if (courses.length === 0) return html``;
  return html`<div class="card" id="courses">
    <h2>Your courses</h2>
    <ul>
      ${courses.map(
        (course) =>
          html`<li>
            <a href="${urls.hub(`courses/${encodeURIComponent(course.name)}`)}" data-course="${course.name}"
              >${course.title}</a
            >
            <span class="muted">(${course.name}, ${course.role})</span>
          </li>`,
      )}
    </ul>
  </div>`;
}

export function homePage(options: {
  urls: HubUrls;
  user: PageUser;
  view: ServerView;
  csrfToken?: string;
  courses?: readonly HomeCourse[];
  /** The user's named servers, when they are on. */
  named?: NamedServersView | undefined;
  flash?: { kind: 'error' | 'info'; text: string };
}): string {
  const { urls, user, view, csrfToken } = options;
  return page({
    urls,
    title: 'Home',
    user,
    csrfToken,
    flash: options.flash,
    body: html`<h1>Welcome, ${user.name}</h1>
      ${serverControl(urls, view, csrfToken, `${view.url}tree`, 'Start my server')}
      ${options.named ? namedServerCard(urls, user.name, options.named, csrfToken) : html``}
      ${courseList(urls, options.courses ?? [])}`,
  });
}

/** Where a browser lands for a missing route: start (own server) or wait (already starting). */
export function serverNotRunningPage(options: {
  urls: HubUrls;
  user: PageUser;
  view: ServerView;
  next: string;
  csrfToken?: string;
  flash?: { kind: 'error' | 'info'; text: string };
}): string {
  const { urls, user, view, csrfToken, next } = options;
  const own = user.name === view.userName;
  const named = view.serverName ? ` '${view.serverName}'` : '';
  const whose = own ? `Your server${named}` : `${view.userName}'s server${named}`;
  const stopped = view.phase === 'stopped' && view.stopped;
  return page({
    urls,
    title: stopped ? 'Server stopped' : 'Server not running',
    user,
    csrfToken,
    flash: options.flash,
    body: html`<h1>${stopped ? `${whose} stopped` : `${whose} is not running`}</h1>
      <p>
        You asked for <code>${next}</code>.
        ${view.phase === 'stopped' ? 'Would you like to start the server?' : ''}
      </p>
      ${serverControl(urls, view, csrfToken, next, own ? 'Start my server' : `Start ${view.userName}'s server`)}`,
  });
}

export function spawnPendingPage(options: {
  urls: HubUrls;
  user: PageUser;
  view: ServerView;
  next: string;
  csrfToken?: string;
}): string {
  const { urls, user, view, csrfToken, next } = options;
  const whose = user.name === view.userName ? 'your' : `${view.userName}'s`;
  return page({
    urls,
    title: 'Starting server',
    user,
    csrfToken,
    body: html`<h1>Starting ${whose} server${view.serverName ? ` '${view.serverName}'` : ''}</h1>
      ${serverControl(urls, view, csrfToken, next, 'Start again')}`,
  });
}

/** A refusal or error with a way back home, and no server controls. */
export function serverErrorPage(options: {
  urls: HubUrls;
  user: PageUser;
  text: string;
  csrfToken?: string;
}): string {
  return page({
    urls: options.urls,
    title: 'Not possible',
    user: options.user,
    csrfToken: options.csrfToken,
    flash: { kind: 'error', text: options.text },
    body: html`<p><a href="${options.urls.hub('home')}">Go to your home page</a></p>`,
  });
}
