/**
 * The runtime API user scripts import: `import { profile } from "tsprof"`.
 *
 * Marking is static: tsprof's loader finds `@profile`, `profile(fn)` and `/** @profile *\/` in the
 * source and instruments those functions before they run. So at run time `profile` only has to be
 * harmless: it returns what it is given, and the script behaves the same under plain node or tsx.
 * Keep this file free of imports: it is loaded into the profiled program.
 */

type AnyFunction = (...args: any[]) => any;

/**
 * Mark a function for tsprof. Works three ways, each a no-op at run time:
 * - `profile(fn)` around a function or arrow function: returns `fn`;
 * - `@profile` on a class method, TC39 decorators: `(value, context)` returns `value`;
 * - `@profile` with `experimentalDecorators`: `(target, key, descriptor)` returns `descriptor`.
 */
export function profile<F extends AnyFunction>(fn: F, context?: unknown): F;
export function profile(target: object, key: string | symbol, descriptor?: PropertyDescriptor): any;
export function profile(value: unknown, _keyOrContext?: unknown, descriptor?: PropertyDescriptor): unknown {
  if (descriptor !== undefined) return descriptor;
  return value;
}

export default profile;
