/**
 * The one sanitizer every piece of HTML rendered from a notebook passes through before it reaches
 * a browser: a student's markdown and its embedded HTML, `text/html` outputs, highlighted code,
 * tracebacks, math, a grader's comments, and the feedback page's body as a whole. One strict
 * allowlist policy, no per-caller variants: callers may only map addresses (a cell attachment to
 * a `data:` URI, a relative file to where it is served), and the mapped address is checked again.
 *
 * Why sanitize-html (over DOMPurify + jsdom): it runs on the server without a DOM emulation, and
 * it never hands the browser markup it did not produce itself. It parses with htmlparser2, keeps
 * only allowlisted elements, attributes, classes, style properties and URL schemes, and
 * re-serializes every text node and attribute value escaped. So even where htmlparser2 and a
 * browser disagree about a tree (the mutation-XSS tricks with `<math>`, `<svg>`, `<noscript>`,
 * `<style>` inside foreign content), no text can turn into a tag: at worst allowlisted elements
 * nest differently. DOMPurify is as strict, but on the server it needs jsdom: a large dependency,
 * its own parser to keep in step with browsers, and about nine times slower (a 690-cell notebook's
 * 342 kB of HTML: 1.5 s against 0.16 s); the formgrader renders whole notebooks on page views.
 *
 * The policy: no script, no event handlers, no `style` elements and only colour, weight, slant,
 * underline and alignment in `style` attributes (ANSI colours, markdown tables), no iframe /
 * object / embed / form / input / base / meta / link / svg, only the classes the renderer itself
 * uses, links to http(s), mailto, anchors and files beside the notebook (opened in a new tab,
 * rel="noopener noreferrer nofollow"), images only as `data:` images or files beside the notebook
 * (anything else becomes a visible "[image not shown: ...]" note, so nothing is fetched from
 * another origin), and MathML without `href`, `maction`, `mglyph` or `annotation-xml`.
 */
import sanitize from 'sanitize-html';
import { normaliseUrl, urlKind, type UrlKind } from './url-policy.js';

declare const sanitized: unique symbol;
/** HTML that went through `sanitizeHtml`: safe to insert into a page as it is. */
export type SanitizedHtml = string & { readonly [sanitized]: true };

export interface SanitizeOptions {
  /**
   * Maps an image's address before the policy sees it, e.g. `attachment:NAME` to a `data:` URI.
   * Return undefined to leave it as it is. The result is checked like any other address.
   */
  rewriteImage?: (src: string) => string | undefined;
  /**
   * Maps a relative path (a file beside the notebook, like `jupyter.png`) to the address a page
   * uses for it, or null to drop it. Default: kept as it is (right for a feedback page that sits
   * beside its files). Paths with `..`, absolute paths and other schemes never get here.
   */
  relativeUrl?: (path: string) => string | null;
}

// prettier-ignore
const HTML_TAGS = [
  'a', 'abbr', 'article', 'aside', 'b', 'bdi', 'bdo', 'blockquote', 'br', 'caption', 'cite',
  'code', 'col', 'colgroup', 'dd', 'del', 'details', 'dfn', 'div', 'dl', 'dt', 'em', 'figcaption',
  'figure', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'i', 'img', 'ins', 'kbd',
  'li', 'main', 'mark', 'nav', 'ol', 'p', 'pre', 'q', 'rp', 'rt', 'ruby', 's', 'samp', 'section',
  'small', 'span', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th',
  'thead', 'time', 'tr', 'u', 'ul', 'var', 'wbr',
];

/** MathML Core presentation elements, as KaTeX writes them. */
// prettier-ignore
const MATHML_TAGS = [
  'math', 'semantics', 'annotation', 'mrow', 'mi', 'mn', 'mo', 'ms', 'mtext', 'mspace', 'msqrt',
  'mroot', 'mfrac', 'msub', 'msup', 'msubsup', 'munder', 'mover', 'munderover', 'mmultiscripts',
  'mprescripts', 'none', 'mtable', 'mtr', 'mtd', 'mlabeledtr', 'mstyle', 'mpadded', 'mphantom',
  'menclose', 'merror',
];

const MATH_VARIANT = ['mathvariant'];
const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': ['class', 'id', 'title', 'lang', 'dir', 'style'],
  a: ['href', 'rel', 'target'],
  img: ['src', 'alt', 'width', 'height'],
  td: ['colspan', 'rowspan'],
  th: ['colspan', 'rowspan', 'scope'],
  ol: ['start', 'type'],
  li: ['value'],
  math: ['display'],
  mi: MATH_VARIANT,
  mn: MATH_VARIANT,
  ms: MATH_VARIANT,
  mtext: MATH_VARIANT,
  // prettier-ignore
  mo: [
    ...MATH_VARIANT,
    'stretchy', 'fence', 'separator', 'lspace', 'rspace', 'minsize', 'maxsize', 'symmetric',
    'largeop', 'movablelimits', 'form', 'accent',
  ],
  mspace: ['width', 'height', 'depth'],
  mfrac: ['linethickness'],
  munder: ['accentunder'],
  mover: ['accent'],
  munderover: ['accent', 'accentunder'],
  mtable: ['rowspacing', 'columnspacing', 'columnalign', 'rowlines', 'columnlines', 'frame', 'framespacing'],
  mtr: ['columnalign', 'rowalign'],
  mtd: ['columnalign', 'rowalign', 'columnspan', 'rowspan'],
  mstyle: ['mathcolor', 'scriptlevel', 'displaystyle', 'mathsize'],
  mpadded: ['width', 'height', 'depth', 'lspace', 'voffset'],
  menclose: ['notation'],
  annotation: ['encoding'],
};

const COLOR = [
  /^#[0-9a-f]{3,8}$/i,
  /^rgba?\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*(?:,\s*(?:0|1|0?\.\d+)\s*)?\)$/i,
  /^[a-z]{3,20}$/i,
];

/** Every style property allowed anywhere: none of them can move, size or hide a box. */
const ALLOWED_STYLES = {
  '*': {
    color: COLOR,
    'background-color': COLOR,
    'font-weight': [/^(?:bold|normal|[1-9]00)$/],
    'font-style': [/^(?:italic|normal)$/],
    'text-decoration': [/^(?:underline|line-through|none)$/],
    'text-align': [/^(?:left|right|center|justify)$/],
  },
};

/** The renderer's own classes (its CSS styles nothing out of its cell), highlight.js's, ANSI's, KaTeX's. */
const ALLOWED_CLASSES = ['nb-*', 'hljs*', 'language-*', 'ansi-*', 'katex*', 'mtr-glue', 'mml-eqn-num'];

/** Elements whose text is dropped with them (never shown as text either). */
// prettier-ignore
const NON_TEXT_TAGS = [
  'script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'noembed', 'noframes', 'iframe',
  'template', 'title', 'object', 'embed', 'select', 'plaintext',
];

const SAFE_ID = /^[A-Za-z][\w:.-]{0,127}$/;
const SIZE = /^\d{1,5}(?:px|%)?$/;
const LINK_REL = 'noopener noreferrer nofollow';

type Attributes = sanitize.Attributes;

function link(attribs: Attributes, options: SanitizeOptions): Attributes {
  const { href, ...rest } = attribs;
  delete rest.rel;
  delete rest.target;
  if (href === undefined) return rest;
  const url = normaliseUrl(href);
  switch (urlKind(url)) {
    case 'fragment':
      return { ...rest, href: url };
    case 'web':
    case 'mailto':
      return { ...rest, href: url, rel: LINK_REL, target: '_blank' };
    case 'relative': {
      const mapped = options.relativeUrl ? options.relativeUrl(url) : url;
      return mapped === null ? rest : { ...rest, href: mapped, rel: LINK_REL, target: '_blank' };
    }
    default:
      return rest;
  }
}

const WHY_NOT_SHOWN: Partial<Record<UrlKind, string>> = {
  web: 'it is on another site',
  relative: 'no such file beside the notebook',
};

function image(attribs: Attributes, options: SanitizeOptions): sanitize.Tag {
  const { src, alt, width, height, ...rest } = attribs;
  const raw = src === undefined ? '' : normaliseUrl(src);
  const url = options.rewriteImage?.(raw) ?? raw;
  const kind = urlKind(url);
  let mapped: string | null = null;
  if (kind === 'data-image') mapped = url;
  else if (kind === 'relative') mapped = options.relativeUrl ? options.relativeUrl(url) : url;
  if (mapped === null || mapped === '') {
    // Shown, not fetched: the reader sees that an image was left out and why.
    return {
      tagName: 'span',
      attribs: { class: 'nb-blocked-image' },
      text: `[image not shown: ${alt || WHY_NOT_SHOWN[kind] || 'unsupported address'}]`,
    };
  }
  const kept: Attributes = { ...rest, src: mapped };
  if (alt !== undefined) kept.alt = alt;
  if (width !== undefined && SIZE.test(width)) kept.width = width;
  if (height !== undefined && SIZE.test(height)) kept.height = height;
  return { tagName: 'img', attribs: kept };
}

/**
 * Per-tag checks (sanitize-html runs a tag's own transform, then the `*` one on the result; only a
 * tag's own transform may replace its text, as the blocked-image note does).
 */
function transforms(options: SanitizeOptions): Record<string, sanitize.Transformer> {
  return {
    a: (tagName, attribs) => ({ tagName, attribs: link(attribs, options) }),
    img: (_, attribs) => image(attribs, options),
    mstyle: (tagName, attribs) => {
      const { mathcolor, ...rest } = attribs;
      return {
        tagName,
        attribs: mathcolor && COLOR.some((c) => c.test(mathcolor)) ? { ...rest, mathcolor } : rest,
      };
    },
    '*': (tagName, attribs) => {
      const { id, ...rest } = attribs;
      return { tagName, attribs: id !== undefined && SAFE_ID.test(id) ? { ...rest, id } : rest };
    },
  };
}

/** Sanitizes HTML with the one policy (see the module comment). */
export function sanitizeHtml(html: string, options: SanitizeOptions = {}): SanitizedHtml {
  return sanitize(html, {
    allowedTags: [...HTML_TAGS, ...MATHML_TAGS],
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedClasses: { '*': ALLOWED_CLASSES },
    allowedStyles: ALLOWED_STYLES,
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['data'] },
    allowProtocolRelative: false,
    allowVulnerableTags: false,
    disallowedTagsMode: 'discard',
    nonTextTags: NON_TEXT_TAGS,
    nestingLimit: 256,
    transformTags: transforms(options),
  }) as SanitizedHtml;
}
