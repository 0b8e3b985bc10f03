// GraphQL for the few root fields duo-doctor asks for: find the query's root fields, answer each in GraphQL's envelope.

/** A root field the query selects: its response key (alias or name) and name. */
export interface RootField {
  key: string;
  name: string;
}

/** The GraphQL response envelope. */
export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/**
 * The root fields of a query document's first operation — a scanner, not a parser: it reads names at selection depth
 * one, skipping arguments and nested selections. Throws a message GraphQL would give for what it cannot read.
 */
export function rootFields(query: string): RootField[] {
  const src = query.replace(/#[^\n]*/g, '');
  const open = src.indexOf('{');
  if (open < 0) throw new Error('Unexpected end of document');
  const head = src.slice(0, open).trim();
  if (head && !/^query\b/.test(head)) throw new Error(`Only queries are supported, not "${head.split(/\s/)[0]}"`);
  const fields: RootField[] = [];
  let i = open + 1;
  let pendingAlias: string | undefined;
  while (i < src.length) {
    const ch = src[i] as string;
    if (ch === '}') return fields;
    if (ch === '(' || ch === '{') {
      i = skipBalanced(src, i);
      continue;
    }
    const name = /^[_A-Za-z][_0-9A-Za-z]*/.exec(src.slice(i))?.[0];
    if (name) {
      i += name.length;
      const rest = src.slice(i).trimStart();
      if (rest.startsWith(':')) {
        pendingAlias = name;
        i = src.length - rest.length + 1;
      } else {
        fields.push({ key: pendingAlias ?? name, name });
        pendingAlias = undefined;
      }
      continue;
    }
    i++;
  }
  throw new Error('Unexpected end of document');
}

/** Index just past the bracket group opening at `start`. */
function skipBalanced(src: string, start: number): number {
  const close = src[start] === '(' ? ')' : '}';
  const openCh = src[start] as string;
  let depth = 0;
  for (let i = start; i < src.length; i++) {
    if (src[i] === openCh) depth++;
    else if (src[i] === close && --depth === 0) return i + 1;
  }
  return src.length;
}

/** What resolving a field gives: a value, or null with an error (e.g. no permission). */
export type Resolved = { value: unknown } | { error: string };
export type Resolver = () => Promise<Resolved> | Resolved;

/** The message GitLab gives for a field the caller may not read. */
export const NO_PERMISSION = "The resource that you are attempting to access does not exist or you don't have permission to perform this action";

/** Executes a query against named resolvers: unknown fields fail validation (no data), others resolve in parallel. */
export async function execute(query: string, resolvers: Readonly<Record<string, Resolver>>): Promise<GraphQLResponse> {
  let fields: RootField[];
  try {
    fields = rootFields(query);
  } catch (err) {
    return { errors: [{ message: (err as Error).message }] };
  }
  const unknown = fields.filter((f) => !Object.hasOwn(resolvers, f.name));
  if (unknown.length) {
    return {
      errors: unknown.map((f) => ({
        message: `Field '${f.name}' doesn't exist on type 'Query'`,
        path: ['query', f.name],
        extensions: { code: 'undefinedField', typeName: 'Query', fieldName: f.name },
      })),
    };
  }
  const resolved = await Promise.all(fields.map(async (f) => [f, await (resolvers[f.name] as Resolver)()] as const));
  const data: Record<string, unknown> = {};
  const errors: GraphQLResponse['errors'] = [];
  for (const [f, r] of resolved) {
    if ('error' in r) {
      data[f.key] = null;
      errors.push({ message: r.error, path: [f.key] });
    } else data[f.key] = r.value;
  }
  return errors.length ? { data, errors } : { data };
}
