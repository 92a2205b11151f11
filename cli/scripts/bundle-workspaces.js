#!/usr/bin/env node
// Makes the published `tsprof` one self-contained tarball. The @tsprof/* packages are private
// workspaces (never on the registry), so `tsprof` ships them as bundleDependencies: `prepack` copies
// each one's built files into cli/node_modules/@tsprof/<name>/ (where npm looks for bundled
// packages), `postpack` removes the copies. The file layout inside each package stays as in the
// repo, so the files the runner loads at run time (register.js via --import, hooks.mjs, the line and
// heap workers, the diffusion cell child, the wasm kernels, the C source) keep their relative paths.
//
// While the copies exist they shadow the workspace links for cli/dist, so they live only between
// prepack and postpack; `npm run build` removes any left by an interrupted pack.
//
// The copies declare no dependencies of their own: their npm dependencies are dependencies of
// `tsprof` itself (checked here, so a dependency added to a workspace but not to cli/package.json
// fails the pack instead of a user's install).
//
//   node scripts/bundle-workspaces.js stage | clean | check
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const cliDir = path.resolve(__dirname, "..");
const repoDir = path.resolve(cliDir, "..");
const target = path.join(cliDir, "node_modules", "@tsprof");
const cli = JSON.parse(fs.readFileSync(path.join(cliDir, "package.json"), "utf8"));
const bundled = cli.bundleDependencies;

/**
 * Files of a workspace that ship: package.json, README, dist/ JavaScript and wasm, the C source.
 * No maps, build info or declarations: users import only `tsprof` (cli/dist/api.d.ts). Except the
 * diffusion variants' TypeScript and their source maps: the dashboard's line-profile pane shows a
 * variant's TypeScript lines, mapped from the compiled file it profiles.
 */
function shipped(relative, name) {
  if (relative === "package.json" || relative === "README.md") return true;
  if (name === "@tsprof/diffusion" && isVariantSource(relative)) return true;
  if (/\.(map|tsbuildinfo)$|\.d\.[cm]?ts$/.test(relative)) return false;
  // The C reference is compiled on the user's machine at first use (never a -march=native binary).
  if (relative === path.join("dist", "native", "diffusion-c")) return false;
  return relative.startsWith(`dist${path.sep}`) || relative.startsWith(`c${path.sep}`);
}

/** A diffusion variant's .ts source, or the tsc source map of its compiled .js. */
function isVariantSource(relative) {
  const [top, variants] = relative.split(path.sep);
  if (variants !== "variants") return false;
  return (top === "src" && /\.ts$/.test(relative) && !/\.d\.ts$/.test(relative)) || (top === "dist" && /\.js\.map$/.test(relative));
}

function walk(dir, base = dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, base));
    else if (entry.isFile()) out.push(path.relative(base, full));
  }
  return out;
}

function workspaceDir(name) {
  const dir = path.join(repoDir, "packages", name.replace(/^@tsprof\//, ""));
  if (!fs.existsSync(path.join(dir, "package.json"))) throw new Error(`${name}: no workspace at packages/`);
  return dir;
}

/** Every npm dependency of a bundled workspace must be a dependency of tsprof with the same range. */
function check() {
  const problems = [];
  const ours = { ...cli.dependencies, ...cli.optionalDependencies };
  for (const dep of Object.keys(cli.dependencies)) {
    if (dep.startsWith("@tsprof/") && !bundled.includes(dep)) problems.push(`tsprof depends on ${dep}; add it to bundleDependencies`);
  }
  for (const name of bundled) {
    const pkg = JSON.parse(fs.readFileSync(path.join(workspaceDir(name), "package.json"), "utf8"));
    if (!cli.dependencies[name]) problems.push(`${name} is bundled but not in dependencies`);
    for (const [kind, deps] of [["dependencies", pkg.dependencies], ["optionalDependencies", pkg.optionalDependencies]]) {
      for (const [dep, range] of Object.entries(deps ?? {})) {
        if (dep.startsWith("@tsprof/")) {
          if (!bundled.includes(dep)) problems.push(`${name} needs ${dep}, which is not bundled`);
          continue;
        }
        const cliKind = kind === "optionalDependencies" ? cli.optionalDependencies : cli.dependencies;
        if (!cliKind?.[dep]) problems.push(`${name} ${kind} has ${dep}; add it to cli/package.json ${kind}`);
        else if (ours[dep] !== range) problems.push(`${dep}: ${name} wants ${range}, tsprof has ${ours[dep]}`);
      }
    }
    for (const file of ["dist/index.js", "dist/index.d.ts"]) {
      if (!fs.existsSync(path.join(workspaceDir(name), file))) problems.push(`${name}: ${file} missing (run npm run build)`);
    }
  }
  return problems;
}

function stage() {
  const problems = check();
  if (problems.length) {
    for (const p of problems) console.error(`tsprof pack: ${p}`);
    process.exit(1);
  }
  fs.rmSync(target, { recursive: true, force: true });
  for (const name of bundled) {
    const from = workspaceDir(name);
    const to = path.join(target, name.replace(/^@tsprof\//, ""));
    for (const relative of walk(from).filter((relative) => shipped(relative, name))) {
      fs.mkdirSync(path.dirname(path.join(to, relative)), { recursive: true });
      fs.copyFileSync(path.join(from, relative), path.join(to, relative));
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(from, "package.json"), "utf8"));
    // Resolved from tsprof's own dependencies (the top of the user's node_modules).
    delete pkg.dependencies;
    delete pkg.optionalDependencies;
    delete pkg.devDependencies;
    delete pkg.scripts;
    fs.writeFileSync(path.join(to, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  }
}

function clean() {
  fs.rmSync(target, { recursive: true, force: true });
  for (const dir of [path.dirname(target)]) {
    if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }
}

const mode = process.argv[2];
if (mode === "stage") stage();
else if (mode === "clean") clean();
else if (mode === "check") {
  const problems = check();
  for (const p of problems) console.error(`tsprof pack: ${p}`);
  process.exit(problems.length ? 1 : 0);
} else {
  console.error("usage: bundle-workspaces.js stage|clean|check");
  process.exit(2);
}
