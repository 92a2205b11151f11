#!/usr/bin/env node
// Builds the native parts of @tsprof/diffusion into dist/native/ (never committed):
//  - diffusion.wasm from assembly/diffusion.ts with AssemblyScript's `asc` (128-bit SIMD enabled);
//  - diffusion-shared*.wasm: the same kernel importing a shared memory (wasm-simd-workers: the
//    threads of one team run it on one grid; an import's shared flag must match the memory's);
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
// A shared memory must declare its maximum: the whole 32-bit address space (4 GiB), so any grid
// that fits wasm32 fits; the memory the variant creates has its own, exact maximum.
const shared = ["--sharedMemory", "--maximumMemory", "65536"];
// Builds of one source: plain 128-bit SIMD, and with relaxed SIMD (fused multiply-add); each with
// a private memory (wasm-simd) and with a shared one (wasm-simd-workers).
for (const [output, features, memory] of [
  ["diffusion.wasm", ["simd"], []],
  ["diffusion-relaxed.wasm", ["simd", "relaxed-simd"], []],
  ["diffusion-shared.wasm", ["simd", "threads"], shared],
  ["diffusion-shared-relaxed.wasm", ["simd", "relaxed-simd", "threads"], shared],
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
      ...memory,
      ...features.flatMap((feature) => ["--enable", feature]),
    ],
    { stdio: "inherit", cwd: packageDir },
  );
  console.log(`diffusion: built dist/native/${output}`);
}

// An older build put the C binary here; it must not linger (or ship).
fs.rmSync(path.join(nativeDir, "diffusion-c"), { force: true });
