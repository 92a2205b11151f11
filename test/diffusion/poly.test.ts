// The poly variants compute what the seed asks, checked against a direct evaluation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultThreads, linspace, listVariants, variantDefinitions } from "@tsprof/diffusion";

function expectedPoly(size: number): number {
  let sum = 0;
  for (const x of linspace(size)) sum += 0.25 * x * x * x + 0.75 * x * x - 1.5 * x - 2;
  return sum;
}

test("linspace covers [-1, 1] inclusive", () => {
  const x = linspace(5);
  assert.deepEqual(Array.from(x), [-1, -0.5, 0, 0.5, 1]);
});

test("poly lists naive/Horner forms, sin²+cos², and thread scaling 1..cores for both", () => {
  const names = listVariants("poly").map((v) => v.name);
  const cores = defaultThreads();
  const threads = (prefix: string) => Array.from({ length: cores }, (_, i) => `${prefix}-threads-${i + 1}`);
  assert.deepEqual(names, ["naive-arrays", "naive", "horner", ...threads("horner"), "sincos", ...threads("sincos")]);
});

test("every poly variant gives the right checksum, including uneven thread splits", async () => {
  for (const size of [1, 7, 1000, 1001]) {
    for (const definition of variantDefinitions("poly")) {
      const variant = definition.create();
      await variant.setup(size);
      try {
        variant.step();
        variant.step();
        const checksum = variant.checksum!();
        const expected = definition.info.name.startsWith("sincos") ? size : expectedPoly(size);
        assert.ok(Math.abs(checksum - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${definition.info.name} size=${size}: ${checksum} vs ${expected}`);
      } finally {
        await variant.dispose?.();
      }
    }
  }
});
