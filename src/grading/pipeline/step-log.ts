/** What steps report, as nbgrader logs it (WARNING lines), collected per notebook. */
export interface StepLog {
  warn(message: string): void;
}

export function collectingLog(): StepLog & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (message) => messages.push(message) };
}
