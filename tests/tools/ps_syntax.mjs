// ps_syntax.mjs: a syntax check of PowerShell scripts, here where no PowerShell runs:
// parses each file with the tree-sitter PowerShell grammar (npm: tree-sitter-powershell,
// run by web-tree-sitter as WebAssembly) and reports every ERROR or MISSING node.
//   node ps_syntax.mjs FILE.ps1...   (NODE_PATH-free: run from ci/pssyntax)
// Exit status: 0 every file parses; 1 a file does not; 2 the parser could not run.
// A grammar is not PowerShell itself: it finds unbalanced brackets, broken strings and
// misplaced keywords, not what only running the script shows.
import fs from "fs";
import path from "path";
import { createRequire } from "module";

const tools = process.env.PIPESPEC_TOOLS;
const require = createRequire(path.join(tools, "node_modules", "x.js"));
const { Parser, Language } = await import(require.resolve("web-tree-sitter"));
await Parser.init();
const lang = await Language.load(
  path.join(path.dirname(require.resolve("tree-sitter-powershell/package.json")), "tree-sitter-powershell.wasm"));
const parser = new Parser();
parser.setLanguage(lang);
let bad = 0;
for (const f of process.argv.slice(2)) {
  const tree = parser.parse(fs.readFileSync(f, "utf8"));
  const errs = [];
  const walk = (n) => {
    if (n.isError || n.isMissing) errs.push(n);
    else if (n.hasError) for (const c of n.children) walk(c);
  };
  walk(tree.rootNode);
  for (const n of errs) {
    const what = n.isMissing ? `missing ${n.type}` : `cannot parse ${JSON.stringify(n.text.split("\n")[0].slice(0, 60))}`;
    console.log(`${f}:${n.startPosition.row + 1}:${n.startPosition.column + 1}: ${what}`);
  }
  if (errs.length) bad++;
}
process.exit(bad ? 1 : 0);
