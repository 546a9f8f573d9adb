import type { AgreementSpec } from '../plan/answers-schema.js';
import type { GoldenRequest } from '../plan/schema.js';
import { canonicalJson, cutJson, sameJson } from './canonical.js';
import { lookup } from './jsonpath.js';
import type { RequestResult } from './sample.js';
import type { Check } from './verdict.js';

/** One golden request's answer, as recorded with a release. */
export interface GoldenAnswer {
  /** Canonical JSON of the request (method, path, body, headers): what matches answers across releases. */
  key: string;
  /** "POST /predict {"embedding":[0.9,0.1,0.3]}", cut: for reports. */
  label: string;
  status: number | null;
  /** The body, parsed as JSON (a string when it was not JSON); absent when nothing answered. */
  answer?: unknown;
}

/** Name of the check, as reports and acceptance tests read it. */
export const AGREEMENT_CHECK = 'agreementPercent';

export function goldenKey(r: GoldenRequest): string {
  return canonicalJson({ method: r.method, path: r.path, body: r.body ?? null, headers: r.headers ?? {} });
}

function goldenLabel(r: GoldenRequest): string {
  return `${r.method} ${r.path}${r.body !== undefined ? ` ${cutJson(r.body, 60)}` : ''}`;
}

/** The golden answers of one round, in the manifest's order (requests that were not sent are left out). */
export function goldenAnswers(golden: readonly GoldenRequest[], results: readonly RequestResult[]): GoldenAnswer[] {
  return golden.flatMap((request, index) => {
    const r = results.findLast((x) => x.ref?.kind === 'golden' && x.ref.index === index);
    if (!r) return [];
    return [
      { key: goldenKey(request), label: goldenLabel(request), status: r.status, ...(r.answer !== undefined ? { answer: r.answer } : {}) },
    ];
  });
}

/** Does one answer agree with the known-good's? With the overlap, when overlapAtK is set. */
export function compareAnswer(
  spec: AgreementSpec,
  current: GoldenAnswer,
  known: GoldenAnswer,
): { agrees: boolean; overlapPercent?: number } {
  if (current.status !== known.status) return { agrees: false };
  const a = part(current, spec.path);
  const b = part(known, spec.path);
  // Neither answer has the compared part (e.g. a phase that answers without the index): the same.
  if (!a.found && !b.found) return { agrees: true };
  if (spec.overlapAtK === undefined) return { agrees: a.found === b.found && (!a.found || sameJson(a.value, b.value, spec.tolerance)) };
  if (!a.found || !b.found || !Array.isArray(a.value) || !Array.isArray(b.value)) return { agrees: false };
  const overlapPercent = overlapAt(a.value, b.value, spec.overlapAtK, spec.tolerance);
  return { agrees: overlapPercent >= (spec.minOverlapPercent ?? 100), overlapPercent };
}

function part(a: GoldenAnswer, path: string): { found: boolean; value?: unknown } {
  if (a.answer === undefined) return { found: false };
  return lookup(a.answer, path);
}

/** Share of the known-good's top K found in the new top K, % (two empty lists overlap fully). */
export function overlapAt(current: unknown[], known: unknown[], k: number, tolerance?: number): number {
  const top = current.slice(0, k);
  const ref = known.slice(0, k);
  const size = Math.max(top.length, ref.length);
  if (size === 0) return 100;
  const unused = [...top];
  let shared = 0;
  for (const item of ref) {
    const i = unused.findIndex((x) => sameJson(x, item, tolerance));
    if (i >= 0) {
      shared++;
      unused.splice(i, 1);
    }
  }
  return round((shared / size) * 100);
}

/**
 * The agreement check: the share of golden requests whose compared part equals the known-good's.
 * Without known-good answers to compare with (a first rollout, or answers recorded before this
 * feature) it says so and passes: the new answers will be recorded.
 */
export function agreementCheck(spec: AgreementSpec, current: readonly GoldenAnswer[], known: readonly GoldenAnswer[] | null): Check {
  const base = { name: AGREEMENT_CHECK, threshold: spec.minPercent, unit: '%', min: true } as const;
  const byKey = new Map((known ?? []).map((a) => [a.key, a]));
  const pairs = current.flatMap((c) => {
    const k = byKey.get(c.key);
    return k ? [{ c, k }] : [];
  });
  if (pairs.length === 0) {
    return { ...base, value: null, passed: true, detail: 'no known-good answers to compare with yet: these answers are recorded' };
  }
  let agreed = 0;
  let first: string | null = null;
  for (const { c, k } of pairs) {
    const verdict = compareAnswer(spec, c, k);
    if (verdict.agrees) agreed++;
    else first ??= describeDisagreement(spec, c, k, verdict.overlapPercent);
  }
  const value = round((agreed / pairs.length) * 100);
  const passed = value >= spec.minPercent;
  return {
    ...base,
    value,
    passed,
    ...(first ? { detail: `${agreed}/${pairs.length} agree; first disagreeing ${first}` } : { detail: `${agreed}/${pairs.length} agree` }),
  };
}

function describeDisagreement(spec: AgreementSpec, c: GoldenAnswer, k: GoldenAnswer, overlap?: number): string {
  const show = (a: GoldenAnswer) => {
    if (a.status === null) return 'no answer';
    const p = part(a, spec.path);
    return `${a.status !== 200 ? `HTTP ${a.status} ` : ''}${p.found ? cutJson(p.value, 100) : `(no ${spec.path})`}`;
  };
  const o = overlap !== undefined ? ` (top-${spec.overlapAtK} overlap ${overlap}%)` : '';
  return `${c.label}: answered ${show(c)}, the known-good ${show(k)}${o}`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
