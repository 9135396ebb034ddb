import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import { loadConfigFiles } from '../config/load.js';
import { redactSecrets, secretsOf } from '../config/redact.js';
import { configJsonSchema } from '../config/schema.js';
import { Engine } from '../engine.js';
import { didYouMean, TributaryError } from '../errors.js';
import { renderDot, renderMermaid } from '../graph/render.js';
import { type CliContext, pluginSignals } from '../plugin.js';
import { defaultConfigPath } from './package-root.js';
import { runUntilSignalled } from './run.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const configOption = (required: boolean) => {
  const option = new Option(
    '-c, --config <file>',
    'a YAML config file; repeat to merge several in order',
  ).argParser(collect);
  return required ? option.makeOptionMandatory() : option;
};

/** The built-in commands: run, validate, components, graph, print-config, schema. */
export function addCommands(program: Command, cli: CliContext): void {
  const engineFrom = (files: string[]) => Engine.fromFile(files, cli);

  program
    .command('run', { isDefault: true })
    .description('run the engine (config/default.yaml when no --config is given)')
    .addOption(configOption(false))
    // As the default command it also receives mistyped command names: answer those, not "too many arguments".
    .allowExcessArguments(true)
    .action(async (o: { config?: string[] }, command: Command) => {
      const [word] = command.args;
      if (word !== undefined) {
        const names = program.commands.map((c) => c.name());
        throw new TributaryError(
          'TRB_CLI_UNKNOWN_COMMAND',
          `unknown command "${word}"`,
          {},
          didYouMean(word, names),
        );
      }
      const files = o.config ?? [defaultConfigPath()];
      // SIGHUP reads the same files again.
      await runUntilSignalled(await engineFrom(files), () => loadConfigFiles(files));
    });

  program
    .command('validate')
    .description('check a config and compile its graph without starting anything; exit 1 on errors')
    .addOption(configOption(true))
    .action(async (o: { config: string[] }) => {
      const { graph } = await (await engineFrom(o.config)).validate();
      process.stderr.write(
        `${o.config.join(', ')}: valid (${graph.pipelines.size} pipelines, ${graph.nodes.length} nodes)\n`,
      );
    });

  program
    .command('components')
    .description('list every registered plugin with its kind, signals and stability')
    .option('--json', 'print JSON')
    .addOption(configOption(false).hideHelp())
    .action(async (o: { json?: boolean; config?: string[] }) => {
      const engine = await engineFrom(o.config ?? []);
      if (o.config) await engine.validate();
      const rows = engine.registry.list().map((p) => ({
        kind: p.kind,
        type: p.type,
        signals: pluginSignals(p),
        stability: p.stability,
        ...(p.description ? { description: p.description } : {}),
      }));
      if (o.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      for (const r of rows) {
        const stability = Object.entries(r.stability)
          .map(([s, level]) => `${s}: ${level}`)
          .join(', ');
        process.stdout.write(`${r.kind.padEnd(10)} ${r.type.padEnd(18)} ${stability}\n`);
      }
    });

  program
    .command('graph')
    .description("draw the config's pipeline graph")
    .addOption(configOption(true))
    .addOption(
      new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'),
    )
    .action(async (o: { config: string[]; format: 'mermaid' | 'dot' }) => {
      const { graph } = await (await engineFrom(o.config)).validate();
      process.stdout.write(o.format === 'dot' ? renderDot(graph) : renderMermaid(graph));
    });

  program
    .command('print-config')
    .description('print the merged config with ${env:...} expanded and secrets redacted')
    .addOption(configOption(true))
    .action(async (o: { config: string[] }) => {
      const engine = await engineFrom(o.config);
      await engine.validate();
      const { value } = engine.source;
      process.stdout.write(stringify(redactSecrets(value, secretsOf(value))));
    });

  program
    .command('schema')
    .description('write the JSON Schema of the config (every registered plugin) for editors')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (o: { output?: string }) => {
      const engine = await engineFrom([]);
      const text = `${JSON.stringify(configJsonSchema(engine.registry), null, 2)}\n`;
      if (o.output) await writeFile(o.output, text);
      else process.stdout.write(text);
    });
}
