// The support bundle: one .tar.gz with the text and JSON reports, the recording, and a README saying what it holds
// and what was removed — for a ticket, when support cannot reach the installation.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOOL_VERSION } from '../version.js';
import { tarGz, type TarFile } from './tar.js';

function readme(recordedAt: string, recordingFiles: readonly string[]): string {
  return `duo-doctor support bundle
=========================
Made by duo-doctor ${TOOL_VERSION} on ${recordedAt}.

What it holds
- report.txt        the run as the on-call engineer saw it (text report)
- report.json       the same run, machine-readable (schemaVersion 1)
${recordingFiles.map((f) => `- recording/${f.padEnd(17)}${describe(f)}`).join('\n')}

Replay it anywhere, offline, with the judges of any duo-doctor version:
  mkdir rec && tar -xzf <this file> -C rec && duo-doctor replay rec/recording

What was removed before anything was written
- the GitLab token of every target (it is never recorded), wherever it appeared;
- the values of Authorization, PRIVATE-TOKEN, Cookie, Set-Cookie and other credential headers (the headers stay, marked [REDACTED]);
- user:password@ in URLs and secret query parameters (private_token, access_token, token, ...);
- JWT signatures (header and claims are kept: they are what a judge reads), GitLab tokens (glpat-...), secret-named JSON members;
- the environment except the variables the gateway reads (AIGW_*, SSL_CERT_FILE, REQUESTS_CA_BUNDLE, proxies, HF_*), secret-named values masked.
Certificates are public data and are kept whole.
`;
}

function describe(file: string): string {
  if (file === 'recording.json') return "the facts each check gathered, the settings (no token), the run's result";
  if (file === 'exchanges.har') return "every HTTP exchange (HAR 1.2: open it in a browser's developer tools)";
  return 'a certificate chain as the server presented it (PEM)';
}

/** Writes the bundle to `file`: reports, the recording already written to `recordingDir`, and the README. */
export async function writeBundle(
  file: string,
  o: { text: string; json: string; recordingDir: string; recordingFiles: readonly string[]; recordedAt: string },
): Promise<void> {
  const recording: TarFile[] = await Promise.all(
    o.recordingFiles.map(async (f) => ({ name: `recording/${f}`, content: await readFile(join(o.recordingDir, f)) })),
  );
  const files: TarFile[] = [
    { name: 'README.txt', content: readme(o.recordedAt, o.recordingFiles) },
    { name: 'report.txt', content: o.text },
    { name: 'report.json', content: o.json },
    ...recording,
  ];
  await writeFile(file, tarGz(files));
}
