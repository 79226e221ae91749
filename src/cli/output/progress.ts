import cliProgress from 'cli-progress';

export interface ProgressBar {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr, only at a terminal (scripts and logs get the result alone), and only
 * once the work is big enough (`minTotal`) to be worth watching.
 */
export function progressBar(label: string, unit: string, minTotal = 0): ProgressBar | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  return {
    update: (done, total) => {
      if (total < minTotal) return;
      if (bar === undefined) {
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit}`,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}
