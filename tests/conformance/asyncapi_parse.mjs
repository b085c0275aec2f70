// Parse AsyncAPI documents with the official parser (@asyncapi/parser); print one JSON line per document:
// {"file", "errors": [diagnostics of severity error], "warnings": count}. Exit 0 even when documents fail:
// the test reads the verdicts.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.LGSP_NPM_PREFIX + "/node_modules/");
const { Parser } = require("@asyncapi/parser");
const parser = new Parser();

for (const file of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(readFileSync(file, "utf8"));
  const errors = diagnostics
    .filter((d) => d.severity === 0)
    .map((d) => ({ code: d.code, message: d.message, path: d.path.join("/") }));
  const warnings = diagnostics.filter((d) => d.severity === 1).length;
  console.log(JSON.stringify({ file, parsed: document !== undefined, errors, warnings }));
}
