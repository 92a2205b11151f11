import { closeSync, lstatSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync, constants } from "node:fs";

/**
 * Unpredictable bytes from the kernel's generator where there is one (/dev/urandom, what
 * node:crypto's randomBytes reads too), else node:crypto. The profiled process writes its result
 * through here as it exits: loading node:crypto there cost ~5-20 ms of CPU (Node 20).
 */
function randomBytes(n: number): Buffer {
  const bytes = Buffer.alloc(n);
  let fd: number | null = null;
  try {
    fd = openSync("/dev/urandom", constants.O_RDONLY);
    if (readSync(fd, bytes, 0, n, null) === n) return bytes;
  } catch {
    // no /dev/urandom (Windows): node:crypto below
  } finally {
    if (fd !== null) closeSync(fd);
  }
  return (require("node:crypto") as typeof import("node:crypto")).randomBytes(n);
}
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { ToolError, type ResultKind } from "./schema";
import type { ResultByKind, TsprofResult } from "./render-contract";
import { ResultFileError, validateResult } from "./validate";

export { ResultFileError };

/** A saved result of any kind: what `tsprof show` reads. */
export interface AnyResult {
  kind: ResultKind;
  schemaVersion: number;
  [key: string]: unknown;
}

/** Serialize a result as JSON text (stable, indented). */
export function resultToJSON(result: object): string {
  return JSON.stringify(result, null, 2) + "\n";
}

/** Parse a saved result and check it against its kind's schema. Never returns a partial object silently. */
export function resultFromJSON(text: string, origin?: string): TsprofResult;
export function resultFromJSON<K extends ResultKind>(text: string, origin: string, expected: K): ResultByKind[K];
export function resultFromJSON(text: string, origin = "input", expected?: ResultKind): TsprofResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ResultFileError(`${origin}: not a tsprof result (invalid JSON: ${(err as Error).message})`);
  }
  return validateResult(value, origin, expected);
}

/** Write a result atomically (see writeFileAtomic), so a reader never sees half a file. */
export function writeResultFile(path: string, result: object): void {
  writeFileAtomic(path, resultToJSON(result));
}

/** Read and validate a saved result; with `expected`, a result of another kind is an error too. */
export function readResultFile(path: string): TsprofResult;
export function readResultFile<K extends ResultKind>(path: string, expected: K): ResultByKind[K];
export function readResultFile(path: string, expected?: ResultKind): TsprofResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ResultFileError(`cannot read ${path}: ${describeFsError(err)}`);
  }
  return expected === undefined ? resultFromJSON(text, path) : resultFromJSON(text, path, expected);
}

/** An output file tsprof cannot write (missing folder, a directory, no permission, full disk): exit 1. */
export class OutputError extends ToolError {
  constructor(message: string) {
    super(message, 1);
  }
}

const FS_ERRORS: Record<string, string> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large (file size limit reached)",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
  ELOOP: "too many symbolic links",
  EEXIST: "file exists",
};

/** A file-system error in words: "ENOSPC (no space left on device)". */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code && FS_ERRORS[code]) return `${code} (${FS_ERRORS[code]})`;
  if (code) return code;
  return err instanceof Error ? err.message.split("\n")[0] : String(err);
}

/** A name nobody can predict, beside `path` (same directory, so rename is atomic). */
function privateTempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(8).toString("hex")}.tmp`);
}

/**
 * Write a whole file atomically and safely: the data goes to a temp file in the same directory,
 * created exclusively (O_CREAT|O_EXCL: a symlink or file planted at that name is never followed or
 * reused) under a random name, then renamed over `path`. A reader never sees half a file, and a
 * failure (full disk, file size limit) leaves the old file untouched and no temp file behind.
 * A target that exists and is not a regular file (/dev/stdout, a FIFO) is written in place.
 * Throws OutputError with one line for the user.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: { mode?: number } = {}): void {
  const target = resolve(path);
  if (writeInPlaceIfSpecial(target, data)) return;
  const tmp = privateTempName(target);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), options.mode ?? 0o666);
    writeAll(fd, data);
    closeSync(fd);
    fd = null;
    renameSync(tmp, target);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw new OutputError(`cannot write ${path}: ${describeFsError(err)}`);
  }
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  for (let offset = 0; offset < bytes.length; ) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (err) {
      // A non-blocking pipe that is full for a moment: try again.
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
    }
  }
}

/** /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: this process's own descriptor (a socket cannot be reopened). */
function ownDescriptor(target: string): number | null {
  if (target === "/dev/stdout") return 1;
  if (target === "/dev/stderr") return 2;
  const m = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(target);
  return m ? Number(m[1]) : null;
}

/**
 * A symlink the user named (/dev/stdout, a link to their file), a device or a FIFO: renaming over it
 * would replace the link or the device node, so these are written through, as the shell's `>` would.
 * Descriptor links (/dev/stdout, /proc/self/fd/N) append, so output already sent there stays. A
 * symlink owned by another user is refused (someone may have planted it in a shared folder).
 */
function writeInPlaceIfSpecial(target: string, data: string | Uint8Array): boolean {
  const fdNumber = ownDescriptor(target);
  if (fdNumber !== null) {
    try {
      writeAll(fdNumber, data);
    } catch (err) {
      throw new OutputError(`cannot write ${target}: ${describeFsError(err)}`);
    }
    return true;
  }
  let link: ReturnType<typeof lstatSync>;
  try {
    link = lstatSync(target);
  } catch {
    return false;
  }
  if (link.isFile() || link.isDirectory()) return false;
  const uid = process.getuid?.();
  if (link.isSymbolicLink() && uid !== undefined && link.uid !== uid && link.uid !== 0) {
    throw new OutputError(`cannot write ${target}: it is a symbolic link owned by another user`);
  }
  const descriptor = /^\/(dev|proc)\//.test(target);
  let fd: number | null = null;
  try {
    fd = openSync(target, constants.O_WRONLY | (descriptor || !link.isSymbolicLink() ? constants.O_APPEND : constants.O_TRUNC));
    writeAll(fd, data);
  } catch (err) {
    throw new OutputError(`cannot write ${target}: ${describeFsError(err)}`);
  } finally {
    if (fd !== null) closeSync(fd);
  }
  return true;
}

/** Copy a file through writeFileAtomic (the destination gets the same protection). */
export function copyFileAtomic(source: string, destination: string): void {
  let data: Buffer;
  try {
    data = readFileSync(source);
  } catch (err) {
    throw new OutputError(`cannot read ${source}: ${describeFsError(err)}`);
  }
  writeFileAtomic(destination, data);
}

/**
 * Check, before a run, that `path` can be written: its folder exists and is a writable folder, and
 * the path itself is not a folder. Returns the absolute path; throws OutputError naming `flag`.
 * The check creates and removes one exclusive temp file (write permission bits lie for root and
 * for read-only mounts).
 */
export function checkOutputPath(path: string, flag: string, cwd = process.cwd()): string {
  const target = resolve(cwd, path);
  const fail = (why: string): never => {
    throw new OutputError(`${flag} ${path}: ${why}`);
  };
  if (path === "" || path.endsWith("/")) fail("not a file name");
  let existing: ReturnType<typeof statSync> | null = null;
  try {
    existing = statSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") fail(describeFsError(err));
  }
  if (existing?.isDirectory()) fail("is a directory (give a file name)");
  if (existing && !existing.isFile()) return target; // a device or FIFO: written in place
  if (existing && lstatSync(target).isSymbolicLink()) return target; // written through (see writeInPlaceIfSpecial)
  const folder = dirname(target);
  let folderStat: ReturnType<typeof statSync>;
  try {
    folderStat = statSync(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === "ENOENT" || code === "ENOTDIR" ? `folder ${folder} does not exist` : `cannot use folder ${folder}: ${describeFsError(err)}`);
  }
  if (!folderStat.isDirectory()) fail(`${folder} is not a folder`);
  const probe = privateTempName(target);
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600));
    unlinkSync(probe);
  } catch (err) {
    fail(`cannot write in ${folder}: ${describeFsError(err)}`);
  }
  return target;
}

/** A fresh private temp directory (mode 0700, random name) in $TMPDIR; one clear line when there is none. */
export function makeTempDir(prefix = "tsprof-"): string {
  const base = tmpdir();
  try {
    const dir = mkdtempSync(join(base, prefix));
    const st = statSync(dir);
    if (process.getuid && st.uid !== process.getuid()) throw Object.assign(new Error("not owned by this user"), { code: "EPERM" });
    return dir;
  } catch (err) {
    throw new ToolError(`cannot create a temporary directory in ${base} (${describeFsError(err)}); set TMPDIR to a writable directory`, 1);
  }
}

