/**
 * Progress of one server start, as JupyterHub's `/server/progress` event stream sends it: every
 * event so far is kept, so a page that connects late replays them, and listeners get new ones
 * as they happen. The last event is `ready` or `failed`.
 */

export interface ProgressEvent {
  progress: number;
  message: string;
  ready?: boolean;
  failed?: boolean;
  /** Public URL of the server, on the `ready` event. */
  url?: string;
  html_message?: string;
}

type Listener = (event: ProgressEvent) => void;

export class ProgressLog {
  private readonly events: ProgressEvent[] = [];
  private readonly listeners = new Set<Listener>();

  emit(event: ProgressEvent): void {
    if (this.finished) return;
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
    if (this.finished) this.listeners.clear();
  }

  get finished(): boolean {
    const last = this.events[this.events.length - 1];
    return Boolean(last && (last.ready || last.failed));
  }

  /** Replays what happened so far, then calls `listener` for each new event; returns unsubscribe. */
  subscribe(listener: Listener): () => void {
    for (const event of [...this.events]) listener(event);
    if (this.finished) return () => undefined;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  history(): readonly ProgressEvent[] {
    return this.events;
  }
}
