/** What `coursehub nbgrader autograde` prints: a progress line on a terminal and a summary table. */
import type {
  AutogradeProgress,
  AutogradeRunResult,
  StudentOutcome,
} from '../../gradebook/autograde/autograde-assignment.js';

/** "3/10 done, 1 failed, about 42 s left", redrawn in place on a TTY. */
export function progressPrinter(stream: NodeJS.WriteStream): (progress: AutogradeProgress) => void {
  if (!stream.isTTY) return () => undefined;
  return ({ done, total, failed, elapsedMs }) => {
    const left = done > 0 && done < total ? Math.round(((elapsedMs / done) * (total - done)) / 1000) : null;
    const text = `autograde: ${done}/${total} done, ${failed} failed${left === null ? '' : `, about ${left} s left`}`;
    stream.write(`\r\u001b[2K${text}${done === total ? '\n' : ''}`);
  };
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - text.length));

export function summaryTable(outcomes: StudentOutcome[]): string {
  const rows = outcomes.map((o) => [
    o.student,
    o.status,
    o.score === null ? '' : `${o.score} / ${o.maxScore}`,
    `${o.seconds.toFixed(1)} s`,
    o.message?.split('\n')[0] ?? '',
  ]);
  const header = ['student', 'status', 'score', 'time', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function jsonReport(assignment: string, result: AutogradeRunResult): string {
  return JSON.stringify(
    {
      assignment,
      isolation: result.isolation,
      aborted: result.aborted,
      students: result.outcomes.map((o) => ({
        id: o.student,
        status: o.status,
        score: o.score,
        maxScore: o.maxScore,
        seconds: o.seconds,
        ...(o.message ? { message: o.message } : {}),
      })),
    },
    null,
    2,
  );
}
