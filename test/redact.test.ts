// Redaction: URL userinfo in anything URL-shaped (parsed or not, with or without a scheme), secret query values, known secrets.
import { describe, expect, it } from 'vitest';
import { inertText, redactDeep, redactSecrets, redactText, redactUrl, urlSecrets } from '../src/redact.js';

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

  it.each(['mail admin@example.com', 'at 12:30 the gateway answered', 'see https://gitlab.example.com/admin', 'ssh git@gitlab.example.com'])(
    'leaves %j alone',
    (text) => expect(redactText(text)).toBe(text),
  );
});

describe('urlSecrets', () => {
  it('collects passwords (and a scheme URL lone user), decoded and raw', () => {
    expect(urlSecrets([`https://u:${S}%21@h`, `https://${S}@h`, `oauth2:${S}@h`, 'me@example.com', undefined]).sort()).toEqual(
      [`${S}`, `${S}!`, `${S}%21`].sort(),
    );
  });
});

describe('redactDeep', () => {
  it('redacts every string of a nested value before any layout', () => {
    const long = `glpat-${'x'.repeat(40)}`;
    const out = redactDeep({ a: [`token ${long}`, { b: `https://u:${S}@h/` }], n: 3, t: true }, [long]);
    expect(out).toEqual({ a: ['token [REDACTED]', { b: 'https://REDACTED@h/' }], n: 3, t: true });
  });

  it('applies every secret of a fleet to every string, single-line or split across lines, as redactSecrets does', () => {
    const tokens = Array.from({ length: 50 }, (_, i) => `glpat-${String(i).padStart(20, '0')}`);
    const strings = [`a ${tokens[0]} b`, `${tokens[49]}`, `x ${tokens[7]!.slice(0, 9)}\n  ${tokens[7]!.slice(9)} y`, 'nothing here', ''];
    const out = redactDeep({ strings, nested: [[strings[2]]] }, [undefined, ...tokens]);
    expect(out).toEqual({ strings: ['a [REDACTED] b', '[REDACTED]', 'x [REDACTED] y', 'nothing here', ''], nested: [['x [REDACTED] y']] });
    expect(out.strings.map((t) => redactSecrets(t, tokens))).toEqual(out.strings);
  });
});

describe('redaction at its edges', () => {
  it('hides a secret query value in a URL that does not parse', () => {
    expect(redactUrl(`https://[broken/?token=${S}`)).toBe('https://[broken/?token=REDACTED');
  });

  it('hides only the secret-named parameters of a parsed URL', () => {
    expect(redactUrl(`https://h.example.com/?page=2&token=${S}&sort=asc`)).toBe('https://h.example.com/?page=2&token=REDACTED&sort=asc');
  });

  it.each([
    ['text before the URL-shaped value', [`not a url x:${S}@host`], []],
    ['user:password without a scheme', [`oauth2:${S}@gitlab.example.com`], [S]],
    ['a lone user name without a scheme (an e-mail)', ['admin@example.com'], []],
    ['a lone user name in a scheme URL (a token)', [`https://${S}@h`], [S]],
    ['empty user and password', ['https://:@h'], []],
    ['an empty password', ['https://user:@h'], []],
    ['nothing', [], []],
  ])('urlSecrets: %s', (_name, values, want) => {
    expect(urlSecrets(values)).toEqual(want);
  });

  it.each([
    ['every occurrence', 'abcd-abcd abcd', ['abcd'], '[REDACTED]-[REDACTED] [REDACTED]'],
    ['a secret of exactly 4 characters', 'x abcd y', ['abcd'], 'x [REDACTED] y'],
    ['not one of 3 (it would eat ordinary words)', 'x abc y', ['abc'], 'x abc y'],
    ['each of several secrets, undefined ones skipped', 'one1 two2 one1', ['one1', undefined, 'two2'], '[REDACTED] [REDACTED] [REDACTED]'],
    ['across line breaks', 'tok1234\ntok1234\r\n', ['tok1234'], '[REDACTED]\n[REDACTED]\r\n'],
    // Split across lines: a server that wraps what it echoes, a folded header — the pieces on consecutive lines are the token.
    ['one split by a line feed', 'Bearer tok1\n234 end', ['tok1234'], 'Bearer [REDACTED] end'],
    ["one split by CRLF and the next line's indentation (a folded header)", 'x: tok\r\n \t1234', ['tok1234'], 'x: [REDACTED]'],
    ['one split over three lines, right after its first and before its last character', 't\nok123\n4', ['tok1234'], '[REDACTED]'],
    ['every split occurrence, each split elsewhere', 'to\nk1234 tok12\n34 tok1234', ['tok1234'], '[REDACTED] [REDACTED] [REDACTED]'],
    ['not pieces a blank line apart (two paragraphs)', 'tok\n\n1234', ['tok1234'], 'tok\n\n1234'],
    ['not pieces a space apart on one line', 'tok 1234', ['tok1234'], 'tok 1234'],
    ['not pieces a lone carriage return apart', 'tok\r1234', ['tok1234'], 'tok\r1234'],
    ['a secret that holds a pattern of its own on a single line, literally', 'x $& y', ['x $&'], '[REDACTED] y'],
    ['a secret whose characters a pattern would read as syntax, literally', 'a.b*c+(d) aXbbccd', ['a.b*c+(d)'], '[REDACTED] aXbbccd'],
    ['a secret beyond the basic plane', 'k\u{1F511}ey k\u{1F511}\ney', ['k\u{1F511}ey'], '[REDACTED] [REDACTED]'],
  ])('redactSecrets replaces %s', (_name, text, secrets, want) => {
    expect(redactSecrets(text, secrets)).toBe(want);
  });

  it.each([
    ['a single line folds line breaks into spaces', 'a\nb\r\nc\rd', false, 'a b c d'],
    ['by default, a single line', 'a\nb', undefined, 'a b'],
    ['multiline keeps them', 'a\nb', true, 'a\nb'],
    ['an ANSI escape shown as \\xNN', '\u001b[31mred', false, '\\x1b[31mred'],
    ['DEL and a C1 control', '\u007f\u0085', false, '\\x7f\\x85'],
    ['a bidirectional override shown as \\uNNNN', 'a\u202eb', false, 'a\\u202eb'],
    ['tab kept', 'a\tb', false, 'a\tb'],
    ['a control below 0x10 padded to two digits', '\u0001', false, '\\x01'],
  ])('inertText: %s', (_name, text, multiline, want) => {
    expect(multiline === undefined ? inertText(text) : inertText(text, multiline)).toBe(want);
  });
});
