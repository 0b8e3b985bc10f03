// The shape of a check: its metadata, what it needs, its message table, and gather → judge.
// Gathering (I/O, through memoised probes) is apart from judging (a pure function of the facts), so every verdict can be
// tested offline on synthetic facts and a recorded run can be judged again later.
import type { Category, CheckOutcome, CheckResult, Evidence, FindingRef, FindingStatus } from './model.js';
import type { Settings } from './config/settings.js';

/** When a check is worth running: the smoke job after a deploy, an incident, the gate before an upgrade. */
export type Tag = 'ci' | 'oncall' | 'pre-upgrade' | 'security' | 'deep';

/** Targets a check cannot run without; a missing one makes the check `skip` with the reason. */
export type Need = 'gitlab' | 'gateway' | 'token';

/** What `duo-doctor explain <id>` prints: what it checks, why it fails, how to fix it. */
export interface Explanation {
  checks: string;
  failsWhen: string;
  fix: string;
}

/** What the runner gives a check. */
export interface CheckContext {
  readonly settings: Settings;
  /** Aborted when the check times out; pass it to anything that waits. */
  readonly signal: AbortSignal;
  /**
   * Memoises a probe for the whole run: the first caller starts `gather`, every later caller with the same key
   * shares its promise (one TLS handshake per host, one fetch per URL). Probes should not throw on expected failures:
   * they return facts, failures included.
   */
  memo<T>(key: string, gather: () => Promise<T>): Promise<T>;
  /** The result of a check this one depends on (only those named in `dependsOn` are guaranteed present). */
  resultOf(id: string): CheckResult | undefined;
  /** Told the facts a judged check gathered, before they are judged (a recorder keeps them for replay). */
  onFacts?(checkId: string, facts: unknown): void;
}

/**
 * One entry of a check's message table (ESLint's `meta.messages`): the status it carries, its text, and the fix beside it.
 * `D` is the data the text and fix are filled from.
 */
export interface Message<D = undefined> {
  status: FindingStatus;
  text(data: D): string;
  /** The exact fix (problems only). */
  fix?: string | ((data: D) => string);
}

/** A check's message table: finding id → message. Ids are stable: JSON consumers and tests key on them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry has its own data type; FindingOf recovers it.
export type Messages = Record<string, Message<any>>;

type DataOf<M extends Messages, K extends keyof M> = Parameters<M[K]['text']>[0];

/** One finding a judge reports: a message id of its check, the data its text needs, and supporting lines. */
export type FindingOf<M extends Messages> = {
  [K in keyof M & string]: (undefined extends DataOf<M, K> ? { id: K; data?: DataOf<M, K> } : { id: K; data: DataOf<M, K> }) & {
    details?: string[];
  };
}[keyof M & string];

/** What a judge returns: its findings (at least one), lines every reader should see, and evidence for machines. */
export interface Judgement<M extends Messages> {
  findings: FindingOf<M>[];
  details?: string[];
  evidence?: Evidence;
}

/** The metadata every check has. */
export interface CheckMeta {
  id: string;
  title: string;
  category: Category;
  tags: readonly Tag[];
  /** Checks whose failure makes this one meaningless: it is skipped, naming the failed dependency. */
  dependsOn?: readonly string[];
  needs?: readonly Need[];
  explain: Explanation;
  /** This check's own time budget when the run's `--timeout` does not fit it (a `--deep` hold); default `settings.timeoutMs`. */
  timeoutMs?(settings: Settings): number;
}

/** A check as the runner sees it: metadata plus `run`. Judged checks also expose their parts (for replay and tests). */
export interface CheckDefinition extends CheckMeta {
  run(ctx: CheckContext): Promise<CheckOutcome>;
  messages?: Messages;
  gather?(ctx: CheckContext): Promise<unknown>;
  judge?(facts: unknown): Judgement<Messages>;
}

/** A check in the one shape: facts gathered by probes, judged by a pure function into findings from its message table. */
export interface JudgedCheck<F, M extends Messages> extends CheckMeta {
  messages: M;
  /** Gathers the facts through memoised probes; returns plain JSON-serialisable data (it may be recorded and replayed). */
  gather(ctx: CheckContext): Promise<F>;
  /** Pure: no I/O, no clock (a time it needs is one of the facts). */
  judge(facts: F): Judgement<M>;
}

const RANK: Record<FindingStatus, number> = { pass: 0, skip: 1, warn: 2, fail: 3 };

function textOf(messages: Messages, finding: { id: string; data?: unknown }): string {
  const message = messages[finding.id];
  if (!message) throw new Error(`finding ${finding.id} is not in the check's message table`);
  return message.text(finding.data);
}

/**
 * Renders a judgement into the outcome every reporter reads: the worst finding leads (its text is the summary), the
 * other findings follow in the details, and the fixes of every problem (worst first, each once) are the remediation.
 */
export function renderJudgement<M extends Messages>(messages: M, judgement: Judgement<M>): CheckOutcome {
  // Stryker disable next-line StringLiteral: an id outside the table throws in textOf below, so its fallback status is never read
  const findings = (judgement.findings as FindingOf<Messages>[]).map((f, index) => ({ ...f, index, status: messages[f.id]?.status ?? 'fail' }));
  if (findings.length === 0) throw new Error('a judge returned no finding');
  // Stryker disable next-line ArithmeticOperator: sort is stable, so any positive tie-break keeps the judge's order, as index - index does
  const ordered = [...findings].sort((a, b) => RANK[b.status] - RANK[a.status] || a.index - b.index);
  const [lead, ...rest] = ordered as [(typeof ordered)[number], ...typeof ordered];
  const mark: Record<FindingStatus, string> = { pass: '✔', skip: '–', warn: '⚠', fail: '✗' };
  const details = [
    ...(judgement.details ?? []),
    ...(lead.details ?? []),
    ...rest.flatMap((f) => [`${mark[f.status]} ${textOf(messages, f)}`, ...(f.details ?? [])]),
  ];
  const fixes = ordered
    .filter((f) => f.status === 'warn' || f.status === 'fail')
    .map((f) => {
      const fix = messages[f.id]?.fix;
      return typeof fix === 'function' ? fix(f.data) : fix;
    })
    .filter((f): f is string => Boolean(f));
  const refs: FindingRef[] = findings.map((f) => ({ id: f.id, status: f.status }));
  return {
    status: lead.status,
    summary: textOf(messages, lead),
    details,
    ...(fixes.length ? { remediation: [...new Set(fixes)].join('\n') } : {}),
    ...(judgement.evidence ? { evidence: judgement.evidence } : {}),
    findings: refs,
  };
}

/** Types a check definition. A check written as one `run` (plugins in plain JavaScript may still do this). */
export function defineCheck(definition: CheckDefinition): CheckDefinition;
/** A judged check (`messages`, `gather`, `judge`) gets its `run` composed here. */
export function defineCheck<F, M extends Messages>(definition: JudgedCheck<F, M>): CheckDefinition & JudgedCheck<F, M>;
export function defineCheck(definition: CheckDefinition | JudgedCheck<unknown, Messages>): CheckDefinition {
  if ('run' in definition) return definition;
  const judged = definition;
  return {
    ...judged,
    async run(ctx) {
      const facts = await judged.gather(ctx);
      ctx.onFacts?.(judged.id, facts);
      return renderJudgement(judged.messages, judged.judge(facts));
    },
  };
}
