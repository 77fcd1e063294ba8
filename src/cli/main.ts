import { ConfigError } from '../config.js';
import { parse, UsageError } from './command.js';
import { commands } from './commands.js';

const MAIN_HELP = () => `kei-oss: 軽自動車OSS 申請状況照会システム / kei-car OSS application-status system

Usage: kei-oss <command> [options]
       kei-oss <command> --help

Commands:
${commands.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`).join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(MAIN_HELP());
    return name ? 0 : 1;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`unknown command: ${name}\n\n${MAIN_HELP()}`);
    return 2;
  }
  const { values, positionals } = parse(command, rest);
  if (values.help) {
    console.log(command.help);
    return 0;
  }
  return command.run(values, positionals);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`kei-oss: ${err.message}`);
      process.exitCode = 2;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
