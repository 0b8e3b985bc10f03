// The command line: commander wiring only; each command's work is loaded when that command runs.
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../config/errors.js';
import { TOOL_VERSION } from '../version.js';
import { errorMessage } from '../error-message.js';
import { defaultLabel, flagUsage, optionsOf, type OptionCommand, type OptionSpec } from '../config/options.js';
import { redactText } from '../redact.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Help text of an option for --help: its help (Markdown code marks dropped), its variable and its default. */
function helpOf(o: OptionSpec): string {
  const def = defaultLabel(o);
  const extras = [o.env ? `env ${o.env}` : undefined, def !== undefined ? `default ${def}` : undefined].filter(Boolean);
  return `${o.help.replace(/`/g, '')}${extras.length ? ` (${extras.join('; ')})` : ''}`;
}

/** Adds `command`'s options from the option table (demo leaves out what names an installation: it brings its own). */
export function addCheckOptions(cmd: Command, command: OptionCommand = 'check'): Command {
  for (const o of optionsOf(command) as OptionSpec[]) {
    if (command === 'demo' && o.perTarget) continue;
    const option = new Option(flagUsage(o), helpOf(o));
    cmd.addOption(o.type === 'string[]' ? option.argParser(collect) : option);
  }
  return cmd.addOption(
    new Option('--gitlab-token <token>').hideHelp().argParser(() => {
      throw new UsageError(
        'the GitLab token is never taken as a flag value (it would land in shell history and process lists): use GITLAB_TOKEN or --gitlab-token-file',
      );
    }),
  );
}

/** The variables the reference gateway reads (src/reference/gateway/config.ts), for its --help. */
const GATEWAY_ENV: readonly [name: string, what: string][] = [
  // The real gateway defaults it to https://gitlab.com (ai_gateway/config.py); the reference, on loopback only, fetches nothing.
  ['AIGW_GITLAB_URL', "GitLab's URL: where the gateway fetches the keys that sign GitLab's tokens (unset: no keys, every token refused)"],
  ['AIGW_AUTH__BYPASS_EXTERNAL', 'true: accept requests without a token (never in production)'],
  ['REQUESTS_CA_BUNDLE', 'CA bundle trusted for requests to GitLab'],
  ['SSL_CERT_FILE', 'CA bundle trusted for requests to GitLab (when REQUESTS_CA_BUNDLE is unset)'],
];

/** Builds the program; `run` returns the exit code. */
export function buildProgram(): Command {
  const program = new Command('duo-doctor')
    .description('Diagnoses a self-hosted GitLab Duo installation: GitLab, the AI gateway, and the proxy, certificates and keys between them.')
    .version(TOOL_VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(redactText(s)) });

  addCheckOptions(program.command('check').description('run the checks and report')).action(async (opts) => {
    const { checkCommand } = await import('./commands/check.js');
    process.exitCode = await checkCommand(opts);
  });

  addCheckOptions(program.command('serve').description('run the checks on an interval and serve /healthz, /results and /metrics'), 'serve').action(
    async (opts) => {
      const { serveCommand } = await import('./commands/serve.js');
      process.exitCode = await serveCommand(opts);
    },
  );

  addCheckOptions(
    program.command('demo').description('start a reference GitLab and gateway on loopback (a healthy or a broken installation) and check them'),
    'demo',
  )
    .option('--scenario <name>', 'the installation to start (default healthy; see --list-scenarios)')
    .option('--list-scenarios', 'list the scenarios (one per line, name first; --format json for JSON)')
    .action(async (opts) => {
      const { demoCommand } = await import('./commands/demo.js');
      process.exitCode = await demoCommand(opts);
    });

  addCheckOptions(
    program
      .command('replay')
      .description("judge a recording (check --record DIR) again with this version's checks, offline")
      .argument('<dir>', 'the recording directory (or recording/ of an unpacked support bundle)'),
    'replay',
  ).action(async (dir: string, opts) => {
    const { replayCommand } = await import('./commands/replay.js');
    process.exitCode = await replayCommand(dir, opts);
  });

  program
    .command('gateway')
    .description('run the reference AI gateway (configured by AIGW_* like the real one)')
    .option('--port <port>', 'port (default 5052)')
    .option('--host <host>', 'address (default 127.0.0.1)')
    .option('--jwks-cache-seconds <s>', "how long GitLab's key set is cached (default 86400)")
    .option('--image-tag <tag>', 'the image tag it reports (default self-hosted-v19.4.1-ee)')
    .option('--latency <ms>', 'added to every response')
    .addHelpText(
      'after',
      `\nEnvironment (read as the real gateway reads it):\n${GATEWAY_ENV.map(([name, what]) => `  ${name.padEnd(28)} ${what}`).join('\n')}\n`,
    )
    .action(async (opts) => {
      const { gatewayCommand } = await import('./commands/reference.js');
      process.exitCode = await gatewayCommand(opts);
    });

  program
    .command('gitlab')
    .description('run the reference GitLab (admin token from GITLAB_TOKEN or --token-file, else generated and printed once)')
    .option('--port <port>', 'port (default: a free one)')
    .option('--host <host>', 'address (default 127.0.0.1)')
    .option('--scenario <name>', "a scenario's GitLab side (license, keys, clock, ...)")
    .option('--token-file <file>', 'file holding the admin token to accept')
    .option('--gateway-url <url>', 'its ai_gateway_url setting (else AI_GATEWAY_URL)')
    .option('--https', 'serve https with a generated private-CA chain')
    .option('--ca-out <file>', 'with --https: write the CA root to this file')
    .option('--models <file>', 'its self-hosted models, JSON as GitLab lists them (name, model, endpoint, identifier, hasApiToken, releaseState)')
    .option('--latency <ms>', 'added to every response')
    .action(async (opts) => {
      const { gitlabCommand } = await import('./commands/reference.js');
      process.exitCode = await gitlabCommand(opts);
    });

  program
    .command('list')
    .description('list every check: id, category, title, tags')
    .option('--format <format>', 'text | json', 'text')
    .option('--plugin <file>', 'include checks from a plugin module (repeatable)', collect)
    .action(async (opts) => {
      const { listCommand } = await import('./commands/list.js');
      process.exitCode = await listCommand(opts);
    });

  program
    .command('explain')
    .description('what a check establishes, why it fails, and how to fix it')
    .argument('<id>', 'check id (see duo-doctor list)')
    .option('--plugin <file>', 'include checks from a plugin module (repeatable)', collect)
    .action(async (id: string, opts: { plugin?: string[] }) => {
      const { explainCommand } = await import('./commands/explain.js');
      process.exitCode = await explainCommand(id, opts.plugin ?? []);
    });

  return program;
}

/** Runs the CLI with `argv` (process.argv); usage errors are one line on stderr and exit code 2. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    reportError(error);
  }
  // The command is done: a plugin's timer or a probe's socket abandoned at a timeout must not keep the process alive.
  // Unreferenced, so a process with nothing left exits at once; otherwise output has had time to flush.
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

/** After a command returns, how long the process may linger for output still being flushed. */
const EXIT_GRACE_MS = 1000;

/** Usage errors are one line on stderr and exit code 2; anything else is an internal error (exit 1). */
function reportError(error: unknown): void {
  if (error instanceof CommanderError) {
    // Help and --version exit 0; commander already printed its one-line error otherwise.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
    return;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`duo-doctor: ${redactText(error.message)}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`duo-doctor: internal error: ${redactText(errorMessage(error))}\n`);
  process.exitCode = 1;
}
