import { it } from 'vitest';
import { buildChain } from '../../../src/pki/generate.js';
import { startDuoWorkflowService } from '../../../src/reference/duo-workflow/server.js';
import { listTools } from '../../../src/probes/duo-workflow/call.js';
import { http2Preface, parseAddress, tlsHandshake, tcpConnect } from '../../../src/probes/duo-workflow/transport.js';
it('scratch', async () => {
  const chain = buildChain({ host: '127.0.0.1' });
  const plain = await startDuoWorkflowService({ env: {}, log: () => {} });
  const secure = await startDuoWorkflowService({ env: {}, tls: { certPem: chain.chainPem, keyPem: chain.leaf.keyPem }, log: () => {} });
  for (const [name, s] of [['plain', plain], ['tls', secure]] as const) {
    const at = parseAddress(s.address)!;
    console.log(name, await tcpConnect(at, 2000), await tlsHandshake(at, [chain.root.certPem], 2000), await http2Preface(at, 2000));
    console.log(name, 'insecure call', await listTools({ address: s.address, secure: false, metadata: {}, timeoutMs: 3000 }));
    console.log(name, 'secure call', await listTools({ address: s.address, secure: true, ca: [chain.root.certPem], metadata: {}, timeoutMs: 3000 }));
  }
  await plain.close(); await secure.close();
}, 30000);
