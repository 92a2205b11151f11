/** Optional native parts: a missing one is announced in one whole line that says what to install. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { addonFailureReason } from "../../packages/runner/src/sampler";

const error = (message: string, code?: string) => Object.assign(new Error(message), { code }) as NodeJS.ErrnoException;

test("v8-profiler-next not installed (--omit=optional): says so and how to get it", () => {
  const reason = addonFailureReason(error("Cannot find module 'v8-profiler-next/package.json'\nRequire stack:\n- /a/b/sampler.js", "MODULE_NOT_FOUND"));
  assert.match(reason, /^v8-profiler-next is not installed \(optional; for the in-process sampler: npm install v8-profiler-next.*\)$/);
  assert.doesNotMatch(reason, /\n/);
});

test("v8-profiler-next built for another Node: the whole reason, with the rebuild command", () => {
  const message =
    "The module '/p/node_modules/v8-profiler-next/build/Release/profiler.node'\nwas compiled against a different Node.js version using\n" +
    "NODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 137. Please try re-compiling or re-installing\n" +
    "the module (for instance, using `npm rebuild` or `npm install`).";
  const reason = addonFailureReason(error(message, "ERR_DLOPEN_FAILED"));
  assert.match(reason, /^v8-profiler-next was built for another Node \(module version 115, this Node .* needs 137\): run npm rebuild v8-profiler-next$/);
});

test("any other failure keeps its whole message on one line (not cut at the first newline)", () => {
  const reason = addonFailureReason(error("libfoo.so: cannot open shared object file\nsecond part of the reason", "ERR_DLOPEN_FAILED"));
  assert.equal(reason, "v8-profiler-next did not load: libfoo.so: cannot open shared object file second part of the reason");
});
