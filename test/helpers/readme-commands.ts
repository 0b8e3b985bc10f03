// The shell commands README.md gives, so the install tests run exactly what the README tells users to run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli.js';

/** Every line of the ```sh blocks in the section under `heading` (e.g. '## Install', to the next heading of its level or above), comments removed. */
export function readmeCommands(heading: string): string[] {
  const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const level = heading.indexOf(' ');
  const next = new RegExp(`\\n#{1,${level}} `, 'g');
  next.lastIndex = start + heading.length + 1;
  const end = next.exec(text)?.index;
  const section = text.slice(start, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split('\n'))
    .map((line) =>
      line
        .replace(/\s+#\s.*$/, '')
        .replace(/^#\s.*$/, '')
        .trim(),
    )
    .filter(Boolean);
}

/** The one README command under `heading` that `pattern` matches; throws when there is none, or more than one. */
export function readmeCommand(heading: string, pattern: RegExp): string {
  const matches = readmeCommands(heading).filter((line) => pattern.test(line));
  if (matches.length !== 1) throw new Error(`README.md "${heading}": ${matches.length} commands match ${pattern}`);
  return matches[0]!;
}
