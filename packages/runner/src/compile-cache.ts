/**
 * Trust for the compile cache: tsprof runs what it finds there as the user's code, so a cache another
 * user can write is a way to run their code as this user (or as root). A cache folder is used only
 * when it and the folder holding it are this user's and nobody else can write them; each entry
 * carries the SHA-256 of its code on its first line and is used only when the code matches (a
 * corrupted or truncated entry is recompiled, never run). Entries are written through an exclusive
 * temp file (O_EXCL, random name) and renamed into place.
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
// node:crypto loads on first use (start-up is a measured goal).
const crypto = () => require("node:crypto") as typeof import("node:crypto");
import { dirname } from "node:path";

const HEADER = "//tsprof-sha256:";
const uid = (): number | null => (process.getuid ? process.getuid() : null);

/** Why this folder must not hold the cache, or null when it may. Creates it (mode 0700) if missing. */
export function untrustedCacheDir(dir: string): string | null {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const me = uid();
  if (me === null) return null; // no owners to compare (Windows)
  const st = statSync(dir);
  if (!st.isDirectory()) return "not a directory";
  if (st.uid !== me) return `owned by uid ${st.uid}, not ${me}`;
  if ((st.mode & 0o022) !== 0) return `writable by ${st.mode & 0o020 ? "its group" : "others"} (mode ${(st.mode & 0o777).toString(8)})`;
  // Whoever can write the folder above can swap this one for theirs.
  const parent = statSync(dirname(dir));
  const sticky = (parent.mode & 0o1000) !== 0;
  if (parent.uid !== me && parent.uid !== 0) return `inside ${dirname(dir)}, owned by uid ${parent.uid}`;
  if ((parent.mode & 0o022) !== 0 && !sticky) return `inside ${dirname(dir)}, which others can write`;
  return null;
}

function digest(code: string): string {
  return crypto().createHash("sha256").update(code).digest("hex");
}

/** The cached code at `path`, or null when absent, not this user's, or not matching its hash. */
export function readCacheEntry(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    const me = uid();
    if (!st.isFile() || (me !== null && st.uid !== me) || (st.mode & 0o022) !== 0) return null;
    const text = readFileSync(fd, "utf8");
    const newline = text.indexOf("\n");
    if (!text.startsWith(HEADER) || newline < 0) return null;
    const code = text.slice(newline + 1);
    return text.slice(HEADER.length, newline) === digest(code) ? code : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Store `code` at `path` with its hash. Failures (full disk, read-only cache) only cost speed. */
export function writeCacheEntry(path: string, code: string): void {
  const tmp = `${path}.${crypto().randomBytes(8).toString("hex")}.tmp`;
  let fd: number | null = null;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
    const bytes = Buffer.from(`${HEADER}${digest(code)}\n${code}`, "utf8");
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
  }
}
