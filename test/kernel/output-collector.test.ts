import { describe, expect, it } from 'vitest';
import { OutputCollector, type DisplayIdMap } from '../../src/kernel/output-collector.js';
import type { JupyterMessage } from '../../src/kernel/wire.js';

function msg(type: string, content: Record<string, unknown>): JupyterMessage {
  return {
    header: { msg_id: 'm', msg_type: type, session: 's', username: 'u', date: '', version: '5.3' },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

describe('OutputCollector', () => {
  it('merges consecutive streams of one name, keeps the order of different ones', () => {
    const c = new OutputCollector(new Map());
    c.handle(msg('stream', { name: 'stdout', text: 'a\n' }));
    c.handle(msg('stream', { name: 'stdout', text: 'b\n' }));
    c.handle(msg('stream', { name: 'stderr', text: 'e\n' }));
    c.handle(msg('stream', { name: 'stdout', text: 'c\n' }));
    expect(c.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'a\nb\n' },
      { output_type: 'stream', name: 'stderr', text: 'e\n' },
      { output_type: 'stream', name: 'stdout', text: 'c\n' },
    ]);
  });

  it('clear_output empties now, or with wait=True just before the next output', () => {
    const c = new OutputCollector(new Map());
    c.handle(msg('stream', { name: 'stdout', text: 'old' }));
    c.handle(msg('clear_output', { wait: true }));
    expect(c.outputs).toHaveLength(1);
    c.handle(msg('stream', { name: 'stdout', text: 'new' }));
    expect(c.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'new' }]);
    c.handle(msg('clear_output', { wait: false }));
    expect(c.outputs).toEqual([]);
  });

  it('update_display_data rewrites outputs with that display_id, also ones from earlier cells', () => {
    const displays: DisplayIdMap = new Map();
    const first = new OutputCollector(displays);
    first.handle(
      msg('display_data', { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd' } }),
    );
    const second = new OutputCollector(displays);
    second.handle(
      msg('update_display_data', {
        data: { 'text/plain': 'v2' },
        metadata: {},
        transient: { display_id: 'd' },
      }),
    );
    expect(second.outputs).toEqual([]);
    expect(first.outputs).toEqual([
      { output_type: 'display_data', data: { 'text/plain': 'v2' }, metadata: {} },
    ]);
  });

  it('records execute_result with its count and error with ename, evalue, traceback', () => {
    const c = new OutputCollector(new Map());
    c.handle(msg('execute_result', { execution_count: 3, data: { 'text/plain': '2' }, metadata: {} }));
    c.handle(msg('error', { ename: 'E', evalue: 'v', traceback: ['t1', 't2'] }));
    expect(c.executionCount).toBe(3);
    expect(c.outputs[1]).toEqual({ output_type: 'error', ename: 'E', evalue: 'v', traceback: ['t1', 't2'] });
  });

  it('stops keeping output past the byte limit and says so once', () => {
    const c = new OutputCollector(new Map(), 1000);
    for (let i = 0; i < 100; i += 1) c.handle(msg('stream', { name: 'stdout', text: 'x'.repeat(99) + '\n' }));
    c.handle(msg('display_data', { data: { 'text/plain': 'late' }, metadata: {} }));
    expect(c.outputs).toHaveLength(2);
    expect(String(c.outputs[0]!.text)).toHaveLength(1000);
    expect(c.outputs[1]).toMatchObject({ output_type: 'stream', name: 'stderr' });
    expect(String(c.outputs[1]!.text)).toMatch(/truncated/);
  });
});
