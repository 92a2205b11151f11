/**
 * Locating (and, for C, building) the native parts of the diffusion package: the WebAssembly
 * kernel built by `asc` in the package's build script, and the C reference built by gcc. Both live
 * in dist/native/ (never committed); the C binary is also built on first use when the build skipped
 * it, into the same directory, or a private temp dir when that is not writable.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** packages/diffusion (this file is dist/native.js once compiled). */
export const PACKAGE_DIR = path.resolve(__dirname, "..");
export const NATIVE_DIR = path.join(PACKAGE_DIR, "dist", "native");
export const WASM_PATH = path.join(NATIVE_DIR, "diffusion.wasm");
export const WASM_RELAXED_PATH = path.join(NATIVE_DIR, "diffusion-relaxed.wasm");
export const C_SOURCE = path.join(PACKAGE_DIR, "c", "diffusion.c");
export const C_BINARY = path.join(NATIVE_DIR, "diffusion-c");
/** Exactly the flags; gcc's default GNU dialect also allows it to contract a*b+c into FMA. */
export const C_FLAGS = ["-O3", "-march=native"];

export function wasmUnavailableReason(): string | undefined {
  return fs.existsSync(WASM_PATH) ? undefined : `not built: ${path.relative(process.cwd(), WASM_PATH)} is missing (run npm run build)`;
}

/** The first C compiler found on PATH, or null. */
export function findCCompiler(): string | null {
  for (const candidate of [process.env.CC, "gcc", "cc", "clang"]) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ["--version"], { stdio: "ignore" });
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

let cachedBinary: { path: string | null; reason?: string } | null = null;

/** Compiles c/diffusion.c into `output`; throws with the compiler's message on failure. */
export function compileCReference(compiler: string, output: string): void {
  fs.mkdirSync(path.dirname(output), { recursive: true });
  execFileSync(compiler, [...C_FLAGS, "-o", output, C_SOURCE], { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * The C reference binary, built now if needed. Returns { path: null, reason } when there is no C
 * compiler or the build fails, so the variant is reported as unavailable with that note.
 */
export function ensureCReference(): { path: string | null; reason?: string } {
  if (cachedBinary) return cachedBinary;
  if (fs.existsSync(C_BINARY) && fs.statSync(C_BINARY).mtimeMs >= fs.statSync(C_SOURCE).mtimeMs) {
    return (cachedBinary = { path: C_BINARY });
  }
  const compiler = findCCompiler();
  if (!compiler) return (cachedBinary = { path: null, reason: "no C compiler (gcc/cc/clang) on PATH" });
  for (const target of [C_BINARY, path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tsprof-")), "diffusion-c")]) {
    try {
      compileCReference(compiler, target);
      return (cachedBinary = { path: target });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split("\n")[0];
      cachedBinary = { path: null, reason: `${compiler} failed: ${stderr || (error as Error).message}` };
    }
  }
  return cachedBinary!;
}

/** Cheap availability check for listings (does not compile). */
export function cReferenceUnavailableReason(): string | undefined {
  if (fs.existsSync(C_BINARY)) return undefined;
  return findCCompiler() ? undefined : "no C compiler (gcc/cc/clang) on PATH: skipped";
}
