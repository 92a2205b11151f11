#!/usr/bin/env node
// Builds the native parts of @tsprof/diffusion into dist/native/ (never committed):
//  - diffusion.wasm from assembly/diffusion.ts with AssemblyScript's `asc` (128-bit SIMD enabled);
// The C reference (c/diffusion.c, -O3 -march=native) is not built here: a -march=native binary
// belongs to the machine that runs it, so src/native.ts compiles it at first use into the user's
// cache dir.
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

// An older build put the C binary here; it must not linger (or ship).
fs.rmSync(path.join(nativeDir, "diffusion-c"), { force: true });
