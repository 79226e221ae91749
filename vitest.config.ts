import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tracker/test/*.test.ts'],
    // A timeout only catches a hang: the slowest tests take about 10 s here, and a slower or
    // loaded machine must not fail them.
    testTimeout: 180_000,
  },
});
