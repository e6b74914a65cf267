/**
 * The part of Jinja2 that autotests.yml templates use: `{{ name }}` replaced by a value, in one
 * pass (a value that itself contains `{{snippet}}` is not rendered again), and Jinja's default of
 * dropping one trailing newline. Why hand-written: a full Jinja port would be a large dependency
 * for plain substitution; a template using anything more (blocks, filters) is refused clearly.
 */
import { GenerateError } from '../errors.js';

export function renderTemplate(template: string, values: Record<string, string>): string {
  if (/\{%|\{#/.test(template))
    throw new GenerateError(
      `autotests.yml template uses Jinja blocks or comments, which coursehub does not support: ${template}`,
    );
  const rendered = template.replace(/\{\{\s*([A-Za-z_]\w*)\s*\}\}/g, (whole, name: string) => {
    if (!(name in values))
      throw new GenerateError(`autotests.yml template uses an unknown variable {{${name}}}: ${template}`);
    return values[name]!;
  });
  return rendered.endsWith('\n') ? rendered.slice(0, -1) : rendered;
}
