// gateway-exposure: the judge over ports and documentation answers (live probes: gateway-exposure.integration.test.ts).
import { describe, expect, it } from 'vitest';
import { judge, type Facts } from '../../checks/gateway-exposure.js';
import { fromGateway, noAnswer, refusedConnection } from '../helpers/probe-answers.js';

const base = (over: Partial<Facts>): Facts => ({
  url: 'https://aigw.example.com',
  host: 'aigw.example.com',
  https: true,
  ports: [
    { port: 5052, answer: refusedConnection },
    { port: 50052, answer: refusedConnection },
  ],
  docs: [
    { path: '/docs', answer: fromGateway(401) },
    { path: '/openapi.json', answer: fromGateway(401) },
  ],
  ...over,
});
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

describe('gateway-exposure judge', () => {
  it.each<[string, Facts, string[]]>([
    ['no gateway URL', { https: false, ports: [], docs: [] }, ['noGateway']],
    ['closed ports, docs behind auth', base({}), ['directPortsClosed', 'docsNotServed']],
    [
      'the gateway port answers',
      base({
        ports: [
          { port: 5052, answer: fromGateway(200) },
          { port: 50052, answer: refusedConnection },
        ],
      }),
      ['directPortOpen', 'docsNotServed'],
    ],
    [
      'the workflow port accepts but speaks no HTTP/1.1',
      base({
        ports: [
          { port: 5052, answer: refusedConnection },
          { port: 50052, answer: noAnswer },
        ],
      }),
      ['directPortOpen', 'docsNotServed'],
    ],
    [
      'docs served',
      base({
        docs: [
          { path: '/docs', answer: fromGateway(200) },
          { path: '/openapi.json', answer: fromGateway(401) },
        ],
      }),
      ['directPortsClosed', 'docsServed'],
    ],
    [
      'docs off (404)',
      base({
        docs: [
          { path: '/docs', answer: fromGateway(404) },
          { path: '/openapi.json', answer: fromGateway(404) },
        ],
      }),
      ['directPortsClosed', 'docsNotServed'],
    ],
    [
      'plain http gateway URL: no proxy to go around',
      base({ url: 'http://aigw.example.com:5052', https: false, ports: [] }),
      ['notBehindTls', 'docsNotServed'],
    ],
  ])('%s', (_name, f, expected) => {
    expect(ids(f)).toEqual(expected);
  });
});
