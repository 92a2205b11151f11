#!/usr/bin/env node
// Builds the native parts of @tsprof/diffusion into dist/native/ (never committed):
//  - diffusion.wasm from assembly/diffusion.ts with AssemblyScript's `asc` (128-bit SIMD enabled);
//  - diffusion-c from c/diffusion.c with `gcc -O3 -march=native` when a C compiler exists
//    (otherwise a note: the c-reference variant is then reported as unavailable).
// Run by `npm run build` in this package (the root build runs it after `tsc -b`).
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const packageDir = path.resolve(__dirname, "..");
const nativeDir = path.join(packageDir, "dist", "native");
fs.mkdirSync(nativeDir, { recursive: true });

const ascEntry = require.resolve("assemblyscript/bin/asc.js", { paths: [packageDir] });
// Two builds of one source: plain 128-bit SIMD, and with relaxed SIMD (fused multiply-add).
for (const [output, features] of [
  ["diffusion.wasm", ["simd"]],
  ["diffusion-relaxed.wasm", ["simd", "relaxed-simd"]],
]) {
  execFileSync(
    process.execPath,
    [
      ascEntry,
      path.join(packageDir, "assembly", "diffusion.ts"),
      "--outFile", path.join(nativeDir, output),
      "--optimizeLevel", "3",
      "--shrinkLevel", "0",
      "--noAssert",
      "--runtime", "stub",
      "--importMemory",
      ...features.flatMap((feature) => ["--enable", feature]),
    ],
    { stdio: "inherit", cwd: packageDir },
  );
  console.log(`diffusion: built dist/native/${output}`);
}

const source = path.join(packageDir, "c", "diffusion.c");
const binary = path.join(nativeDir, "diffusion-c");
const compilers = [process.env.CC, "gcc", "cc", "clang"].filter(Boolean);
let built = false;
for (const compiler of compilers) {
  try {
    execFileSync(compiler, ["--version"], { stdio: "ignore" });
  } catch {
    continue;
  }
  execFileSync(compiler, ["-O3", "-march=native", "-o", binary, source], { stdio: "inherit" });
  console.log(`diffusion: built dist/native/diffusion-c with ${compiler} -O3 -march=native`);
  built = true;
  break;
}
if (!built) console.log("diffusion: no C compiler found; the c-reference variant will be skipped");
