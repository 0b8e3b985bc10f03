// auth-bypass-switches: the gateway's test-and-dev switches, probed live rather than read from an environment that may be
// invisible. AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER lets `Bypass-Auth: true` through without a token, and
// AIGW_AUTH__BYPASS_JWT_SIGNATURE accepts a token whatever key signed it (authentication.py and the cloud connector's
// providers.py: `"verify_signature": not self.bypass_auth_jwt_signature`).
import { redactUrl } from '../src/redact.js';
import { defineCheck, type FindingOf, type Judgement, type Messages } from '../src/check.js';
import { describeAnswer, forgedGet, gatewayBase, PROTECTED_PATH, protectedGet, type ForgedToken, type ProbeAnswer } from '../src/probes/security.js';

export interface Facts {
  url?: string;
  /** No token, no switch header: must be 401 for the rest to mean anything. */
  baseline?: ProbeAnswer;
  bypassHeader?: ProbeAnswer;
  forged?: ProbeAnswer;
  forgedKid?: { kid: string; from: ForgedToken['kidFrom'] };
}

const HEADER_FIX =
  "Remove AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER from the gateway's environment (or set it to false) and restart it: with it, any " +
  'request carrying `Bypass-Auth: true` is served without a GitLab token. It exists for tests and development only.';
const SIGNATURE_FIX =
  "Remove AIGW_AUTH__BYPASS_JWT_SIGNATURE from the gateway's environment (or set it to false) and restart it: with it, a token " +
  'signed by any key is accepted, so anyone can mint one. It exists for tests and development only.';

export const messages = {
  noGateway: { status: 'skip', text: () => 'No AI gateway URL (see gateway-url)' },
  noAnswer: { status: 'skip', text: (d: { answer: string }) => `The gateway did not answer a plain request (${d.answer}): see gateway-reachable` },
  authOff: {
    status: 'skip',
    text: (d: { answer: string }) => `A request with no token already gave ${d.answer}, not 401: authentication is off altogether (see gateway-auth)`,
  },
  headerRefused: { status: 'pass', text: () => '`Bypass-Auth: true` without a token is refused with 401' },
  headerHonoured: {
    status: 'fail',
    text: (d: { answer: string }) =>
      `SECURITY (critical): \`Bypass-Auth: true\` without a token gets past authentication (${d.answer} for GET ${PROTECTED_PATH}): AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER is on`,
    fix: HEADER_FIX,
  },
  forgedRefused: { status: 'pass', text: () => 'A token signed by a key GitLab never published is refused with 401' },
  forgedAccepted: {
    status: 'fail',
    text: (d: { answer: string }) =>
      `SECURITY (critical): a token with a forged signature gets past authentication (${d.answer} for GET ${PROTECTED_PATH}): AIGW_AUTH__BYPASS_JWT_SIGNATURE is on`,
    fix: SIGNATURE_FIX,
  },
  unjudged: {
    status: 'warn',
    text: (d: { probe: string; answer: string }) =>
      `The ${d.probe} probe got ${d.answer}: neither the gateway's 401 nor its answer past authentication`,
    fix: 'Re-run when the gateway answers (see gateway-reachable); if a proxy answers instead, check that it forwards requests to the gateway unchanged.',
  },
} satisfies Messages;

type Finding = FindingOf<typeof messages>;

function judgeProbe(probe: string, a: ProbeAnswer | undefined, refused: Finding, accepted: (answer: string) => Finding): Finding | undefined {
  if (!a) return undefined;
  if (a.status === 401) return refused;
  // Stryker disable next-line ConditionalExpression: an answer with the gateway's headers has a status
  if (a.status !== undefined && a.fromGateway) return accepted(describeAnswer(a));
  return { id: 'unjudged', data: { probe, answer: describeAnswer(a) } };
}

/** Pure: with the baseline at 401, an answer from the gateway other than 401 means the switch let the request through. */
export function judge(f: Facts): Judgement<typeof messages> {
  if (!f.url) return { findings: [{ id: 'noGateway' }] };
  // No answer, or a proxy's own (no gateway headers): nothing about the gateway's authentication.
  if (f.baseline && f.baseline.status !== 401 && !f.baseline.fromGateway)
    return { findings: [{ id: 'noAnswer', data: { answer: describeAnswer(f.baseline) } }] };
  if (f.baseline && f.baseline.status !== 401) return { findings: [{ id: 'authOff', data: { answer: describeAnswer(f.baseline) } }] };
  const findings = [
    judgeProbe('Bypass-Auth', f.bypassHeader, { id: 'headerRefused' }, (answer) => ({ id: 'headerHonoured', data: { answer } })),
    judgeProbe('forged-signature', f.forged, { id: 'forgedRefused' }, (answer) => ({ id: 'forgedAccepted', data: { answer } })),
  ].filter((x): x is Finding => Boolean(x));
  const failed = findings.some((x) => x.id === 'headerHonoured' || x.id === 'forgedAccepted');
  return {
    findings,
    ...(f.forgedKid
      ? {
          details: [
            `The forged token carried kid ${f.forgedKid.kid} (${f.forgedKid.from === 'gitlab-jwks' ? "GitLab's published key" : "made up: GitLab's key set was not fetched"}).`,
          ],
        }
      : {}),
    evidence: { securityFinding: failed, bypassHeaderStatus: f.bypassHeader?.status ?? null, forgedStatus: f.forged?.status ?? null },
  };
}

export default defineCheck({
  id: 'auth-bypass-switches',
  title: "The AI gateway's authentication bypass switches are off, as seen from the network",
  category: 'security',
  tags: ['ci', 'oncall', 'pre-upgrade', 'security'],
  needs: ['gateway'],
  messages,
  explain: {
    checks:
      `Three GET <gateway URL>${PROTECTED_PATH} requests (a GET on a POST-only route: past authentication it is 405 before any ` +
      'handler runs, so nothing changes): (1) no Authorization header, which must be 401; (2) no Authorization header and ' +
      '`Bypass-Auth: true`; (3) `Authorization: Bearer <forged>` with X-Gitlab-Authentication-Type: oidc, X-Gitlab-Realm: self-managed ' +
      "and X-Gitlab-Instance-Id: duo-doctor-forged-signature-probe, where <forged> is an RS256 JWT with GitLab's claims (aud " +
      'gitlab-ai-gateway, iss the GitLab URL, sub duo-doctor-forged-signature-probe, scopes [complete_code], exp 5 min) and the kid of ' +
      "GitLab's published key, whose signature is 256 random bytes (no key signed it). The forged token grants nothing anywhere; no " +
      'real token is ever sent to the gateway.',
    failsWhen:
      '(2) or (3) gets an answer from the gateway other than 401 (critical): AIGW_AUTH__BYPASS_EXTERNAL_WITH_HEADER or ' +
      'AIGW_AUTH__BYPASS_JWT_SIGNATURE is on, whatever the visible environment says. Skipped when (1) is not 401 (gateway-auth judges that).',
    fix: `${HEADER_FIX}\n${SIGNATURE_FIX}`,
  },
  // Stryker disable all: gather does I/O (probes); the integration tier tests it, mutating it here only measures the unit tier's blind spot
  async gather(ctx): Promise<Facts> {
    const url = await gatewayBase(ctx);
    if (!url) return {};
    // The requests without the forged token go out at once; the forged one as soon as its token is made.
    const [baseline, bypassHeader, forged] = await Promise.all([
      protectedGet(ctx, url),
      protectedGet(ctx, url, [['bypass-auth', 'true']]),
      forgedGet(ctx, url),
    ]);
    return {
      url: redactUrl(url),
      baseline,
      bypassHeader,
      forged: forged.answer,
      forgedKid: { kid: forged.token.kid, from: forged.token.kidFrom },
    };
  },
  // Stryker restore all
  judge,
});
