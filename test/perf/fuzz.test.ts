/**
 * Fuzz-style robustness: every fixture, randomly corrupted (seeded, so a failure replays), goes
 * through every parser and the model builder and renderer. Nothing may throw, and what comes out
 * must be sane: finite numbers or null, known statuses, problems as strings, JSON-safe.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  countersFromText,
  parseCachegrindOut,
  parseCachegrindSummary,
  parseCgAnnotate,
  parsePerfCsv,
  parsePerfHuman,
  parsePerfJson,
  parsePerfStat,
  renderCounters,
  type ParsedCachegrind,
  type ParsedPerfStat,
} from "@tsprof/perf";
import { fixture } from "../helpers/cli";

/** mulberry32: small, seedable PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK = [",", ";", "\t", " ", "  ", "\n", "\r", "#", "%", "(", ")", "+-", "<not supported>", "<not counted>", "nan", "inf", "-",
  "{", "}", "\"", ":", "==123==", "fl=", "fn=", "summary:", "events:", "0", "9".repeat(30), "1e309", ".", "\u0000", "\u00e9", "\ufffd"];

function corrupt(text: string, rand: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const at = () => Math.floor(rand() * (text.length + 1));
  let out = text;
  const steps = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < steps; s++) {
    const pos = Math.floor(rand() * (out.length + 1));
    switch (Math.floor(rand() * 7)) {
      case 0: // truncate
        out = out.slice(0, pos);
        break;
      case 1: // delete a range
        out = out.slice(0, pos) + out.slice(pos + 1 + Math.floor(rand() * 40));
        break;
      case 2: // insert junk
        out = out.slice(0, pos) + pick(JUNK) + out.slice(pos);
        break;
      case 3: { // replace a digit
        const digits = [...out.matchAll(/\d/g)];
        if (digits.length > 0) {
          const d = pick(digits).index ?? 0;
          out = out.slice(0, d) + pick(["x", "", "99999", ",", "-"]) + out.slice(d + 1);
        }
        break;
      }
      case 4: { // shuffle two lines
        const lines = out.split("\n");
        const i = Math.floor(rand() * lines.length);
        const j = Math.floor(rand() * lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
        out = lines.join("\n");
        break;
      }
      case 5: { // duplicate a line
        const lines = out.split("\n");
        const i = Math.floor(rand() * lines.length);
        lines.splice(i, 0, lines[i] ?? "");
        out = lines.join("\n");
        break;
      }
      default: // random bytes
        out = out.slice(0, pos) + String.fromCharCode(...Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256))) + out.slice(pos);
    }
    void at;
  }
  return out;
}

const isFiniteOrNull = (v: unknown) => v === null || (typeof v === "number" && Number.isFinite(v));

function checkPerf(p: ParsedPerfStat, where: string): void {
  assert.ok(Array.isArray(p.rows) && Array.isArray(p.problems), where);
  for (const r of p.rows) {
    assert.equal(typeof r.event, "string", where);
    assert.ok(r.event.length > 0, `${where}: empty event name`);
    assert.ok(["counted", "not-supported", "not-counted"].includes(r.status), where);
    assert.ok(r.status === "counted" ? typeof r.value === "number" && Number.isFinite(r.value) : r.value === null, `${where}: value ${r.value} for ${r.status}`);
    for (const v of [r.variancePct, r.runningPct, r.interval, r.cpus]) assert.ok(isFiniteOrNull(v), `${where}: ${v}`);
    for (const m of r.perfMetrics) assert.ok(isFiniteOrNull(m.value) && typeof m.unit === "string", where);
  }
  for (const problem of p.problems) assert.equal(typeof problem, "string", where);
  for (const m of p.perfMetricsOnly) for (const v of Object.values(m.values)) assert.ok(Number.isFinite(v), where);
  // JSON-safe: survives a round trip unchanged (no NaN, Infinity or undefined inside).
  assert.deepEqual(JSON.parse(JSON.stringify(p)), p, `${where}: not JSON-safe`);
}

function checkCachegrind(c: ParsedCachegrind, where: string): void {
  for (const v of Object.values(c.totals)) assert.ok(Number.isFinite(v) && v >= 0, `${where}: total ${v}`);
  for (const f of c.functions) for (const v of Object.values(f.costs)) assert.ok(Number.isFinite(v) && v >= 0, where);
  for (const g of [c.geometry.I1, c.geometry.D1, c.geometry.LL]) if (g) assert.ok(Number.isFinite(g.sizeBytes) && Number.isFinite(g.assoc), where);
  assert.ok(c.problems.every((x) => typeof x === "string"), where);
}

const DIR = fixture("perf");
const FILES = [
  ...readdirSync(DIR).filter((f) => /\.(txt|csv|json)$/.test(f)),
  ...readdirSync(join(DIR, "collected")).filter((f) => f !== "SOURCES.txt").map((f) => `collected/${f}`),
];
const ROUNDS = 60;
// The 100 KB cachegrind.out takes ~0.3 s per round through every parser and the renderer.
const roundsFor = (text: string) => (text.length > 20_000 ? 8 : ROUNDS);

test(`${FILES.length} fixtures x up to ${ROUNDS} corruptions: no parser throws, output stays sane`, () => {
  // TSPROF_FUZZ_SEED replays or widens the search; the default keeps CI deterministic.
  const rand = prng(Number(process.env.TSPROF_FUZZ_SEED ?? 20261121));
  let checked = 0;
  for (const name of FILES) {
    const original = readFileSync(join(DIR, name), "utf8");
    for (let round = 0; round < roundsFor(original); round++) {
      const text = corrupt(original, rand);
      const where = `${name} round ${round}`;
      checkPerf(parsePerfStat(text), `${where} (detected)`);
      checkPerf(parsePerfCsv(text), `${where} (csv)`);
      checkPerf(parsePerfJson(text), `${where} (json)`);
      checkPerf(parsePerfHuman(text), `${where} (human)`);
      checkCachegrind(parseCachegrindOut(text), `${where} (cachegrind.out)`);
      checkCachegrind(parseCgAnnotate(text), `${where} (cg_annotate)`);
      checkCachegrind(parseCachegrindSummary(text), `${where} (summary)`);
      const { result } = countersFromText(text, { label: name, command: [], startedAt: "2026-01-01T00:00:00.000Z" });
      assert.equal(typeof renderCounters(result), "string");
      assert.doesNotThrow(() => JSON.stringify(result));
      checked++;
    }
  }
  assert.ok(checked >= (FILES.length - 1) * ROUNDS, `only ${checked} corruptions checked`);
});

test("truncated at a line boundary: the rows read are the first rows of the whole file", () => {
  for (const name of FILES) {
    const original = readFileSync(join(DIR, name), "utf8");
    const full = parsePerfStat(original);
    if (full.rows.length === 0) continue;
    const lines = original.split("\n");
    for (let keep = 0; keep < lines.length; keep++) {
      const part = parsePerfStat(lines.slice(0, keep).join("\n"));
      if (part.format !== full.format) continue; // too little left to tell the format
      const got = part.rows.map((r) => [r.event, r.value, r.status, r.interval, r.location, r.cgroup]);
      const want = full.rows.slice(0, got.length).map((r) => [r.event, r.value, r.status, r.interval, r.location, r.cgroup]);
      assert.deepEqual(got, want, `${name} cut after ${keep} lines`);
    }
  }
});

test("a truncated cachegrind.out still yields totals, and says it was truncated", () => {
  const text = readFileSync(join(DIR, "collected/cachegrind_out_local_valgrind319.txt"), "utf8");
  const cut = text.slice(0, Math.floor(text.length / 2));
  const c = parseCachegrindOut(cut.slice(0, cut.lastIndexOf("\n")));
  assert.ok(c.totals.Ir > 0 && c.totals.Ir < 5043472, `partial Ir ${c.totals.Ir}`);
  assert.ok(c.problems.some((p) => /no summary line/.test(p)));
});
