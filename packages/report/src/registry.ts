import { UsageError, ToolError, printableDeep, type OutputFormat, type Rendered, type RenderOptions, type ResultKind, type TsprofResult } from "@tsprof/core";
import { ENTRIES, type RendererEntry } from "./entries";

/** The formats a kind can be rendered in, in registry order (the first is the default). */
export function formatsFor(kind: ResultKind): OutputFormat[] {
  return ENTRIES.filter((e) => e.kind === kind).map((e) => e.format);
}

export function findRenderer(kind: ResultKind, format: OutputFormat): RendererEntry | undefined {
  return ENTRIES.find((e) => e.kind === kind && e.format === format);
}

/** The entry for kind × format, or a UsageError (exit 2) listing the formats this kind has. */
export function rendererFor(kind: ResultKind, format: string): RendererEntry {
  const found = ENTRIES.find((e) => e.kind === kind && e.format === format);
  if (!found) {
    throw new UsageError(`'${kind}' results have no '${format}' format (available: ${formatsFor(kind).join(", ")})`);
  }
  const problem = found.unavailable?.();
  if (problem) throw new ToolError(`${format} output of '${kind}' results is unavailable here: ${problem}`);
  return found;
}

/** Render a validated result in one format. */
export async function renderResult(result: TsprofResult, format: string, options: RenderOptions): Promise<Rendered> {
  const render = rendererFor(result.kind, format).load() as (r: TsprofResult, o: RenderOptions) => Rendered | Promise<Rendered>;
  // Text for people (a terminal, a Markdown viewer) never carries an escape sequence from a file;
  // data formats (JSON, pprof) keep every string exactly, and JSON escapes control characters itself.
  const forPeople = format === "text" || format === "markdown";
  return render(forPeople ? printableDeep(result) : result, options);
}

/** File name endings that name a format, longest first (".speedscope.json" before ".json"). */
const EXTENSIONS: Array<[string, OutputFormat]> = [
  [".speedscope.json", "speedscope"],
  [".cpuprofile", "cpuprofile"],
  [".pb.gz", "pprof"],
  [".pprof", "pprof"],
  [".json", "json"],
  [".md", "markdown"],
  [".markdown", "markdown"],
  [".png", "png"],
  [".txt", "text"],
];

/** The format a file name asks for by its ending, or null. */
export function formatFromPath(path: string): OutputFormat | null {
  const lower = path.toLowerCase();
  for (const [ending, format] of EXTENSIONS) if (lower.endsWith(ending)) return format;
  return null;
}
