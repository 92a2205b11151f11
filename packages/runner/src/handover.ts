/**
 * The parent's compiled output, handed to the profiled process through the run's private temp dir.
 * The child then neither hashes a cache key (node:crypto, ~2.4 MiB and several ms to load) nor reads
 * the user's tsconfig (get-tsconfig) to find its compiled files: it looks each one up by path and
 * format, and uses it only if the source it read is the very text the parent compiled (a file
 * edited after launch compiles again, in the child). The dir is the run's own (mode 0700, made by
 * mkdtemp) and each file is created exclusively, so there is nothing to verify beyond that.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ModuleFormat } from "./compile";

/** `format:file` -> the handover file holding the source and its compiled code. */
export type HandoverIndex = Record<string, string>;

export interface HandedFile {
  file: string;
  format: ModuleFormat;
  source: string;
  code: string;
}

const keyOf = (file: string, format: ModuleFormat) => `${format}:${file}`;

/** Write one file per compiled source into `dir` (which must exist); returns the index for the child. */
export function writeHandover(dir: string, files: HandedFile[]): HandoverIndex {
  const index: HandoverIndex = {};
  files.forEach((f, i) => {
    const path = join(dir, `${i}.js`);
    // The source's length first, then the source, then the code: the child compares the source.
    writeFileSync(path, `${f.source.length}\n${f.source}${f.code}`, { mode: 0o600, flag: "wx" });
    index[keyOf(f.file, f.format)] = path;
  });
  return index;
}

/** The parent's compiled code for this file, or null (not handed over, or the source changed since). */
export function handedOver(index: HandoverIndex | null | undefined, file: string, format: ModuleFormat, source: string): string | null {
  const path = index?.[keyOf(file, format)];
  if (!path) return null;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  const newline = text.indexOf("\n");
  const length = Number(text.slice(0, newline));
  if (newline < 0 || length !== source.length || text.slice(newline + 1, newline + 1 + length) !== source) return null;
  return text.slice(newline + 1 + length);
}
