/**
 * The built-in variants of each workload, in study order (the first is the baseline).
 */
import type { VariantInfo } from "@tsprof/core";
import { WASM_SHARED_PATH, cReferenceUnavailableReason, ensureCReference, wasmUnavailableReason } from "./native";
import type { VariantDefinition } from "./variant";
import { createFused } from "./variants/diffusion/fused";
import { createFusedWorkers, defaultThreads } from "./variants/diffusion/fused-workers";
import { createNested } from "./variants/diffusion/nested";
import { createNestedPrealloc } from "./variants/diffusion/nested-prealloc";
import { createTypedInplace } from "./variants/diffusion/typed-inplace";
import { createTypedRoll } from "./variants/diffusion/typed-roll";
import { createTypedRollAdd } from "./variants/diffusion/typed-roll-add";
import { createWasmSimd } from "./variants/diffusion/wasm-simd";
import { createWasmSimdWorkers } from "./variants/diffusion/wasm-simd-workers";
import { createNaiveArrays } from "./variants/poly/naive-arrays";
import { createSinglePass } from "./variants/poly/single";
import { createThreaded } from "./variants/poly/threads";

export type BuiltinWorkload = "diffusion" | "poly";

function notInProcess(name: string): () => never {
  return () => {
    throw new Error(`${name} runs as its own program, not in-process`);
  };
}

function diffusionDefinitions(): VariantDefinition[] {
  return [
    {
      info: { name: "nested", description: "number[][], new grid every step, % wrap per access (Example 6-3)" },
      inProcess: true,
      create: createNested,
    },
    {
      info: { name: "nested-prealloc", description: "number[][], output preallocated and swapped: no per-step allocation (6-6)" },
      inProcess: true,
      create: createNestedPrealloc,
    },
    {
      info: { name: "typed-roll", description: "Float64Array, numpy-style whole-array ops, allocating roll per neighbour (6-9)" },
      inProcess: true,
      create: createTypedRoll,
    },
    {
      info: { name: "typed-inplace", description: "in-place whole-array ops on preallocated scratch: no allocation, no GC (6-14)" },
      inProcess: true,
      create: createTypedInplace,
    },
    {
      info: { name: "typed-roll-add", description: "custom rollAdd adds shifted neighbours in place: fewer passes (6-17)" },
      inProcess: true,
      create: createTypedRollAdd,
    },
    {
      info: { name: "fused", description: "one pass computes the whole stencil, wrap peeled out, two rows per pass (numexpr)" },
      inProcess: true,
      create: createFused,
    },
    {
      info: {
        name: "fused-workers",
        description: `fused kernel on ${defaultThreads()} threads over a SharedArrayBuffer, row bands claimed per step, Atomics barrier`,
      },
      inProcess: true,
      create: createFusedWorkers,
    },
    {
      info: {
        name: "wasm-simd",
        description: "WebAssembly 128-bit SIMD kernel (AssemblyScript): f64x2 + FMA, 2 rows x 4 columns per iteration",
        unavailable: wasmUnavailableReason(),
        // The same single-threaded stencil as fused, in SIMD: the pair that shows what SIMD buys.
        against: "fused",
      },
      inProcess: true,
      create: createWasmSimd,
    },
    {
      info: {
        name: "wasm-simd-workers",
        description: `wasm-simd kernel on ${defaultThreads()} threads over a shared WebAssembly.Memory, row-pair bands per step, Atomics barrier`,
        unavailable: wasmUnavailableReason(WASM_SHARED_PATH),
        // The same SIMD kernel on more cores: what threads buy on top of SIMD.
        against: "wasm-simd",
      },
      inProcess: true,
      create: createWasmSimdWorkers,
    },
    {
      info: {
        name: "c-reference",
        description: "the fused stencil in C, gcc -O3 -march=native, its own process (the ceiling)",
        unavailable: cReferenceUnavailableReason(),
        runsAs: "program",
        against: "fused",
      },
      inProcess: false,
      create: notInProcess("c-reference"),
      program: ensureCReference,
    },
  ];
}

function polyDefinitions(): VariantDefinition[] {
  const cores = defaultThreads();
  const definitions: VariantDefinition[] = [
    {
      info: { name: "naive-arrays", description: "numpy-style: one array op at a time, a temporary per op (seed's numpy case)" },
      inProcess: true,
      create: createNaiveArrays,
    },
    {
      info: { name: "naive", description: ".25x**3 + .75x**2 - 1.5x - 2 in one pass (Math.pow per point)" },
      inProcess: true,
      create: createSinglePass("naive"),
    },
    {
      info: { name: "horner", description: "((.25x + .75)x - 1.5)x - 2 in one pass: no pow, no temporaries" },
      inProcess: true,
      create: createSinglePass("horner"),
    },
  ];
  for (let t = 1; t <= cores; t++) {
    definitions.push({
      info: { name: `horner-threads-${t}`, description: `Horner on ${t} worker thread${t > 1 ? "s" : ""} (memory-bound scaling)` },
      inProcess: true,
      create: createThreaded("horner", t),
    });
  }
  definitions.push({
    info: { name: "sincos", description: "sin(x)**2 + cos(x)**2 in one pass (transcendental, compute-bound)" },
    inProcess: true,
    create: createSinglePass("sincos"),
  });
  for (let t = 1; t <= cores; t++) {
    definitions.push({
      info: { name: `sincos-threads-${t}`, description: `sin**2 + cos**2 on ${t} worker thread${t > 1 ? "s" : ""} (compute-bound scaling)` },
      inProcess: true,
      create: createThreaded("sincos", t),
    });
  }
  return definitions;
}

/** All built-in variant definitions of a workload, in study order. */
export function variantDefinitions(workload: BuiltinWorkload): VariantDefinition[] {
  return workload === "poly" ? polyDefinitions() : diffusionDefinitions();
}

/** The built-in variants of a workload (name, one-line description, unavailable note), in study order. */
export function listVariants(workload: BuiltinWorkload): VariantInfo[] {
  return variantDefinitions(workload).map((d) => ({ ...d.info }));
}

export function findVariant(workload: BuiltinWorkload, name: string): VariantDefinition | undefined {
  return variantDefinitions(workload).find((d) => d.info.name === name);
}

export { DEFAULT_SIZES, DEFAULT_ITERATIONS } from "./defaults";
