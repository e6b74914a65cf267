/**
 * Terminal text (stream outputs, IPython's coloured tracebacks) -> HTML with ansi_up: the 16
 * colours as `ansi-*` classes (the page's CSS colours them as Jupyter does), 256 and true
 * colours as `style="color:rgb(...)"` (the sanitizer allows colours, nothing else), everything
 * else escaped. Links written with terminal escapes (OSC 8) are not made clickable.
 */
import { AnsiUp } from 'ansi_up';

/** Text with ANSI escapes -> HTML (unsanitized; the caller sanitizes). */
export function ansiToHtml(text: string): string {
  // A fresh converter each time: ansi_up keeps colour state between calls.
  const converter = new AnsiUp();
  converter.use_classes = true;
  return converter.ansi_to_html(text);
}
