// gateway-exposure: the judge over ports and documentation answers (live probes: gateway-exposure.integration.test.ts).
import { describe, expect, it } from 'vitest';
import check, { judge, type Facts } from '../../checks/gateway-exposure.js';
import { fromGateway, fromProxy, noAnswer, refusedConnection } from '../helpers/probe-answers.js';
import { expectRenderings, type RenderCase } from '../helpers/renderings.js';

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

describe('gateway-exposure renderings', () => {
  const health = { ...fromGateway(200), said: 'ok' };
  const cases: RenderCase<Facts>[] = [
    { name: 'no gateway URL', facts: { https: false, ports: [], docs: [] } },
    { name: 'a URL without a host', facts: base({ host: undefined }) },
    { name: 'only the proxy, docs refused', facts: base({}) },
    {
      name: 'plain http, docs served by the gateway',
      facts: base({
        url: 'http://aigw.example.com:5052',
        https: false,
        ports: [],
        docs: [
          { path: '/docs', answer: fromGateway(200) },
          { path: '/openapi.json', answer: fromGateway(404) },
        ],
      }),
    },
    {
      name: 'one port open, both docs served',
      facts: base({
        ports: [
          { port: 5052, answer: health },
          { port: 50052, answer: refusedConnection },
        ],
        docs: [
          { path: '/docs', answer: fromGateway(200) },
          { path: '/openapi.json', answer: fromProxy(200) },
        ],
      }),
    },
    {
      name: 'both ports open (one without an answer)',
      facts: base({
        ports: [
          { port: 5052, answer: health },
          { port: 50052, answer: noAnswer },
        ],
      }),
    },
    {
      name: 'docs unanswered',
      facts: base({
        docs: [
          { path: '/docs', answer: noAnswer },
          { path: '/openapi.json', answer: fromProxy(403) },
        ],
      }),
    },
  ];
  it('renders every case as pinned, reaching every message', () => expectRenderings(check, cases));
});
