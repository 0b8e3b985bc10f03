// ca-bundle under --exec: the variables and the bundle are read inside the "container" (a real `env -i` program), not here.
import { describe, expect, it } from 'vitest';
import check from '../../checks/ca-bundle.js';
import { makeContext } from '../helpers/context.js';
import { useTlsFixtures } from '../tls/fixtures.js';

const fixtures = useTlsFixtures();

describe('ca-bundle and the two gateway variables', () => {
  it('reads the variables and the bundle inside the container with --exec, not here', async () => {
    const f = fixtures();
    const outcome = await check.run(
      makeContext({
        exec: `env -i PATH=/usr/bin:/bin SSL_CERT_FILE=${f.bundles.missingEnd} REQUESTS_CA_BUNDLE=${f.bundles.missingEnd}`,
        env: { SSL_CERT_FILE: f.bundles.good, REQUESTS_CA_BUNDLE: f.bundles.good },
      }),
    );
    expect(outcome.findings?.map((x) => x.id)).toEqual(['badBlock', 'sameFile']);
  });
});
