/**
 * docs/reference/cli.md, rendered from commander's own help for every command, so the page says
 * exactly what `coursehub X --help` says.
 */
import type { Command } from 'commander';

function fullName(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function* walk(command: Command): Generator<Command> {
  yield command;
  for (const sub of command.commands) yield* walk(sub);
}

export function renderCliReference(program: Command): string {
  const parts = [
    '# CLI reference',
    '',
    "<!-- Generated from the commands' help by `npm run docs:reference`; do not edit by hand. -->",
    '',
    'Every `coursehub` command, with the text `coursehub COMMAND --help` prints.',
    '',
  ];
  for (const command of walk(program)) {
    // commander wraps to the terminal's width; the page must be the same on every machine.
    command.configureHelp({ helpWidth: 100 });
    const help = command.helpInformation({ error: false }).trimEnd();
    parts.push(`## \`${fullName(command)}\``, '', '```text', help, '```', '');
  }
  return parts.join('\n');
}
