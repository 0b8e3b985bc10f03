// Redaction: URL userinfo in anything URL-shaped (parsed or not, with or without a scheme), secret query values, known secrets.
import { describe, expect, it } from 'vitest';
import { redactDeep, redactText, redactUrl, urlSecrets } from '../src/redact.js';

const S = 's3cr3t-canary';

describe('redactUrl (a value known to be a URL)', () => {
  it.each([
    [`https://oauth2:${S}@gitlab.example.com/x`, 'https://REDACTED:REDACTED@gitlab.example.com/x'],
    [`oauth2:${S}@gitlab.example.com`, 'REDACTED@gitlab.example.com'],
    [`${S}@gitlab.example.com`, 'REDACTED@gitlab.example.com'],
    [`https://oauth2:${S}@[broken`, 'https://REDACTED@[broken'],
    [`https://gitlab.example.com/?private_token=${S}`, 'https://gitlab.example.com/?private_token=REDACTED'],
    ['https://gitlab.example.com', 'https://gitlab.example.com'],
  ])('%s → %s', (raw, want) => expect(redactUrl(raw)).toBe(want));
});

describe('redactText (free text)', () => {
  it.each([
    [`error: bad URL https://u:${S}@h.example.com/p`, 'error: bad URL https://REDACTED@h.example.com/p'],
    [`--gitlab-url oauth2:${S}@gitlab.example.com: not a URL`, '--gitlab-url REDACTED@gitlab.example.com: not a URL'],
    [`AIGW_GITLAB_URL=oauth2:${S}@gitlab.example.com`, 'AIGW_GITLAB_URL=REDACTED@gitlab.example.com'],
    [`"http://x:${S}@127.0.0.1/"`, '"http://REDACTED@127.0.0.1/"'],
    [`GET /api?access_token=${S}&a=1`, 'GET /api?access_token=REDACTED&a=1'],
  ])('%s', (raw, want) => expect(redactText(raw)).toBe(want));

  it.each(['mail admin@example.com', 'at 12:30 the gateway answered', 'see https://gitlab.example.com/admin', 'ssh git@gitlab.example.com'])('leaves %j alone', (text) =>
    expect(redactText(text)).toBe(text),
  );
});

describe('urlSecrets', () => {
  it('collects passwords (and a scheme URL lone user), decoded and raw', () => {
    expect(urlSecrets([`https://u:${S}%21@h`, `https://${S}@h`, `oauth2:${S}@h`, 'me@example.com', undefined]).sort()).toEqual([`${S}`, `${S}!`, `${S}%21`].sort());
  });
});

describe('redactDeep', () => {
  it('redacts every string of a nested value before any layout', () => {
    const long = `glpat-${'x'.repeat(40)}`;
    const out = redactDeep({ a: [`token ${long}`, { b: `https://u:${S}@h/` }], n: 3, t: true }, [long]);
    expect(out).toEqual({ a: ['token [REDACTED]', { b: 'https://REDACTED@h/' }], n: 3, t: true });
  });
});
