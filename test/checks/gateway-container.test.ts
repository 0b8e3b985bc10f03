// gateway-container: its judge over tables of facts (ports, listeners, architecture), the binders and machine rules,
// the container probe's parser, and its gather over a gateway environment.
import { describe, expect, it } from 'vitest';
import check, { binders, judge, machineFamily, messages, type Facts } from '../../checks/gateway-container.js';
import { renderJudgement } from '../../src/check.js';
import type { ContainerFacts } from '../../src/runtime/facts.js';
import { parseContainer } from '../../src/runtime/exec-host.js';
import { makeContext } from '../helpers/context.js';
import { expectRenderings } from '../helpers/renderings.js';

const exec = { kind: 'exec' as const, prefix: 'docker exec gw' };
const here = { kind: 'gateway-env' as const, hostname: 'gw' };
const IMAGE = { AIGW_FASTAPI__API_PORT: '5052' };
const inside = (over: Partial<ContainerFacts> = {}): ContainerFacts => ({
  machine: 'x86_64',
  cpu: 'x86',
  listeners: [
    { port: 5052, held: true },
    { port: 8082, held: true },
  ],
  ...over,
});
const ids = (f: Facts) => judge(f).findings.map((x) => x.id);

const CASES: [string, Facts, string[]][] = [
  ['not the gateway', { place: { kind: 'elsewhere', hostname: 'laptop' } }, ['notTheGateway']],
  ['defaults on the gateway host', { place: here, env: {} }, ['portsFree']],
  ['the image inside its container', { place: exec, env: IMAGE, container: inside() }, ['portsFree']],
  ['metrics on the API port', { place: here, env: { AIGW_FASTAPI__API_PORT: '8082' } }, ['portsClash']],
  ['metrics moved onto the API port', { place: here, env: { ...IMAGE, AIGW_FASTAPI__METRICS_PORT: '5052' } }, ['portsClash']],
  [
    "the docs' 8083 for the gateway and 8083 for the Duo Workflow Service's metrics",
    {
      place: here,
      env: {
        ...IMAGE,
        AIGW_FASTAPI__METRICS_PORT: '8083',
        ENABLE_DUO_WORKFLOW_SERVICE: 'true',
        PROMETHEUS_METRICS__ADDR: '0.0.0.0',
        PROMETHEUS_METRICS__PORT: '8083',
      },
    },
    ['portsClash'],
  ],
  [
    "the Duo Workflow Service's metrics without an address are off",
    { place: here, env: { AIGW_FASTAPI__METRICS_PORT: '8083', ENABLE_DUO_WORKFLOW_SERVICE: 'true', PROMETHEUS_METRICS__PORT: '8083' } },
    ['portsFree'],
  ],
  [
    'the Duo Workflow Service not enabled',
    { place: here, env: { AIGW_FASTAPI__METRICS_PORT: '8083', PROMETHEUS_METRICS__ADDR: '0.0.0.0', PROMETHEUS_METRICS__PORT: '8083' } },
    ['portsFree'],
  ],
  ['the Duo Workflow Service on the metrics port', { place: here, env: { ENABLE_DUO_WORKFLOW_SERVICE: 'true', PORT: '8082' } }, ['portsClash']],
  ['the gateway disabled', { place: here, env: { DISABLE_AI_GATEWAY: 'true', ENABLE_DUO_WORKFLOW_SERVICE: '1', PORT: '8082' } }, ['portsFree']],
  ['DISABLE_AI_GATEWAY empty runs the gateway', { place: here, env: { DISABLE_AI_GATEWAY: '', AIGW_FASTAPI__METRICS_PORT: '5000' } }, ['portsClash']],
  [
    'three on one port',
    { place: here, env: { AIGW_FASTAPI__METRICS_PORT: '5000', ENABLE_DUO_WORKFLOW_SERVICE: 'y', PORT: '5000' } },
    ['portsClash', 'portsClash'],
  ],
  ['a metrics port that is no number', { place: here, env: { AIGW_FASTAPI__METRICS_PORT: 'eighty' } }, ['portNotANumber']],
  ['an empty API port', { place: here, env: { AIGW_FASTAPI__API_PORT: '' } }, ['portNotANumber']],
  [
    'two unparsable ports do not clash',
    { place: here, env: { AIGW_FASTAPI__API_PORT: 'x', AIGW_FASTAPI__METRICS_PORT: 'x' } },
    ['portNotANumber', 'portNotANumber'],
  ],
  [
    '--network host: 8082 held by the host',
    { place: exec, env: IMAGE, container: inside({ listeners: [{ port: 8082, held: false }] }) },
    ['heldOutside'],
  ],
  [
    'the API port held outside, v4 and v6',
    {
      place: exec,
      env: IMAGE,
      container: inside({
        listeners: [
          { port: 5052, held: false },
          { port: 5052, held: false },
        ],
      }),
    },
    ['heldOutside'],
  ],
  [
    'another port held outside is no concern',
    { place: exec, env: IMAGE, container: inside({ listeners: [{ port: 22, held: false }] }) },
    ['portsFree'],
  ],
  ['nothing listens yet', { place: exec, env: IMAGE, container: inside({ listeners: [] }) }, ['portsFree']],
  ['amd64 image on an arm64 host', { place: exec, env: IMAGE, container: inside({ cpu: 'arm' }) }, ['emulated']],
  ['arm64 image on an x86 host', { place: exec, env: IMAGE, container: inside({ machine: 'aarch64', cpu: 'x86' }) }, ['emulated']],
  ['native arm64', { place: exec, env: IMAGE, container: inside({ machine: 'aarch64', cpu: 'arm' }) }, ['portsFree']],
  ['CPU unknown', { place: exec, env: IMAGE, container: inside({ cpu: 'unknown' }) }, ['portsFree']],
  ['machine unknown', { place: exec, env: IMAGE, container: inside({ machine: 's390x', cpu: 'arm' }) }, ['portsFree']],
  ['container unreadable', { place: exec, env: IMAGE, containerError: 'sh failed' }, ['portsFree', 'containerUnread']],
  [
    'container unreadable, ports clash',
    { place: exec, env: { AIGW_FASTAPI__API_PORT: '8082' }, containerError: 'x' },
    ['portsClash', 'containerUnread'],
  ],
  [
    'held outside and emulated',
    { place: exec, env: IMAGE, container: inside({ cpu: 'arm', listeners: [{ port: 8082, held: false }] }) },
    ['heldOutside', 'emulated'],
  ],
];

describe('gateway-container judge', () => {
  it.each(CASES)('%s', (_name, f, expected) => expect(ids(f)).toEqual(expected));

  it('renders every case as pinned, reaching every message', () =>
    expectRenderings(
      check,
      CASES.map(([name, facts]) => ({ name, facts })),
    ));

  it('statuses: what stops the gateway fails, emulation warns', () => {
    expect(messages.portsClash.status).toBe('fail');
    expect(messages.portNotANumber.status).toBe('fail');
    expect(messages.heldOutside.status).toBe('fail');
    expect(messages.emulated.status).toBe('warn');
    expect(messages.containerUnread.status).toBe('skip');
  });

  it('renders the clash, the host listener and the emulation with their data', () => {
    const clash = renderJudgement(messages, judge({ place: here, env: { AIGW_FASTAPI__METRICS_PORT: '5000' } }));
    expect(clash.summary).toBe(
      'the gateway API and the gateway metrics server both bind port 5000 in the gateway\'s container: the second fails "Address already in use" and does not start',
    );
    expect(clash.remediation).toContain('AIGW_FASTAPI__METRICS_PORT=<a free port>');
    const held = renderJudgement(messages, judge({ place: exec, env: IMAGE, container: inside({ listeners: [{ port: 8082, held: false }] }) }));
    expect(held.summary).toContain('port 8082 (the gateway metrics server)');
    expect(held.remediation).toContain('AIGW_FASTAPI__METRICS_PORT=<a free port>');
    const emu = renderJudgement(messages, judge({ place: exec, env: IMAGE, container: inside({ cpu: 'arm' }) }));
    expect(emu.summary).toContain('runs as x86_64 on an arm CPU');
    expect(emu.remediation).toContain('--platform linux/arm64');
    expect(
      renderJudgement(messages, judge({ place: exec, env: IMAGE, container: inside({ machine: 'aarch64', cpu: 'x86' }) })).remediation,
    ).toContain('--platform linux/amd64');
  });

  it('says what was read, where', () => {
    const free = judge({ place: exec, env: IMAGE, container: inside() });
    expect(renderJudgement(messages, free).summary).toBe(
      "the gateway's ports (the gateway API 5052, the gateway metrics server 8082) are distinct and held by nothing outside its container",
    );
    expect(free.details).toEqual([
      'Read inside: docker exec gw: the gateway API 5052, the gateway metrics server 8082.',
      'Machine x86_64, CPU x86; listening: 5052, 8082.',
    ]);
    expect(free.evidence).toEqual({
      ports: [
        { server: 'the gateway API', port: 5052 },
        { server: 'the gateway metrics server', port: 8082 },
      ],
      machine: 'x86_64',
      cpu: 'x86',
    });
    const local = judge({ place: here, env: {} });
    expect(renderJudgement(messages, local).summary).toBe("the gateway's ports (the gateway API 5000, the gateway metrics server 8082) are distinct");
    expect(local.details?.[1]).toMatch(/^Not inside a container/);
    expect(local.evidence).toEqual({ ports: expect.any(Array) as unknown });
    expect(judge({ place: exec, env: IMAGE, container: inside({ machine: '', listeners: [] }) }).details?.[1]).toBe(
      'Machine ?, CPU x86; listening: nothing.',
    );
    expect(judge({ place: here, env: { DISABLE_AI_GATEWAY: '1' } }).details?.[0]).toMatch(/no server of the image runs/);
  });
});

describe('gateway-container rules', () => {
  it('binders: defaults, the image, the Duo Workflow Service', () => {
    expect(binders({}).map((b) => [b.variable, b.port])).toEqual([
      ['AIGW_FASTAPI__API_PORT', 5000],
      ['AIGW_FASTAPI__METRICS_PORT', 8082],
    ]);
    expect(binders({ ENABLE_DUO_WORKFLOW_SERVICE: 'true' }).map((b) => b.port)).toEqual([5000, 8082, 50052]);
    expect(binders({ AIGW_FASTAPI__METRICS_PORT: ' 9000 ' }).map((b) => b.port)).toEqual([5000, 9000]);
    expect(binders({ AIGW_FASTAPI__METRICS_PORT: '90a' }).map((b) => b.port)).toEqual([5000, Number.NaN]);
    expect(binders({ AIGW_FASTAPI__METRICS_PORT: 'a90' }).map((b) => b.port)).toEqual([5000, Number.NaN]);
    expect(binders({ AIGW_FASTAPI__METRICS_PORT: '0x10' }).map((b) => b.port)).toEqual([5000, Number.NaN]);
    expect(binders({ AIGW_FASTAPI__METRICS_PORT: '1e3' }).map((b) => b.port)).toEqual([5000, Number.NaN]);
    expect(binders({ ENABLE_DUO_WORKFLOW_SERVICE: 'true', PROMETHEUS_METRICS__ADDR: '0.0.0.0' }).map((b) => b.port)).toEqual([5000, 8082, 50052]);
  });

  it.each([
    ['x86_64', 'x86'],
    ['amd64', 'x86'],
    ['i686', 'x86'],
    ['aarch64', 'arm'],
    ['arm64', 'arm'],
    ['armv7l', 'arm'],
    ['armv7', 'arm'],
    ['armv10l', 'arm'],
    ['xaarch64', 'unknown'],
    ['s390x', 'unknown'],
    ['xx86_64', 'unknown'],
    ['x86_64x', 'unknown'],
    ['aarch64x', 'unknown'],
    ['', 'unknown'],
  ])('machineFamily(%s) = %s', (machine, family) => expect(machineFamily(machine)).toBe(family));

  it('parses the container probe', () => {
    const lines = new Map([
      ['probe', 'container'],
      ['machine', 'x86_64'],
      ['cpu', 'arm'],
      ['listen_0', '8082 0'],
      ['listen_1', '5052 1'],
      ['listen_2', 'junk'],
    ]);
    expect(parseContainer(lines)).toEqual({
      machine: 'x86_64',
      cpu: 'arm',
      listeners: [
        { port: 8082, held: false },
        { port: 5052, held: true },
      ],
    });
    expect(parseContainer(new Map([['cpu', 'mips']]))).toEqual({ machine: '', cpu: 'unknown', listeners: [] });
    expect(parseContainer(new Map([['cpu', 'x86']])).cpu).toBe('x86');
  });
});

describe('gateway-container gather', () => {
  it('reads the port variables of the gateway environment (AIGW_* in any case), nothing else', async () => {
    const ctx = makeContext({ env: { AIGW_GITLAB_URL: 'https://g', aigw_fastapi__metrics_port: '5000', port: '1', SECRET: 's' } });
    const outcome = await check.run(ctx);
    expect(outcome.findings?.map((f) => f.id)).toEqual(['portsClash']);
  });

  it('judges nothing on a host that is not the gateway', async () => {
    expect((await check.run(makeContext({ env: {} }))).findings?.map((f) => f.id)).toEqual(['notTheGateway']);
  });
});
