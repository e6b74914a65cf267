/** Small checks of JSON request bodies, each failing with a 400 that says what was expected. */
import { ApiError } from './api-error.js';

export function objectBody(body: unknown, optional = false): Record<string, unknown> {
  if ((body === undefined || body === null || body === '') && optional) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

export function stringList(value: unknown, field: string, optional = false): string[] {
  if (value === undefined && optional) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new ApiError(400, `"${field}" must be a list of strings.`);
  return value as string[];
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new ApiError(400, `"${field}" must be true or false.`);
  return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError(400, `"${field}" must be a string.`);
  return value;
}
