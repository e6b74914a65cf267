/**
 * Turns one execution's IOPub messages into nbformat outputs, as nbclient does: stream, display_data,
 * execute_result and error become outputs; clear_output empties them (or, with wait=True, empties
 * them just before the next output arrives); update_display_data rewrites earlier outputs that
 * carry the same display_id. Consecutive stream outputs of one name are merged into one, as
 * nbclient >= 0.8 and JupyterLab do, so a loop of prints is one output rather than thousands.
 *
 * Output size is capped: past `maxOutputBytes` further output is dropped and a single stderr
 * notice says so, so a cell printing 100 MB cannot exhaust the grader's memory.
 */
import type { JsonObject, MimeBundle, Output, StreamOutput } from '../notebook/types.js';
import type { JupyterMessage } from './wire.js';

export const DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024;

/**
 * display_id -> output objects showing it. It lives on the session, not the cell: a later cell's
 * update_display_data changes an earlier cell's output objects in place, like nbclient's map.
 */
export type DisplayIdMap = Map<string, Array<{ data: MimeBundle; metadata: JsonObject }>>;

export class OutputCollector {
  readonly outputs: Output[] = [];
  executionCount: number | null = null;
  private clearBeforeNextOutput = false;
  private bytes = 0;
  private truncated = false;
  private lostNoted = false;

  constructor(
    private readonly displays: DisplayIdMap,
    private readonly maxOutputBytes: number = DEFAULT_MAX_OUTPUT_BYTES,
  ) {}

  /** Feeds one IOPub message that belongs to this execution. */
  handle(message: JupyterMessage): void {
    const content = message.content;
    const type = message.header.msg_type;
    if (typeof content.execution_count === 'number') this.executionCount = content.execution_count;
    const displayId = (content.transient as { display_id?: unknown } | undefined)?.display_id;
    if (
      typeof displayId === 'string' &&
      ['display_data', 'execute_result', 'update_display_data'].includes(type)
    )
      this.updateDisplay(displayId, content);

    switch (type) {
      case 'clear_output':
        if (content.wait) this.clearBeforeNextOutput = true;
        else this.clear();
        return;
      case 'stream':
        this.addStream(content.name === 'stderr' ? 'stderr' : 'stdout', String(content.text ?? ''));
        return;
      case 'display_data':
        this.add(
          { output_type: 'display_data', data: bundle(content.data), metadata: object(content.metadata) },
          displayId,
        );
        return;
      case 'execute_result':
        this.add(
          {
            output_type: 'execute_result',
            execution_count: typeof content.execution_count === 'number' ? content.execution_count : null,
            data: bundle(content.data),
            metadata: object(content.metadata),
          },
          displayId,
        );
        return;
      case 'error':
        this.add({
          output_type: 'error',
          ename: String(content.ename ?? ''),
          evalue: String(content.evalue ?? ''),
          traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
        });
        return;
      default:
        // status, execute_input, comm_* and update_display_data (handled above) add no output.
        return;
    }
  }

  /** Output was lost in transit (an oversized message); say so in the cell, once. */
  noteLostOutput(limitBytes: number): void {
    if (this.lostNoted) return;
    this.lostNoted = true;
    this.outputs.push({
      output_type: 'stream',
      name: 'stderr',
      text: `\n... output dropped: one output message was larger than ${limitBytes} bytes ...\n`,
    });
  }

  private clear(): void {
    this.outputs.length = 0;
    this.bytes = 0;
    this.truncated = false;
  }

  private applyPendingClear(): void {
    if (!this.clearBeforeNextOutput) return;
    this.clearBeforeNextOutput = false;
    this.clear();
  }

  private updateDisplay(displayId: string, content: Record<string, unknown>): void {
    for (const output of this.displays.get(displayId) ?? []) {
      output.data = bundle(content.data);
      output.metadata = object(content.metadata);
    }
  }

  /** Accounts for `size` more bytes; false (and a one-time notice) once over the limit. */
  private admit(size: number): boolean {
    if (this.truncated) return false;
    if (this.bytes + size <= this.maxOutputBytes) {
      this.bytes += size;
      return true;
    }
    this.truncated = true;
    this.outputs.push({
      output_type: 'stream',
      name: 'stderr',
      text: `\n... output truncated: this cell printed more than ${this.maxOutputBytes} bytes ...\n`,
    });
    return false;
  }

  private addStream(name: 'stdout' | 'stderr', text: string): void {
    this.applyPendingClear();
    let kept = text;
    const room = this.maxOutputBytes - this.bytes;
    if (!this.truncated && Buffer.byteLength(text) > room) {
      // Keep what fits (by characters; close enough to bytes for a safety net) then the notice.
      kept = text.slice(0, Math.max(0, room));
      if (kept) this.appendStream(name, kept);
      this.bytes = this.maxOutputBytes;
      this.admit(1);
      return;
    }
    if (!this.admit(Buffer.byteLength(kept))) return;
    this.appendStream(name, kept);
  }

  private appendStream(name: 'stdout' | 'stderr', text: string): void {
    const last = this.outputs[this.outputs.length - 1];
    if (last && last.output_type === 'stream' && last.name === name) {
      (last as StreamOutput).text = String(last.text) + text;
    } else {
      this.outputs.push({ output_type: 'stream', name, text });
    }
  }

  private add(output: Output, displayId?: unknown): void {
    this.applyPendingClear();
    if (!this.admit(Buffer.byteLength(JSON.stringify(output)))) return;
    this.outputs.push(output);
    if (
      typeof displayId === 'string' &&
      (output.output_type === 'display_data' || output.output_type === 'execute_result')
    ) {
      const list = this.displays.get(displayId) ?? [];
      list.push(output as { data: MimeBundle; metadata: JsonObject });
      this.displays.set(displayId, list);
    }
  }
}

function bundle(value: unknown): MimeBundle {
  return value && typeof value === 'object' ? (value as MimeBundle) : {};
}

function object(value: unknown): JsonObject {
  return value && typeof value === 'object' ? (value as JsonObject) : {};
}
