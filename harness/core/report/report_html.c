/* report_html.c: report.html, one self-contained page (no network, no other file).
 *
 * What is static HTML (right even without JavaScript, or under a CSP that blocks
 * inline scripts): the run's facts, the count of each outcome (id="count-PASS" ...,
 * id="count-total") and one table row per case (outcome, id, title, time, where,
 * first line of the reason).
 * What the inline script adds: the outcome checkboxes and the text filter, and the
 * expansion of a row into its details and trace (every call with its arguments,
 * return value, last error, fields, expected, verdict and time since the case
 * started). It reads the data island <script type="application/json" id="data">,
 * which is report.json with every '<' written as \u003c (so neither "</script" nor
 * "<!--" can occur in it).
 *
 * Stress runs have their own page with inline SVG plots (stress.html, written by
 * harness/core/stress_report.c). */
#include "psutil.h"
#include "report.h"
#include "report_internal.h"
#include "results.h"
#include <stdlib.h>
#include <string.h>

static const char *const css[] = {
    ":root{--pass:#1a7f37;--fail:#cf222e;--xfail:#8250df;--xpass:#bc4c00;--skip:#6e7781;",
    "--timeout:#9a6700;--error:#82071e;--line:#d0d7de;--muted:#57606a;--bg2:#f6f8fa}\n",
    "*{box-sizing:border-box}[hidden]{display:none!important}\n",
    "body{margin:0 auto;max-width:1500px;padding:16px 24px;color:#1f2328;background:#fff;",
    "font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n",
    "h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:24px 0 8px}",
    "h4{font-size:13px;margin:12px 0 4px;color:var(--muted)}\n",
    "code,pre,td.mono,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"Liberation Mono\",monospace;font-size:12.5px}\n",
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}",
    "dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}\n",
    ".banner{margin:16px 0 8px;padding:10px 14px;border-radius:6px;font-weight:600;border:1px solid}",
    ".banner.ok{background:#dafbe1;border-color:#4ac26b;color:#116329}",
    ".banner.bad{background:#ffebe9;border-color:#ff8182;color:#a40e26}\n",
    "ul.counts{list-style:none;display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:8px 0}",
    "ul.counts li{border:1px solid var(--line);border-radius:6px;padding:6px 10px;background:var(--bg2)}",
    "ul.counts label{cursor:pointer;display:flex;align-items:center;gap:6px}",
    "ul.counts .n{font-weight:700;font-variant-numeric:tabular-nums;font-size:16px}",
    "ul.counts li.zero{opacity:.55}\n",
    "fieldset{border:0;padding:0;margin:0}fieldset[disabled] input{display:none}\n",
    ".tools{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0}",
    ".tools input[type=search]{padding:4px 8px;min-width:260px;border:1px solid var(--line);border-radius:6px}",
    ".tools button{padding:4px 10px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}",
    ".tools button:hover{background:var(--bg2)}#shown{color:var(--muted)}\n",
    ".badge{display:inline-block;min-width:64px;text-align:center;padding:1px 6px;border-radius:4px;",
    "color:#fff;font-size:12px;font-weight:700;letter-spacing:.02em}\n",
    ".o-PASS{--c:var(--pass)}.o-FAIL{--c:var(--fail)}.o-XFAIL{--c:var(--xfail)}.o-XPASS{--c:var(--xpass)}",
    ".o-SKIP{--c:var(--skip)}.o-TIMEOUT{--c:var(--timeout)}.o-ERROR{--c:var(--error)}\n",
    ".badge{background:var(--c)}ul.counts li{border-left:5px solid var(--c,var(--line))}\n",
    "table{border-collapse:collapse;width:100%}",
    "th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid var(--line)}",
    "th{background:var(--bg2);position:sticky;top:0;font-weight:600}\n",
    "table.cases tr.case{border-left:4px solid var(--c)}tr.case td.num,tr.case td.dur{text-align:right;",
    "font-variant-numeric:tabular-nums;white-space:nowrap}tr.case td.where{white-space:nowrap}",
    "tr.case td.id{white-space:nowrap}tr.case .iter{color:var(--muted)}\n",
    "tr.case.bad{background:#fff8f8}tr.case:hover{background:var(--bg2)}\n",
    "html:not(.js) button.toggle{display:none}button.toggle{border:0;background:none;cursor:pointer;padding:0 4px 0 0;font:inherit;color:var(--muted)}",
    "button.toggle::before{content:\"\\25B8\"}button.toggle[aria-expanded=true]::before{content:\"\\25BE\"}\n",
    "tr.detail-row>td{background:#fbfcfd;padding:8px 16px 16px 28px}\n",
    "dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}dl.kv dt{color:var(--muted)}",
    "dl.kv dd{margin:0;white-space:pre-wrap}\n",
    "pre{white-space:pre-wrap;word-break:break-word;margin:0;padding:6px 8px;background:var(--bg2);border-radius:4px}\n",
    ".scroll{overflow-x:auto}table.trace{font-size:12.5px}table.trace td{white-space:pre-wrap}",
    "table.trace td.call{min-width:280px}table.trace td.num{text-align:right;font-variant-numeric:tabular-nums}\n",
    "tr.v-fail td.verdict,tr.v-xpass td.verdict{color:var(--fail);font-weight:700}",
    "tr.v-fail{background:#fff1f0}tr.v-xfail td.verdict{color:var(--xfail);font-weight:700}",
    "tr.v-ok td.verdict{color:var(--pass)}tr.v-skip td.verdict,tr.v-started td.verdict{color:var(--skip)}\n",
    ".muted{color:var(--muted)}.note{margin:6px 0;color:var(--xpass)}\n",
    "footer{margin:32px 0 8px;color:var(--muted);font-size:12px}\n",
    NULL};

/* The script. ES5 plus Array methods, no innerHTML: data only ever reaches the page
 * through textContent. */
static const char *const js[] = {
    "(function () {\n",
    "  'use strict';\n",
    "  var data = JSON.parse(document.getElementById('data').textContent);\n",
    "  var cases = data.cases || [];\n",
    "  var table = document.getElementById('cases');\n",
    "  var rows = Array.prototype.slice.call(table.querySelectorAll('tr.case'));\n",
    "  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-outcome]'));\n",
    "  var search = document.getElementById('search');\n",
    "  var BAD = {FAIL: 1, XPASS: 1, TIMEOUT: 1, ERROR: 1};\n",
    "  function el(tag, cls, text) {\n",
    "    var e = document.createElement(tag);\n",
    "    if (cls) e.className = cls;\n",
    "    if (text !== undefined && text !== null) e.textContent = String(text);\n",
    "    return e;\n",
    "  }\n",
    "  function ms(v) { return typeof v === 'number' ? v.toFixed(3) : ''; }\n",
    "  function show(v) {\n",
    "    if (v === undefined || v === null) return '';\n",
    "    return typeof v === 'object' ? JSON.stringify(v) : String(v);\n",
    "  }\n",
    "  function fieldsText(f) {\n",
    "    if (f === undefined || f === null) return '';\n",
    "    if (typeof f !== 'object') return String(f);\n",
    "    return Object.keys(f).map(function (k) {\n",
    "      return k + '=' + (typeof f[k] === 'string' ? f[k] : JSON.stringify(f[k]));\n",
    "    }).join('\\n');\n",
    "  }\n",
    "  function errorText(t) {\n",
    "    var s = t.error_name ? String(t.error_name) : '';\n",
    "    if (t.error !== undefined && t.error !== null) s += (s ? ' ' : 'error ') + '(' + t.error + ')';\n",
    "    return s;\n",
    "  }\n",
    "  function traceTable(trace) {\n",
    "    var cols = [['t (ms)', 'num', function (t) { return ms(t.t_ms); }],\n",
    "                ['dur (ms)', 'num', function (t) { return ms(t.dur_ms); }],\n",
    "                ['line', 'num', function (t) { return show(t.line); }],\n",
    "                ['actor', '', function (t) { return show(t.actor); }],\n",
    "                ['op', '', function (t) { return show(t.op); }],\n",
    "                ['call', 'call mono', function (t) { return show(t.call); }],\n",
    "                ['return', 'mono', function (t) { return show(t.ret); }],\n",
    "                ['last error', 'mono', errorText],\n",
    "                ['fields', 'mono', function (t) { return fieldsText(t.fields); }],\n",
    "                ['expected', 'mono', function (t) { return show(t.expected); }],\n",
    "                ['verdict', 'verdict', function (t) { return show(t.verdict); }],\n",
    "                ['note', '', function (t) { return show(t.note); }]];\n",
    "    var t = el('table', 'trace'), head = el('tr'), body = el('tbody'), thead = el('thead');\n",
    "    cols.forEach(function (c) { head.appendChild(el('th', null, c[0])); });\n",
    "    thead.appendChild(head);\n",
    "    t.appendChild(thead);\n",
    "    trace.forEach(function (step) {\n",
    "      var tr = el('tr', 'v-' + show(step.verdict));\n",
    "      cols.forEach(function (c) { tr.appendChild(el('td', c[1], c[2](step))); });\n",
    "      body.appendChild(tr);\n",
    "    });\n",
    "    t.appendChild(body);\n",
    "    var wrap = el('div', 'scroll');\n",
    "    wrap.appendChild(t);\n",
    "    return wrap;\n",
    "  }\n",
    "  function details(c) {\n",
    "    var box = el('div', 'detail'), dl = el('dl', 'kv');\n",
    "    function kv(k, v) {\n",
    "      if (v === undefined || v === null || v === '') return;\n",
    "      dl.appendChild(el('dt', null, k));\n",
    "      dl.appendChild(el('dd', null, v));\n",
    "    }\n",
    "    kv('Title', c.title);\n",
    "    kv('Scenario', (c.file || '?') + (c.line ? ':' + c.line : ''));\n",
    "    kv('Reference', c.ref);\n",
    "    kv('Tags', (c.tags || []).join(' '));\n",
    "    kv('Topic', c.topic);\n",
    "    kv('Iteration', c.iteration);\n",
    "    kv('Duration', ms(c.duration_ms) + ' ms');\n",
    "    box.appendChild(dl);\n",
    "    if (c.reason !== null && c.reason !== undefined) {\n",
    "      box.appendChild(el('h4', null, 'Reason'));\n",
    "      box.appendChild(el('pre', 'reason', c.reason));\n",
    "    }\n",
    "    if (c.notes && c.notes.length) { box.appendChild(el('h4', null, 'Notes (advisory differences)')); var nl = el('ul', 'divergences'); c.notes.forEach(function (d) { nl.appendChild(el('li', 'mono', d)); }); box.appendChild(nl); }\n",
    "    if (c.cause) { box.appendChild(el('h4', null, 'Cause')); box.appendChild(el('p', null, c.cause)); }\n",
    "    (c.outputs || []).forEach(function (o) {\n",
    "      box.appendChild(el('h4', null, 'Output of ' + o.actor + ' (exit ' + o.exit + ')'));\n",
    "      box.appendChild(el('pre', 'mono', o.text || '(nothing)'));\n",
    "    });\n",
    "    if (c.divergences && c.divergences.length) {\n",
    "      box.appendChild(el('h4', null, 'Known divergences'));\n",
    "      var ul = el('ul', 'divergences');\n",
    "      c.divergences.forEach(function (d) { ul.appendChild(el('li', 'mono', d)); });\n",
    "      box.appendChild(ul);\n",
    "    }\n",
    "    var trace = c.trace || [];\n",
    "    box.appendChild(el('h4', null, 'Trace (' + trace.length + ' step' + (trace.length === 1 ? '' : 's') + ')'));\n",
    "    if (typeof c.trace_raw === 'string')\n",
    "      box.appendChild(el('p', 'note', 'The trace the case wrote was not valid JSON (cut off?); the steps that parsed are shown, the raw text is below.'));\n",
    "    if (trace.length) box.appendChild(traceTable(trace));\n",
    "    else box.appendChild(el('p', 'muted', 'No steps recorded.'));\n",
    "    if (typeof c.trace_raw === 'string') box.appendChild(el('pre', 'mono', c.trace_raw));\n",
    "    return box;\n",
    "  }\n",
    "  function isOpen(row) { return !!row.detailRow && !row.detailRow.hidden; }\n",
    "  function setOpen(row, open) {\n",
    "    var btn = row.querySelector('button.toggle');\n",
    "    if (open && !row.detailRow) {\n",
    "      var tr = el('tr', 'detail-row'), td = el('td');\n",
    "      td.colSpan = row.cells.length;\n",
    "      td.appendChild(details(cases[Number(row.getAttribute('data-i'))] || {}));\n",
    "      tr.appendChild(td);\n",
    "      row.parentNode.insertBefore(tr, row.nextSibling);\n",
    "      row.detailRow = tr;\n",
    "    }\n",
    "    if (row.detailRow) row.detailRow.hidden = !open || row.hidden;\n",
    "    row.wantOpen = open;\n",
    "    if (btn) btn.setAttribute('aria-expanded', open ? 'true' : 'false');\n",
    "  }\n",
    "  table.addEventListener('click', function (ev) {\n",
    "    var n = ev.target;\n",
    "    while (n && n !== table && !(n.classList && n.classList.contains('case'))) n = n.parentNode;\n",
    "    if (!n || n === table) return;\n",
    "    if (ev.target.tagName !== 'BUTTON' && window.getSelection && String(window.getSelection())) return;\n",
    "    setOpen(n, !isOpen(n));\n",
    "  });\n",
    "  function haystack(c) {\n",
    "    return [c.id, c.title, c.topic, c.file, c.reason, (c.tags || []).join(' ')].join('\\n').toLowerCase();\n",
    "  }\n",
    "  function apply() {\n",
    "    var on = {}, q = search.value.trim().toLowerCase(), shown = 0;\n",
    "    boxes.forEach(function (b) { on[b.getAttribute('data-outcome')] = b.checked; });\n",
    "    rows.forEach(function (row) {\n",
    "      var c = cases[Number(row.getAttribute('data-i'))] || {};\n",
    "      var vis = !!on[row.getAttribute('data-outcome')] && (!q || haystack(c).indexOf(q) >= 0);\n",
    "      row.hidden = !vis;\n",
    "      if (row.detailRow) row.detailRow.hidden = !vis || !row.wantOpen;\n",
    "      if (vis) shown++;\n",
    "    });\n",
    "    document.getElementById('shown').textContent = shown + ' of ' + rows.length + ' shown';\n",
    "  }\n",
    "  function only(pred) {\n",
    "    boxes.forEach(function (b) { b.checked = pred(b.getAttribute('data-outcome')); });\n",
    "    apply();\n",
    "  }\n",
    "  boxes.forEach(function (b) { b.addEventListener('change', apply); });\n",
    "  search.addEventListener('input', apply);\n",
    "  document.getElementById('show-all').addEventListener('click', function () { only(function () { return true; }); });\n",
    "  document.getElementById('show-problems').addEventListener('click', function () { only(function (o) { return !!BAD[o]; }); });\n",
    "  document.getElementById('expand').addEventListener('click', function () {\n",
    "    rows.forEach(function (row) { if (!row.hidden) setOpen(row, true); });\n",
    "  });\n",
    "  document.getElementById('collapse').addEventListener('click', function () {\n",
    "    rows.forEach(function (row) { if (row.detailRow) setOpen(row, false); });\n",
    "  });\n",
    "  document.documentElement.className += ' js';\n",
    "  document.getElementById('filters').disabled = false;\n",
    "  document.getElementById('tools').hidden = false;\n",
    "  var m = /^#case-(\\d+)$/.exec(window.location.hash || '');\n",
    "  if (m) {\n",
    "    var target = document.getElementById('case-' + m[1]);\n",
    "    if (target) setOpen(target, true);\n",
    "  }\n",
    "  apply();\n",
    "})();\n",
    NULL};

static void add_parts(ps_buf *b, const char *const *parts)
{
    for (; *parts; parts++) ps_buf_adds(b, *parts);
}

static void text(ps_buf *b, const char *s) { ps_rep_xml(b, s, 0); }

/* The first line of s, with an ellipsis when there is more. */
static void first_line(ps_buf *b, const char *s)
{
    size_t n;
    char *line;
    if (!s) return;
    n = strcspn(s, "\r\n");
    line = ps_xstrndup(s, n);
    text(b, line);
    free(line);
    if (s[n] && s[n + strspn(s + n, "\r\n")]) ps_buf_adds(b, " \xE2\x80\xA6");
}

static void case_row(ps_buf *b, const ps_result *r, int i)
{
    const char *o = ps_outcome_name(r->outcome);
    ps_buf_printf(b, "<tr class=\"case o-%s%s\" id=\"case-%d\" data-i=\"%d\" data-outcome=\"%s\">", o,
                  ps_outcome_is_bad(r->outcome) ? " bad" : "", i + 1, i, o);
    ps_buf_printf(b, "<td class=\"num\">%d</td><td><span class=\"badge o-%s\">%s</span></td>", i + 1, o, o);
    ps_buf_adds(b, "<td class=\"id mono\"><button type=\"button\" class=\"toggle\" aria-expanded=\"false\" "
                   "title=\"Show details and trace\"></button>");
    text(b, r->id ? r->id : "");
    if (r->iteration > 1) ps_buf_printf(b, " <span class=\"iter\">#%d</span>", r->iteration);
    ps_buf_adds(b, "</td><td class=\"title\">");
    text(b, r->title);
    ps_buf_adds(b, "</td><td class=\"dur\">");
    ps_buf_fixed(b, r->duration_ms, 1);
    ps_buf_adds(b, " ms</td><td class=\"where mono\">");
    text(b, r->file);
    if (r->line > 0) ps_buf_printf(b, ":%d", r->line);
    ps_buf_adds(b, "</td><td class=\"reason\">");
    if (r->reason || r->outcome != PS_XPASS) {
        first_line(b, r->reason);
    } else {
        ps_buf_adds(b, "unexpected pass");
        if (r->divergences && r->divergences[0]) {
            ps_buf_adds(b, ": ");
            first_line(b, r->divergences);
        }
    }
    ps_buf_adds(b, "</td></tr>\n");
}

int ps_report_html(FILE *f, const ps_run *run)
{
    ps_buf b, data;
    int c[PS_OUTCOME_COUNT], i, passed, failed;
    const char *p;
    ps_rep_counts(run, c);
    passed = c[PS_PASS] + c[PS_XFAIL];
    failed = c[PS_FAIL] + c[PS_XPASS] + c[PS_TIMEOUT] + c[PS_ERROR];
    ps_buf_init(&b);
    ps_buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>pipespec: ");
    ps_buf_printf(&b, "%d passed, %d failed, %d skipped", passed, failed, c[PS_SKIP]);
    if (run->platform && run->platform[0]) {
        ps_buf_adds(&b, " \xE2\x80\x94 ");
        text(&b, run->platform);
    }
    ps_buf_adds(&b, "</title>\n<style>\n");
    add_parts(&b, css);
    ps_buf_adds(&b, "</style>\n</head>\n<body>\n<header>\n<h1>pipespec report</h1>\n<dl class=\"meta\">\n");
    ps_buf_adds(&b, "<dt>Platform</dt><dd id=\"platform\">");
    text(&b, run->platform && run->platform[0] ? run->platform : "unknown");
    if (run->pinfo.edition) {
        ps_buf_adds(&b, "</dd>\n<dt>Edition</dt><dd id=\"edition\">");
        text(&b, run->pinfo.edition);
    }
    if (run->pinfo.machine) {
        ps_buf_adds(&b, "</dd>\n<dt>Machine</dt><dd id=\"machine\">");
        text(&b, run->pinfo.machine);
    }
    if (run->shard_n > 0)
        ps_buf_printf(&b, "</dd>\n<dt>Shard</dt><dd id=\"shard\">%d of %d (of %d selected cases)", run->shard_k,
                      run->shard_n, run->selected);
    ps_buf_adds(&b, "</dd>\n<dt>Harness</dt><dd id=\"version\">pipespec ");
    text(&b, run->harness_version ? run->harness_version : "?");
    ps_buf_adds(&b, "</dd>\n<dt>Started</dt><dd id=\"started\">");
    text(&b, run->started ? run->started : "?");
    ps_buf_adds(&b, "</dd>\n<dt>Wall time</dt><dd id=\"wall\">");
    ps_buf_fixed(&b, run->wall_ms, 0);
    ps_buf_printf(&b, " ms</dd>\n<dt>Mode</dt><dd id=\"mode\">%s, %d job%s</dd>\n</dl>\n</header>\n",
                  run->strict ? "strict" : "not strict", run->jobs, run->jobs == 1 ? "" : "s");

    ps_buf_adds(&b, "<section id=\"summary\">\n");
    if (failed)
        ps_buf_printf(&b, "<p class=\"banner bad\" id=\"verdict\">%d of %d cases failed</p>\n", failed, run->ncases);
    else
        ps_buf_printf(&b, "<p class=\"banner ok\" id=\"verdict\">No failures: %d passed, %d skipped</p>\n",
                      passed, c[PS_SKIP]);
    ps_buf_adds(&b, "<fieldset id=\"filters\" disabled>\n<ul class=\"counts\">\n");
    for (i = 0; i < PS_OUTCOME_COUNT; i++) {
        const char *o = ps_outcome_name((ps_outcome)i);
        ps_buf_printf(&b,
                      "<li class=\"o-%s%s\"><label><input type=\"checkbox\" data-outcome=\"%s\" checked>"
                      "<span class=\"badge o-%s\">%s</span> <span class=\"n\" id=\"count-%s\">%d</span></label></li>\n",
                      o, c[i] ? "" : " zero", o, o, o, o, c[i]);
    }
    ps_buf_printf(&b, "<li class=\"total\">total <span class=\"n\" id=\"count-total\">%d</span></li>\n",
                  run->ncases);
    ps_buf_printf(&b, "</ul>\n</fieldset>\n<p class=\"muted\" id=\"closing\">%d passed, %d failed, %d skipped</p>\n"
                      "</section>\n",
                  passed, failed, c[PS_SKIP]);

    ps_buf_adds(&b, "<section>\n<h2>Cases</h2>\n"
                    "<div class=\"tools\" id=\"tools\" hidden>"
                    "<input type=\"search\" id=\"search\" placeholder=\"Filter by id, title, tag, reason\" "
                    "aria-label=\"Filter cases\">"
                    "<button type=\"button\" id=\"show-all\">All outcomes</button>"
                    "<button type=\"button\" id=\"show-problems\">Failures only</button>"
                    "<button type=\"button\" id=\"expand\">Expand shown</button>"
                    "<button type=\"button\" id=\"collapse\">Collapse all</button>"
                    "<span id=\"shown\"></span></div>\n"
                    "<noscript><p class=\"muted\">Filtering and the traces need JavaScript; "
                    "the same data is in report.json.</p></noscript>\n"
                    "<table class=\"cases\" id=\"cases\">\n<thead><tr><th>#</th><th>Outcome</th><th>Case</th>"
                    "<th>Title</th><th>Time</th><th>Scenario</th><th>Reason</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < run->ncases; i++) case_row(&b, &run->cases[i], i);
    ps_buf_adds(&b, "</tbody>\n</table>\n</section>\n");
    ps_buf_adds(&b, "<footer>Generated by pipespec ");
    text(&b, run->harness_version ? run->harness_version : "?");
    ps_buf_adds(&b, ". Also written: report.json, junit.xml, report.tap.</footer>\n");

    /* The data island: report.json with '<' escaped. In valid JSON '<' can only be
     * inside a string, where \u003c means the same; this also covers a trace that a
     * case wrote with a raw '<'. */
    ps_buf_init(&data);
    ps_rep_json_build(&data, run);
    ps_buf_adds(&b, "<script type=\"application/json\" id=\"data\">\n");
    for (p = data.data; *p; p++) {
        if (*p == '<') ps_buf_adds(&b, "\\u003c");
        else ps_buf_addc(&b, *p);
    }
    ps_buf_free(&data);
    ps_buf_adds(&b, "</script>\n<script>\n");
    add_parts(&b, js);
    ps_buf_adds(&b, "</script>\n</body>\n</html>\n");
    return ps_rep_write(f, &b);
}
