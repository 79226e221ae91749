import { Command, CommanderError } from 'commander';
import { registerAttribute } from './commands/attribute.js';
import { registerBacktest } from './commands/backtest.js';
import { registerChannels } from './commands/channels.js';
import { registerDemo } from './commands/demo.js';
import { registerForecast } from './commands/forecast.js';
import { registerFunnel } from './commands/funnel.js';
import { registerImport } from './commands/import.js';
import { registerJourney } from './commands/journey.js';
import { registerPipeline } from './commands/pipeline.js';
import { registerServe } from './commands/serve.js';
import { registerTarget } from './commands/target.js';
import { registerWorkspace } from './commands/workspace.js';
import { exitCodes, oneLine, reportError } from './exit.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('closedloop')
    .description('Closed-loop marketing attribution and predictable revenue')
    .exitOverride()
    .configureOutput({
      // Commander's own errors (unknown option, missing argument) become one CL_ERR_USAGE line;
      // its suggestion, on a line of its own, joins the message.
      outputError: (text, write) =>
        write(
          `closedloop: CL_ERR_USAGE: ${oneLine(text.replace(/^error: /, '')).replace('(Did you mean', '(did you mean')}\n`,
        ),
    });
  registerAttribute(program);
  registerChannels(program);
  registerDemo(program);
  registerServe(program);
  registerWorkspace(program);
  registerJourney(program);
  registerImport(program);
  registerFunnel(program);
  registerTarget(program);
  registerForecast(program);
  registerBacktest(program);
  registerPipeline(program);
  try {
    await program.parseAsync(argv as string[]);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.badInput;
    }
    return reportError(error);
  }
}
