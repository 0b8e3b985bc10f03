// The model probe's answer (model-probe.py's one result line) parsed into the exchange the HTTP probe returns.
import { describe, expect, it } from 'vitest';
import { MODEL_PROBE, MODEL_PROBE_MARK, parseModelProbe } from '../../src/runtime/model-probe.js';

const line = (value: unknown) => `noise\n${MODEL_PROBE_MARK}${JSON.stringify(value)}\n`;

describe('parseModelProbe', () => {
  it('an answer: status, content type, body, elapsed time', () => {
    expect(parseModelProbe(line({ status: 404, contentType: 'application/json', body: '{}', elapsedMs: 7 }), '', 0)).toEqual({
      ok: true,
      response: { status: 404, headers: { 'content-type': 'application/json' }, body: '{}', elapsedMs: 7 },
    });
  });

  it('an answer without content type, body or time', () => {
    expect(parseModelProbe(line({ status: 200, contentType: '' }), '', 0)).toEqual({
      ok: true,
      response: { status: 200, headers: {}, body: '', elapsedMs: 0 },
    });
  });

  it.each([
    [
      'refused',
      { error: { kind: 'refused', message: 'ConnectionRefusedError: [Errno 111]' }, elapsedMs: 3 },
      'refused',
      'ConnectionRefusedError: [Errno 111]',
      3,
    ],
    ['an unknown kind', { error: { kind: 'weird', message: 'x' } }, 'other', 'x', 0],
    ['no message', { error: { kind: 'dns' } }, 'dns', 'no status', 0],
    ['no status, no error', {}, 'other', 'no status', 0],
  ])('a failure: %s', (_name, value, kind, message, elapsedMs) => {
    expect(parseModelProbe(line(value), '', 0)).toEqual({ ok: false, failure: { kind, message }, elapsedMs });
  });

  it('no result line: the exit code and the last line of stderr', () => {
    const out = parseModelProbe('', 'Traceback\nSyntaxError: bad\n', 1);
    expect(out).toEqual({
      ok: false,
      failure: { kind: 'other', message: 'the model probe printed no result (exit code 1: SyntaxError: bad)' },
      elapsedMs: 0,
    });
    expect(parseModelProbe('', '  ', 2)).toMatchObject({ failure: { message: 'the model probe printed no result (exit code 2)' } });
  });

  it('a result that is not JSON', () => {
    expect(parseModelProbe(`${MODEL_PROBE_MARK}{nope`, '', 0)).toMatchObject({
      ok: false,
      failure: { kind: 'other', message: /^the model probe's result is not JSON: / },
    });
  });

  it('the program marks its line as the parser expects', () => {
    expect(MODEL_PROBE).toContain(`MARK = ${JSON.stringify(MODEL_PROBE_MARK)}\n`);
  });
});
