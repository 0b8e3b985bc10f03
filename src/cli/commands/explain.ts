// `duo-doctor explain <id>`: what a check establishes, why it fails, how to fix it.
import { UsageError } from '../../config/errors.js';
import { didYouMean } from '../../config/suggest.js';
import { loadRegistry } from '../../registry/plugins.js';

export async function explainCommand(id: string, plugins: readonly string[] = []): Promise<number> {
  const checks = await loadRegistry(plugins);
  const check = checks.find((c) => c.id === id);
  if (!check)
    throw new UsageError(
      `explain ${id}: no such check${didYouMean(
        id,
        checks.map((c) => c.id),
      )} (see 'duo-doctor list')`,
    );
  const lines = [
    `${check.id} — ${check.title}`,
    `category: ${check.category}; tags: ${check.tags.join(', ') || 'none'}` +
      (check.dependsOn?.length ? `; depends on: ${check.dependsOn.join(', ')}` : '') +
      (check.needs?.length ? `; needs: ${check.needs.join(', ')}` : ''),
    '',
    'What it checks:',
    `  ${check.explain.checks}`,
    '',
    'When it fails:',
    `  ${check.explain.failsWhen}`,
    '',
    'How to fix it:',
    ...check.explain.fix.split('\n').map((l) => `  ${l}`),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return 0;
}
