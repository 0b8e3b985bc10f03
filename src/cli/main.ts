// The command line: commander wiring only; each command's work is loaded when that command runs.
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../config/errors.js';
import { TOOL_VERSION } from '../version.js';
import { errorMessage } from '../error-message.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds the options shared by `check`, `demo` and `serve`. */
export function addCheckOptions(cmd: Command): Command {
  return cmd
    .option('--gitlab-url <url>', 'GitLab instance URL (env DUO_DOCTOR_GITLAB_URL)')
    .option('--gateway-url <url>', "AI gateway URL (env AI_GATEWAY_URL; else GitLab's own setting)")
    .option('--gitlab-token-file <file>', 'file holding an administrator personal access token (else env GITLAB_TOKEN)')
    .option('--ca-file <file>', 'extra CA bundle to trust (PEM)')
    .option('--tmp-dir <dir>', 'temporary directory the gateway writes (default /tmp)')
    .option('--hf-home <dir>', "the gateway's HF_HOME (default: its HF_HOME, else /home/aigateway/.hf)")
    .option('--exec <prefix>', 'run runtime probes through this command prefix, e.g. "docker exec gitlab-aigw"')
    .option('--only <ids|tags>', 'run only these checks (comma-separated ids, tags or categories, repeatable)', collect)
    .option('--skip <ids|tags>', 'skip these checks (comma-separated ids, tags or categories, repeatable)', collect)
    .option('--plugin <file>', 'load extra checks from a JavaScript module (repeatable)', collect)
    .option('--format <format>', 'text | table | json | junit | markdown | tap | prometheus (default text)')
    .option('--output <file>', 'write the --format output to a file instead of stdout')
    .option('--report <format=file>', 'also write FORMAT to FILE (repeatable)', collect)
    .option('--timeout <ms>', 'per-check timeout in milliseconds (default 10000)')
    .option('--concurrency <n>', 'checks run at once (default: all independent checks)')
    .option('--strict', 'warnings fail the run (exit 1)')
    .option('--config <file>', 'config file (YAML or JSON); flags win over env, env over the file')
    .option('--gateway-version <version>', 'the gateway version or image tag, e.g. self-hosted-v18.6.0-ee')
    .option('--gateway-image-tag <tag>', 'alias of --gateway-version')
    .option('--target-version <x.y.z>', 'the GitLab version you plan to upgrade to (pre-upgrade gate)')
    .option('--expiry-warn-days <days>', 'warn when a certificate or license expires within this many days (default 30)')
    .option('--deep', 'run slow probes too (a long-held stream through the proxy)')
    .option('--deep-seconds <s>', 'how long --deep holds a stream open (default 75)')
    .addOption(new Option('--gitlab-token <token>').hideHelp().argParser(() => {
      throw new UsageError('the GitLab token is never taken as a flag value (it would land in shell history and process lists): use GITLAB_TOKEN or --gitlab-token-file');
    }));
}

/** Builds the program; `run` returns the exit code. */
export function buildProgram(): Command {
  const program = new Command('duo-doctor')
    .description('Diagnoses a self-hosted GitLab Duo installation: GitLab, the AI gateway, and the proxy, certificates and keys between them.')
    .version(TOOL_VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  addCheckOptions(program.command('check').description('run the checks and report'))
    .action(async (opts) => {
      const { checkCommand } = await import('./commands/check.js');
      process.exitCode = await checkCommand(opts);
    });

  addCheckOptions(program.command('serve').description('run the checks on an interval and serve /healthz, /results and /metrics'))
    .option('--port <port>', 'port to listen on (default 9400)')
    .option('--host <host>', 'address to listen on (default 0.0.0.0)')
    .option('--interval <duration>', 'time between runs, e.g. 30s, 5m (default 60s)')
    .action(async (opts) => {
      const { serveCommand } = await import('./commands/serve.js');
      process.exitCode = await serveCommand(opts);
    });

  addCheckOptions(program.command('demo').description('start a reference GitLab and gateway on loopback (a healthy or a broken installation) and check them'))
    .option('--scenario <name>', 'the installation to start (default healthy; see --list-scenarios)')
    .option('--list-scenarios', 'list the scenarios, one per line, name first')
    .action(async (opts) => {
      const { demoCommand } = await import('./commands/demo.js');
      process.exitCode = await demoCommand(opts);
    });

  program
    .command('gateway')
    .description('run the reference AI gateway (configured by AIGW_* like the real one)')
    .option('--port <port>', 'port (default 5052)')
    .option('--host <host>', 'address (default 127.0.0.1)')
    .option('--jwks-cache-seconds <s>', "how long GitLab's key set is cached (default 86400)")
    .option('--image-tag <tag>', 'the image tag it reports (default self-hosted-v19.4.1-ee)')
    .option('--latency <ms>', 'added to every response')
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
    .action(async (id: string) => {
      const { explainCommand } = await import('./commands/explain.js');
      process.exitCode = await explainCommand(id);
    });

  return program;
}

/** Runs the CLI with `argv` (process.argv); usage errors are one line on stderr and exit code 2. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version exit 0; commander already printed its one-line error otherwise.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`duo-doctor: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`duo-doctor: internal error: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  }
}
