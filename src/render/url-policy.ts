/**
 * Which addresses a rendered notebook may use. A page built from a student's notebook must make
 * no request to another origin (a tracking pixel tells the student when the grader looked) and
 * no request that does something (`<img src="../../hub/logout">`), so images are limited to
 * `data:` images and plain relative paths of files beside the notebook, and links (followed only
 * when clicked) to http(s), mailto, in-page anchors and the same relative paths.
 */

/**
 * What browsers drop when they read a URL: tabs and newlines anywhere, C0 controls and spaces at
 * either end.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const DROPPED_BY_BROWSERS = /[\t\n\r]|^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;
/** Every control, space and DEL: removed before classifying, which can only make a URL look riskier. */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const CONTROLS_AND_SPACES = /[\u0000-\u0020\u007f]/g;

/** Bitmap and SVG images as base64 `data:` URIs (SVG in an <img> runs no script and loads nothing). */
const DATA_IMAGE = /^data:image\/(?:png|jpeg|jpg|gif|webp|bmp|svg\+xml);base64,[A-Za-z0-9+/]*={0,2}$/i;

export type UrlKind = 'data-image' | 'relative' | 'fragment' | 'web' | 'mailto' | 'other';

/** The URL as a browser reads it (see DROPPED_BY_BROWSERS): what a page keeps. */
export function normaliseUrl(url: string): string {
  return url.replace(DROPPED_BY_BROWSERS, '');
}

function isSafeRelativePath(url: string): boolean {
  // No scheme, not absolute, not protocol-relative; browsers read `\` as `/` in web URLs.
  if (url === '' || /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('/') || url.includes('\\'))
    return false;
  const path = url.replace(/[?#].*$/s, '');
  // `..` (also as %2e%2e, which URL parsers treat the same) would climb out of the notebook's folder.
  return path.split('/').every((segment) => !/^(?:\.|%2e){2}$/i.test(segment));
}

/**
 * Classifies a URL. Controls and spaces are removed first (`java\x0Escript:` counts as
 * `javascript:`), so a URL is never judged safer than a browser would read it.
 */
export function urlKind(address: string): UrlKind {
  const url = address.replace(CONTROLS_AND_SPACES, '');
  if (DATA_IMAGE.test(url)) return 'data-image';
  if (url.startsWith('#')) return 'fragment';
  if (/^https?:\/\//i.test(url)) return 'web';
  if (/^mailto:/i.test(url)) return 'mailto';
  if (isSafeRelativePath(url)) return 'relative';
  return 'other';
}
