// The option value parsers: every source (flag, environment, config file) goes through these, so their edges are the CLI's.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/errors.js';
import { duration, headerSafeToken, MAX_TIMER_MS, targetUrl, version, wholeNumber, type ParseContext } from '../../src/config/parse.js';

const notes: string[] = [];
const ctx = (where = '--x'): ParseContext => ({ where, note: (m) => notes.push(m) });
const interval = duration('s', 1000);
const timeout = duration('ms', 1);

describe('duration', () => {
  it.each([
    ['60s', 60_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1500ms', 1500],
    ['90', 90_000],
    [`${MAX_TIMER_MS}ms`, MAX_TIMER_MS],
  ])('--interval %s = %d ms', (raw, ms) => expect(interval(raw, ctx())).toBe(ms));

  it.each([
    ['1', 1],
    ['10000', 10_000],
    [String(MAX_TIMER_MS), MAX_TIMER_MS],
    [5000, 5000],
  ])('--timeout %s = %d ms (a bare number is milliseconds)', (raw, ms) => expect(timeout(raw, ctx())).toBe(ms));

  // Node turns a delay beyond 2^31-1 ms into 1 ms: `serve --interval 1000h` ran the suite thousands of times a second.
  it.each([
    [interval, '1000h'],
    [interval, `${MAX_TIMER_MS + 1}ms`],
    [timeout, String(MAX_TIMER_MS + 1)],
    [interval, 'soon'],
    [interval, '10ms'],
    [interval, '-5s'],
    [interval, ''],
    [timeout, '0'],
  ])('rejects %#: %j', (parse, raw) => expect(() => parse(raw, ctx('--interval'))).toThrow(UsageError));
});

describe('wholeNumber', () => {
  it('accepts the bounds and refuses one past them', () => {
    const days = wholeNumber(0, 36_500);
    expect(days('0', ctx())).toBe(0);
    expect(days('36500', ctx())).toBe(36_500);
    expect(() => days('-1', ctx())).toThrow(UsageError);
    expect(() => days('36501', ctx())).toThrow(UsageError);
    expect(() => days('1.5', ctx())).toThrow(UsageError);
  });
});

describe('version', () => {
  it.each(['18.7.0', 'v18.7.0', '18.7.0-ee'])('accepts %s', (v) => expect(version(v, ctx())).toBe(v));
  it.each(['18.7', 'latest', '18.x.0', 'eighteen', ''])('rejects %j', (v) =>
    expect(() => version(v, ctx('--target-version'))).toThrow(/--target-version/),
  );
});

describe('targetUrl', () => {
  const url = targetUrl({ stripApi: true });
  it.each([
    ['https://gitlab.example.com', 'https://gitlab.example.com'],
    ['http://[::1]:8080/gitlab', 'http://[::1]:8080/gitlab'],
  ])('accepts %s', (raw, want) => expect(url(raw, ctx())).toBe(want));

  it.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['notaurl', /not a URL/],
    ['ftp://gitlab.example.com', /http:\/\/ or https:\/\//],
    ['https://gitlab.example.com:0', /port 0/],
    ['http://gitlab.example.com:0/', /port 0/],
  ])('rejects %j', (raw, message) => expect(() => url(raw, ctx('--gitlab-url'))).toThrow(message));

  it('drops a trailing /api/v4 with a note saying so', () => {
    notes.length = 0;
    expect(url('https://gitlab.example.com/api/v4/', ctx('--gitlab-url'))).toBe('https://gitlab.example.com');
    expect(url('https://gitlab.example.com/sub/api/v4', ctx('--gitlab-url'))).toBe('https://gitlab.example.com/sub');
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/--gitlab-url ends in \/api\/v4: using https:\/\/gitlab\.example\.com/);
  });

  it('never echoes credentials, parsed or not', () => {
    for (const raw of [
      'oauth2:s3cr3t-canary@gitlab.example.com',
      'https://oauth2:s3cr3t-canary@gitlab.example.com:0',
      'https://oauth2:s3cr3t-canary@[bad',
    ]) {
      expect(() => url(raw, ctx())).toThrow(UsageError);
      try {
        url(raw, ctx());
      } catch (error) {
        expect((error as Error).message).not.toContain('s3cr3t-canary');
      }
    }
  });
});

describe('headerSafeToken', () => {
  it('accepts a token an HTTP header carries', () => expect(headerSafeToken('glpat-abc_DEF.123', 'GITLAB_TOKEN')).toBe('glpat-abc_DEF.123'));
  it.each(['glpat-a\nb', 'glpat-a\rb', 'glpat\u0000x', 'glpat-\u2028x', 'glpat-é€', 'glpat-\u007f'])(
    'refuses %j naming the source, not the value',
    (token) => {
      expect(() => headerSafeToken(token, 'GITLAB_TOKEN_EU')).toThrow(/GITLAB_TOKEN_EU/);
      try {
        headerSafeToken(token, 'GITLAB_TOKEN_EU');
      } catch (error) {
        expect((error as Error).message).not.toContain(token);
      }
    },
  );
});
