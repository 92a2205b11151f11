/**
 * Locating (and, for C, building) the native parts of the diffusion package: the WebAssembly
 * kernel built by `asc` in the package's build script (it ships in dist/native/), and the C
 * reference. The C reference is compiled with -march=native, so it is built on the machine that
 * runs it, at first use, into the user's private cache dir (never shipped, never in the package).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { notPrivate, privateCacheDir } from "./user-cache";

/** packages/diffusion (this file is dist/native.js once compiled). */
export const PACKAGE_DIR = path.resolve(__dirname, "..");
export const NATIVE_DIR = path.join(PACKAGE_DIR, "dist", "native");
export const WASM_PATH = path.join(NATIVE_DIR, "diffusion.wasm");
export const WASM_RELAXED_PATH = path.join(NATIVE_DIR, "diffusion-relaxed.wasm");
/** The same kernel importing a shared memory (wasm-simd-workers), plain and relaxed SIMD. */
export const WASM_SHARED_PATH = path.join(NATIVE_DIR, "diffusion-shared.wasm");
export const WASM_SHARED_RELAXED_PATH = path.join(NATIVE_DIR, "diffusion-shared-relaxed.wasm");
export const C_SOURCE = path.join(PACKAGE_DIR, "c", "diffusion.c");
/** Exactly the flags; gcc's default GNU dialect also allows it to contract a*b+c into FMA. */
export const C_FLAGS = ["-O3", "-march=native"];
const NO_COMPILER = "skipped: no C compiler (gcc, cc or clang on PATH, or $CC)";

export function wasmUnavailableReason(file: string = WASM_PATH): string | undefined {
  return fs.existsSync(file) ? undefined : `not built: ${path.relative(process.cwd(), file)} is missing (run npm run build)`;
}

/** The first C compiler found on PATH, with its version line, or null. */
export function findCCompiler(): string | null {
  return findCompilerWithVersion()?.compiler ?? null;
}

function findCompilerWithVersion(): { compiler: string; version: string } | null {
  for (const candidate of [process.env.CC, "gcc", "cc", "clang"]) {
    if (!candidate) continue;
    try {
      const version = execFileSync(candidate, ["--version"], { stdio: ["ignore", "pipe", "ignore"], encoding: "utf8" });
      return { compiler: candidate, version: version.split("\n")[0] };
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * The cached binary's name: a hash of what decides its code (the source, the compiler and its
 * version, the flags, and the CPU that -march=native targets), so a change of any rebuilds it.
 */
export function cReferenceCacheName(compiler: string, version: string): string {
  const key = createHash("sha256")
    .update(fs.readFileSync(C_SOURCE))
    .update(JSON.stringify([compiler, version, C_FLAGS, process.platform, process.arch, os.cpus()[0]?.model ?? ""]))
    .digest("hex");
  return `diffusion-c-${key.slice(0, 16)}`;
}

let cachedBinary: { path: string | null; reason?: string } | null = null;

/** Compiles c/diffusion.c into `output`; throws with the compiler's message on failure. */
export function compileCReference(compiler: string, output: string): void {
  execFileSync(compiler, [...C_FLAGS, "-o", output, C_SOURCE], { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * The C reference binary from the user's cache, built there now if needed. Returns
 * { path: null, reason } when there is no C compiler, the cache dir is refused or the build fails,
 * so the variant is reported as unavailable with that note.
 */
export function ensureCReference(): { path: string | null; reason?: string } {
  if (cachedBinary) return cachedBinary;
  const found = findCompilerWithVersion();
  if (!found) return (cachedBinary = { path: null, reason: NO_COMPILER });
  let dir: string;
  try {
    dir = privateCacheDir();
  } catch (error) {
    return (cachedBinary = { path: null, reason: `skipped: ${(error as Error).message}` });
  }
  const binary = path.join(dir, cReferenceCacheName(found.compiler, found.version));
  if (fs.existsSync(binary)) {
    const problem = notPrivate(binary, "file");
    return (cachedBinary = problem ? { path: null, reason: `skipped: cached binary refused: ${problem}` } : { path: binary });
  }
  // Built in a private folder of its own, then renamed into place: a concurrent run sees a whole
  // binary or none.
  const staging = fs.mkdtempSync(path.join(dir, "build-"));
  try {
    compileCReference(found.compiler, path.join(staging, "diffusion-c"));
    fs.renameSync(path.join(staging, "diffusion-c"), binary);
    return (cachedBinary = { path: binary });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().replace(/\s*\n\s*/g, " ");
    return (cachedBinary = { path: null, reason: `${found.compiler} failed: ${stderr || (error as Error).message}` });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Cheap availability check for listings (does not compile). */
export function cReferenceUnavailableReason(): string | undefined {
  return findCCompiler() ? undefined : NO_COMPILER;
}
