// `duo-doctor list`: every check with its id, category, title and tags, as text or JSON.
import { UsageError } from '../../config/errors.js';
import { loadRegistry } from '../../registry/plugins.js';

export async function listCommand(opts: { format?: string; plugin?: string[] }): Promise<number> {
  if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError(`--format ${opts.format}: list writes text or json`);
  const checks = await loadRegistry(opts.plugin ?? []);
  if (opts.format === 'json') {
    const rows = checks.map((c) => ({
      id: c.id,
      category: c.category,
      title: c.title,
      tags: c.tags,
      dependsOn: c.dependsOn ?? [],
      needs: c.needs ?? [],
    }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const idWidth = Math.max(...checks.map((c) => c.id.length));
  const catWidth = Math.max(...checks.map((c) => c.category.length));
  for (const c of checks) {
    process.stdout.write(`${c.id.padEnd(idWidth)}  ${c.category.padEnd(catWidth)}  ${c.title}  [${c.tags.join(', ')}]\n`);
  }
  return 0;
}
