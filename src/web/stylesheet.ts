/**
 * The stylesheet of every hub page, served as a file (BASE/hub/static/coursehub.css, see
 * ./assets.ts) rather than in a <style> element, so that the Content-Security-Policy can forbid
 * inline styles (style-src 'self'). Kept as a string: it needs no build step.
 */

/** Where the stylesheet is, under the hub's pages (urls.hub(STYLESHEET_PATH)). */
export const STYLESHEET_PATH = 'static/coursehub.css';

export const STYLESHEET = `*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#f6f8fa}
header{display:flex;align-items:center;gap:1rem;padding:.6rem 1.2rem;background:#24292f;color:#fff}
header a{color:#fff;text-decoration:none}
header .brand{font-weight:600;margin-right:auto}
header form{margin:0}
header button{background:none;border:1px solid #8c959f;color:#fff;padding:.2rem .7rem;border-radius:6px;cursor:pointer}
main{max-width:960px;margin:1.5rem auto;padding:0 1.2rem}
h1{font-size:1.5rem;margin:.2rem 0 1rem}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.2rem;margin-bottom:1rem}
.narrow{max-width:380px;margin:3rem auto}
label{display:block;margin:.6rem 0 .2rem;font-weight:500}
input[type=text],input[type=password],input[type=email],input[type=number],select,textarea{width:100%;padding:.45rem .6rem;border:1px solid #d0d7de;border-radius:6px;font:inherit}
button,.button{display:inline-block;margin-top:.8rem;padding:.45rem 1rem;border:1px solid #1f883d;border-radius:6px;background:#1f883d;color:#fff;font:inherit;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#f6f8fa;color:#24292f;border-color:#d0d7de}
button.danger{background:#cf222e;border-color:#cf222e}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #d0d7de}
.flash{padding:.7rem 1rem;border-radius:6px;margin-bottom:1rem;white-space:pre-line}
.flash.error{background:#ffebe9;border:1px solid #ff818266;color:#82071e}
.flash.info{background:#ddf4ff;border:1px solid #54aeff66;color:#0a3069}
.muted{color:#656d76}

/* Forms that sit in a line of text or a table cell (the admin console, the home page). */
form.inline{display:inline;margin:0 .2rem 0 0}
form.inline button{margin-top:0;padding:.15rem .5rem}
form.filter{display:flex;gap:.5rem;align-items:end;margin-bottom:.8rem}
form.filter label{margin:0}
.pager{display:flex;gap:1rem}

/* The course pages: long checksums and nbgrader's warnings wrap inside their cells. */
.receipts code,.receipts pre,#jobs pre{white-space:pre-wrap;word-break:break-all;margin:0}
`;
