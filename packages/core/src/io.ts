import { closeSync, mkdtempSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, constants } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { SCHEMA_VERSION, ToolError, type ResultKind } from "./schema";

/** A saved result of any kind: what `tsprof show` reads. */
export interface AnyResult {
  kind: ResultKind;
  schemaVersion: number;
  [key: string]: unknown;
}

/** Thrown for a file that is not a tsprof result; the message is one line for the user. */
export class ResultFileError extends Error {}

/** Serialize a result as JSON text (stable, indented). */
export function resultToJSON(result: object): string {
  return JSON.stringify(result, null, 2) + "\n";
}

/** Parse and check a saved result's header. Never returns a partial object silently. */
export function resultFromJSON(text: string, origin = "input"): AnyResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ResultFileError(`${origin}: not a tsprof result (invalid JSON: ${(err as Error).message})`);
  }
  if (typeof value !== "object" || value === null || typeof (value as AnyResult).kind !== "string") {
    throw new ResultFileError(`${origin}: not a tsprof result (no "kind" field)`);
  }
  const result = value as AnyResult;
  if (result.schemaVersion !== SCHEMA_VERSION) {
    throw new ResultFileError(
      `${origin}: schema version ${String(result.schemaVersion)} is not supported (this tsprof reads ${SCHEMA_VERSION})`,
    );
  }
  return result;
}

/** Write a result atomically (see writeFileAtomic), so a reader never sees half a file. */
export function writeResultFile(path: string, result: object): void {
  writeFileAtomic(path, resultToJSON(result));
}

export function readResultFile(path: string): AnyResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ResultFileError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return resultFromJSON(text, path);
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
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** /dev/stdout, /dev/null, a FIFO: renaming over them would replace the device node; write into them. */
function writeInPlaceIfSpecial(target: string, data: string | Uint8Array): boolean {
  let special = false;
  try {
    const st = statSync(target);
    special = !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
  if (!special) return false;
  let fd: number | null = null;
  try {
    fd = openSync(target, constants.O_WRONLY | constants.O_APPEND);
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
export function checkOutputPath(path: string, flag: string): string {
  const target = resolve(path);
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

