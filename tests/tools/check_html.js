#!/usr/bin/env node
// check_html.js: check a pipespec report.html without a browser (node only, no modules).
//
//   node check_html.js report.html
//
// - the page is balanced HTML and self-contained: no src/href attribute, no url(),
//   @import or @font-face in its style, no script other than the data island and the
//   inline script;
// - the data island <script type="application/json" id="data"> parses, holds no '<',
//   and its summary agrees with the static counts (id="count-PASS" ..., count-total)
//   and with the static case rows;
// - the inline script runs against a small DOM built from the page without throwing
//   or logging an error, and its controls work: every row expands to a trace table
//   with one row per trace step, the outcome checkboxes, "Failures only", the text
//   filter, "Expand shown" and "Collapse all".
// Exit status 0 when all hold; 1 with the reasons otherwise; 2 on usage errors.
'use strict';
const fs = require('fs');
const vm = require('vm');

const problems = [];
function fail(msg) { problems.push(msg); }
function check(cond, msg) { if (!cond) fail(msg); return cond; }

// ---------------------------------------------------------------- a small DOM
const VOID = new Set(['meta', 'input', 'br', 'hr', 'img', 'link', 'col', 'wbr']);
const RAW = new Set(['script', 'style']);

class Node {
  constructor(tag, doc) {
    this.tagName = tag ? tag.toUpperCase() : undefined;
    this.nodeType = tag ? 1 : 3;
    this.ownerDocument = doc;
    this.childNodes = [];
    this.parentNode = null;
    this.attrs = new Map();
    this.listeners = {};
    this.data = '';
    this.props = {};
  }
  get children() { return this.childNodes.filter((n) => n.nodeType === 1); }
  get cells() { return this.children.filter((n) => n.tagName === 'TD' || n.tagName === 'TH'); }
  get nextSibling() {
    if (!this.parentNode) return null;
    const sib = this.parentNode.childNodes;
    return sib[sib.indexOf(this) + 1] || null;
  }
  get textContent() {
    if (this.nodeType === 3) return this.data;
    return this.childNodes.map((n) => n.textContent).join('');
  }
  set textContent(v) {
    this.childNodes.forEach((n) => { n.parentNode = null; });
    this.childNodes = [];
    const t = new Node(null, this.ownerDocument);
    t.data = String(v);
    this.appendChild(t);
  }
  set innerHTML(v) { throw new Error('innerHTML used: data must go through textContent'); }
  getAttribute(n) { return this.attrs.has(n) ? this.attrs.get(n) : null; }
  setAttribute(n, v) { this.attrs.set(n, String(v)); }
  removeAttribute(n) { this.attrs.delete(n); }
  hasAttribute(n) { return this.attrs.has(n); }
  get id() { return this.getAttribute('id') || ''; }
  get className() { return this.getAttribute('class') || ''; }
  set className(v) { this.setAttribute('class', v); }
  get classList() {
    const self = this;
    const list = () => self.className.split(/\s+/).filter(Boolean);
    const cl = {
      contains: (c) => list().includes(c),
      add: (c) => { if (!list().includes(c)) self.className = list().concat([c]).join(' '); },
      remove: (c) => { self.className = list().filter((x) => x !== c).join(' '); },
      toggle: (c, f) => {
        const on = f === undefined ? !list().includes(c) : !!f;
        if (on) cl.add(c); else cl.remove(c);
        return on;
      },
    };
    return cl;
  }
  get hidden() { return this.hasAttribute('hidden'); }
  set hidden(v) { if (v) this.setAttribute('hidden', ''); else this.removeAttribute('hidden'); }
  get disabled() { return this.hasAttribute('disabled'); }
  set disabled(v) { if (v) this.setAttribute('disabled', ''); else this.removeAttribute('disabled'); }
  get checked() { return 'checked' in this.props ? this.props.checked : this.hasAttribute('checked'); }
  set checked(v) { this.props.checked = !!v; }
  get value() { return 'value' in this.props ? this.props.value : (this.getAttribute('value') || ''); }
  set value(v) { this.props.value = String(v); }
  get colSpan() { return Number(this.getAttribute('colspan') || 1); }
  set colSpan(v) { this.setAttribute('colspan', String(v)); }
  appendChild(n) { return this.insertBefore(n, null); }
  insertBefore(n, ref) {
    if (n.parentNode) n.parentNode.childNodes.splice(n.parentNode.childNodes.indexOf(n), 1);
    const i = ref ? this.childNodes.indexOf(ref) : -1;
    if (ref && i < 0) throw new Error('insertBefore: reference is not a child');
    if (i < 0) this.childNodes.push(n); else this.childNodes.splice(i, 0, n);
    n.parentNode = this;
    return n;
  }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  descendants() {
    const out = [];
    const walk = (n) => n.children.forEach((c) => { out.push(c); walk(c); });
    walk(this);
    return out;
  }
  matches(sel) { // "tag", ".cls", "tag.cls", "tag[attr]", "#id"
    const m = /^([a-z0-9-]*)((?:\.[\w-]+)*)(?:\[([\w-]+)\])?(?:#([\w-]+))?$/i.exec(sel.trim());
    if (!m) throw new Error('selector not supported by check_html.js: ' + sel);
    if (this.nodeType !== 1) return false;
    if (m[1] && this.tagName !== m[1].toUpperCase()) return false;
    if (m[2] && !m[2].split('.').filter(Boolean).every((c) => this.classList.contains(c))) return false;
    if (m[3] && !this.hasAttribute(m[3])) return false;
    if (m[4] && this.id !== m[4]) return false;
    return true;
  }
  // Compound selectors joined by the descendant combinator ("table.trace tbody tr").
  matchesChain(parts) {
    if (!this.matches(parts[parts.length - 1])) return false;
    let i = parts.length - 2;
    for (let n = this.parentNode; n && i >= 0; n = n.parentNode) if (n.nodeType === 1 && n.matches(parts[i])) i--;
    return i < 0;
  }
  querySelectorAll(sel) {
    const parts = sel.trim().split(/\s+/);
    return this.descendants().filter((n) => n.matchesChain(parts));
  }
  querySelector(sel) { return this.querySelectorAll(sel)[0] || null; }
  // Dispatch with bubbling from this node up to the document.
  dispatch(type, extra) {
    const ev = Object.assign({ type, target: this, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } }, extra || {});
    for (let n = this; n; n = n.parentNode) (n.listeners[type] || []).forEach((fn) => fn.call(n, ev));
    return ev;
  }
  click() { return this.dispatch('click'); }
}

function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|nbsp);/gi, (all, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }[e.toLowerCase()];
  });
}

function parseHTML(html) {
  const doc = new Node('#document', null);
  doc.ownerDocument = doc;
  const stack = [doc];
  let pos = 0;
  const tagRe = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/y;
  const attrRe = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  const top = () => stack[stack.length - 1];
  const addText = (t) => {
    if (!t) return;
    const n = new Node(null, doc);
    n.data = decodeEntities(t);
    top().appendChild(n);
  };
  while (pos < html.length) {
    const lt = html.indexOf('<', pos);
    if (lt < 0) { addText(html.slice(pos)); break; }
    addText(html.slice(pos, lt));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt);
      if (end < 0) { fail('unterminated comment'); break; }
      pos = end + 3;
      continue;
    }
    if (/^<!doctype/i.test(html.slice(lt, lt + 9))) { pos = html.indexOf('>', lt) + 1; continue; }
    tagRe.lastIndex = lt;
    const m = tagRe.exec(html);
    if (!m) { fail('stray "<" at offset ' + lt + ': ' + JSON.stringify(html.slice(lt, lt + 40))); addText('<'); pos = lt + 1; continue; }
    pos = tagRe.lastIndex;
    const name = m[2].toLowerCase();
    if (m[1]) {
      if (top().tagName !== name.toUpperCase()) {
        fail('</' + name + '> closes <' + String(top().tagName).toLowerCase() + '> at offset ' + lt);
        return doc;
      }
      stack.pop();
      continue;
    }
    const el = new Node(name, doc);
    let a;
    attrRe.lastIndex = 0;
    while ((a = attrRe.exec(m[3]))) {
      const v = a[2] !== undefined ? a[2] : a[3] !== undefined ? a[3] : a[4] !== undefined ? a[4] : '';
      el.setAttribute(a[1].toLowerCase(), decodeEntities(v));
    }
    top().appendChild(el);
    if (VOID.has(name) || m[4]) continue;
    if (RAW.has(name)) {
      const end = html.toLowerCase().indexOf('</' + name, pos);
      if (end < 0) { fail('unterminated <' + name + '>'); break; }
      const t = new Node(null, doc);
      t.data = html.slice(pos, end);
      el.appendChild(t);
      pos = html.indexOf('>', end) + 1;
      continue;
    }
    stack.push(el);
  }
  if (stack.length !== 1) fail('unclosed elements at end: ' + stack.slice(1).map((n) => n.tagName.toLowerCase()).join(' > '));
  doc.documentElement = doc.children.find((n) => n.tagName === 'HTML') || null;
  doc.getElementById = (id) => doc.descendants().find((n) => n.id === id) || null;
  doc.createElement = (tag) => new Node(String(tag).toLowerCase(), doc);
  return doc;
}

// ---------------------------------------------------------------- checks
function main() {
  if (process.argv.length !== 3) {
    process.stderr.write('usage: node check_html.js report.html\n');
    process.exit(2);
  }
  const path = process.argv[2];
  const html = fs.readFileSync(path, 'utf8');
  const doc = parseHTML(html);
  if (problems.length) return;

  // Self-contained.
  doc.descendants().forEach((n) => {
    ['src', 'href', 'action', 'poster', 'srcset'].forEach((a) => {
      if (n.hasAttribute(a)) fail('<' + n.tagName.toLowerCase() + '> has a ' + a + ' attribute: the page must not load anything');
    });
    if (['LINK', 'IFRAME', 'OBJECT', 'EMBED', 'IMG', 'BASE'].includes(n.tagName)) fail('the page has a <' + n.tagName.toLowerCase() + '>');
  });
  doc.querySelectorAll('style').forEach((s) => {
    if (/url\s*\(|@import|@font-face/i.test(s.textContent)) fail('the style loads something (url(), @import or @font-face)');
  });
  const scripts = doc.querySelectorAll('script');
  const island = scripts.filter((s) => s.getAttribute('type') === 'application/json');
  const code = scripts.filter((s) => !s.hasAttribute('type'));
  check(island.length === 1 && island[0].id === 'data', 'expected exactly one <script type="application/json" id="data">');
  check(code.length === 1, 'expected exactly one inline script, found ' + code.length);
  check(scripts.length === island.length + code.length, 'unexpected script type');
  if (problems.length) return;

  // The data island.
  const raw = island[0].textContent;
  check(raw.indexOf('<') < 0, 'the data island contains "<"');
  let data;
  try { data = JSON.parse(raw); } catch (e) { fail('the data island is not JSON: ' + e.message); return; }
  const cases = data.cases;
  if (!check(Array.isArray(cases), 'data.cases is not an array')) return;
  const OUTCOMES = ['PASS', 'FAIL', 'XFAIL', 'XPASS', 'SKIP', 'TIMEOUT', 'ERROR'];
  OUTCOMES.forEach((o) => {
    const el = doc.getElementById('count-' + o);
    const n = cases.filter((c) => c.outcome === o).length;
    if (!check(el, 'no element id="count-' + o + '"')) return;
    check(el.textContent.trim() === String(n), 'count-' + o + ' says ' + el.textContent + ', the data has ' + n);
    check(data.summary[o] === n, 'summary.' + o + ' is ' + data.summary[o] + ', the cases say ' + n);
  });
  const total = doc.getElementById('count-total');
  check(total && total.textContent.trim() === String(cases.length), 'count-total does not match the number of cases');

  // Static rows.
  const table = doc.getElementById('cases');
  if (!check(table, 'no table id="cases"')) return;
  const rows = table.querySelectorAll('tr.case');
  check(rows.length === cases.length, rows.length + ' case rows for ' + cases.length + ' cases');
  rows.forEach((r, i) => {
    check(r.getAttribute('data-outcome') === cases[i].outcome, 'row ' + i + ' has the wrong outcome');
    check(r.getAttribute('data-i') === String(i), 'row ' + i + ' has data-i ' + r.getAttribute('data-i'));
  });
  if (problems.length) return;

  // Run the script.
  const errors = [];
  const consoleProxy = {
    log() {}, info() {}, debug() {},
    warn(...a) { errors.push('console.warn: ' + a.join(' ')); },
    error(...a) { errors.push('console.error: ' + a.join(' ')); },
  };
  const window = { location: { hash: '#case-1' }, getSelection: () => '', console: consoleProxy };
  const ctx = vm.createContext({ window, document: doc, console: consoleProxy });
  window.document = doc;
  try {
    vm.runInContext(code[0].textContent, ctx, { filename: 'report.html inline script' });
  } catch (e) {
    fail('the inline script threw: ' + (e && e.stack || e));
    return;
  }
  const run = (what, fn) => {
    try { fn(); } catch (e) { fail(what + ' threw: ' + (e && e.stack || e)); }
  };
  check(doc.documentElement.classList.contains('js'), 'the script did not mark <html> with class js');
  check(!doc.getElementById('filters').disabled, 'the script did not enable the filters');
  check(!doc.getElementById('tools').hidden, 'the script did not show the tools');
  const visible = () => rows.filter((r) => !r.hidden).length;
  check(visible() === rows.length, 'not every row is shown at first');
  check(doc.getElementById('shown').textContent === rows.length + ' of ' + rows.length + ' shown', 'wrong "shown" text');
  if (rows.length) check(!!rows[0].detailRow && !rows[0].detailRow.hidden, 'the #case-1 link did not open the first case');

  // Expand every row through its toggle button; each gets a detail row with the trace.
  rows.forEach((r, i) => {
    const btn = r.querySelector('button.toggle');
    if (!check(btn, 'row ' + i + ' has no toggle button')) return;
    if (i === 0) run('collapsing row 0', () => btn.click());
    run('expanding row ' + i, () => btn.click());
    const d = r.nextSibling;
    if (!check(d && d.classList.contains('detail-row') && !d.hidden, 'row ' + i + ' did not expand')) return;
    check(btn.getAttribute('aria-expanded') === 'true', 'row ' + i + ': aria-expanded not set');
    const trace = cases[i].trace || [];
    const steps = d.querySelectorAll('table.trace tbody tr');
    check(steps.length === trace.length, 'row ' + i + ': ' + steps.length + ' trace rows for ' + trace.length + ' steps');
    trace.forEach((t, j) => {
      const cells = steps[j] ? steps[j].cells.map((c) => c.textContent) : [];
      if (t.call !== undefined) check(cells.includes(String(t.call)), 'row ' + i + ' step ' + j + ': the call is not shown');
      if (t.verdict !== undefined) check(cells.includes(String(t.verdict)), 'row ' + i + ' step ' + j + ': the verdict is not shown');
      if (t.error_name) check(cells.some((c) => c.indexOf(t.error_name) >= 0), 'row ' + i + ' step ' + j + ': the error name is not shown');
    });
    if (cases[i].reason !== null) check(d.textContent.indexOf(cases[i].reason) >= 0, 'row ' + i + ': the reason is not in the details');
    run('clicking inside the details of row ' + i, () => d.querySelector('dl').click());
    check(!d.hidden, 'row ' + i + ': a click inside the details closed them');
  });
  run('Collapse all', () => doc.getElementById('collapse').click());
  check(rows.every((r) => !r.detailRow || r.detailRow.hidden), 'Collapse all left rows open');

  // Filters.
  const BAD = ['FAIL', 'XPASS', 'TIMEOUT', 'ERROR'];
  run('Failures only', () => doc.getElementById('show-problems').click());
  check(visible() === cases.filter((c) => BAD.includes(c.outcome)).length, 'Failures only shows the wrong rows');
  run('All outcomes', () => doc.getElementById('show-all').click());
  check(visible() === rows.length, 'All outcomes does not show every row');
  doc.querySelectorAll('input[data-outcome]').forEach((box) => {
    const o = box.getAttribute('data-outcome');
    box.checked = false;
    run('unchecking ' + o, () => box.dispatch('change'));
    check(visible() === cases.filter((c) => c.outcome !== o).length, 'unchecking ' + o + ' shows the wrong rows');
    box.checked = true;
    run('checking ' + o, () => box.dispatch('change'));
  });
  if (cases.length) {
    const search = doc.getElementById('search');
    search.value = cases[0].id;
    run('the text filter', () => search.dispatch('input'));
    check(visible() >= 1 && rows.filter((r) => !r.hidden).every((r) => {
      const c = cases[Number(r.getAttribute('data-i'))];
      return [c.id, c.title, c.topic, c.file, c.reason, (c.tags || []).join(' ')].join('\n').toLowerCase().indexOf(cases[0].id.toLowerCase()) >= 0;
    }), 'the text filter shows the wrong rows');
    search.value = '';
    run('clearing the text filter', () => search.dispatch('input'));
    run('Expand shown', () => doc.getElementById('expand').click());
    check(rows.every((r) => r.detailRow && !r.detailRow.hidden), 'Expand shown left rows closed');
  }
  errors.forEach(fail);
}

main();
if (problems.length) {
  problems.forEach((p) => process.stdout.write(process.argv[2] + ': ' + p + '\n'));
  process.exit(1);
}
process.stdout.write(process.argv[2] + ': ok\n');
