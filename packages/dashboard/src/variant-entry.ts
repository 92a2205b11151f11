/**
 * Runs one variant for `tsprof line` / `tsprof mem --plot` from the dashboard (`p`, `m`):
 *   node variant-entry.js <module> <export> <size> <iterations>
 *   node variant-entry.js --builtin <diffusion registry.js> <workload> <variant> <size> <iterations>
 * The module exports variants as objects with `setup(size)`, `step()` and optional `checksum()`
 * (the interface of user variant modules), or factories returning such objects (the built-ins). Kept free of tsprof imports: it runs inside the
 * profiled program.
 */
import path from "node:path";

interface Variant {
  setup(size: number): unknown;
  step(): unknown;
  checksum?(): number;
}

function isVariant(value: unknown): value is Variant {
  return (
    typeof value === "object" && value !== null && typeof (value as Variant).setup === "function" && typeof (value as Variant).step === "function"
  );
}

/**
 * `--builtin <registry.js> <workload> <name>`: a built-in variant, created through the registry of
 * the diffusion package at <registry.js> (where it is installed; `--module` names its variants).
 */
function builtinVariant(indexFile: string, workload: string, name: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const diffusion = require(indexFile) as { findVariant?: (w: string, n: string) => { create(): unknown } | undefined };
  const definition = diffusion.findVariant?.(workload, name);
  if (!definition) throw new Error(`no built-in ${workload} variant "${name}"`);
  return definition.create();
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "--builtin") {
    const [, indexFile, workload, name, sizeText, iterationsText] = argv;
    await run(builtinVariant(indexFile, workload, name), `${workload} variant ${name}`, Number(sizeText ?? 256), Number(iterationsText ?? 50));
    return;
  }
  const [modulePath, exportName, sizeText, iterationsText] = argv;
  if (!modulePath || !exportName) {
    process.stderr.write("usage: variant-entry <module> <export> <size> <iterations>\n");
    process.exitCode = 2;
    return;
  }
  const size = Number(sizeText ?? 256);
  const iterations = Number(iterationsText ?? 50);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(path.resolve(modulePath)) as Record<string, unknown>;
  let candidate = mod[exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[exportName];
  // Built-in variants are factories (a function, or a definition with create()): one fresh instance.
  if (typeof candidate === "function") candidate = (candidate as () => unknown)();
  else if (!isVariant(candidate) && typeof (candidate as { create?: unknown } | undefined)?.create === "function") {
    candidate = (candidate as { create: () => unknown }).create();
  }
  await run(candidate, `${modulePath}: export ${exportName}`, size, iterations);
}

async function run(candidate: unknown, what: string, size: number, iterations: number): Promise<void> {
  if (!isVariant(candidate)) {
    process.stderr.write(`${what} is not a variant with setup() and step()\n`);
    process.exitCode = 2;
    return;
  }
  await candidate.setup(size);
  for (let i = 0; i < iterations; i++) await candidate.step();
  if (candidate.checksum) process.stdout.write(`checksum ${candidate.checksum()}\n`);
  await (candidate as { dispose?: () => unknown }).dispose?.();
}

// A leading "--" is the separator of the command that started us (tsprof line ... -- args).
const argv = process.argv.slice(2);
main(argv[0] === "--" ? argv.slice(1) : argv).catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
});
