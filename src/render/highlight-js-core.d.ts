// highlight.js's package types `highlight.js` (every language, ~0.3 s to load) and its languages,
// but not `highlight.js/lib/core` (the same API with no language registered), which we use.
declare module 'highlight.js/lib/core' {
  import type { HLJSApi } from 'highlight.js';
  const hljs: HLJSApi;
  export default hljs;
}
