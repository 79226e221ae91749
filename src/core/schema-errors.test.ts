import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { checkedPipeline, pipelineSchema } from '../crm/pipeline-config.js';
import { describeSchemaError } from './schema-errors.js';

const stage = { name: 'Won', phase: 'decision', outcome: 'won', probability: 1 };
const pipeline = (change: Record<string, unknown>) => ({
  name: 'Sales',
  stages: [{ ...stage, ...change }],
});
const checkPipeline = Compile(pipelineSchema);
const messageOf = (raw: unknown, checked?: { value: unknown }) =>
  describeSchemaError(checkPipeline.Errors(raw), 'pipeline', checked);

describe('describeSchemaError', () => {
  it('lists a null beside the constants of a choice as one more value it takes', () => {
    expect(() => checkedPipeline(pipeline({ outcome: 'maybe' }))).toThrowError(
      /^stages\.0\.outcome: expected "won", "lost" or null, got "maybe"$/,
    );
    expect(messageOf(pipeline({ phase: 'later' }))).toBe(
      'stages.0.phase: expected "awareness", "consideration" or "decision"',
    );
    // Not a string at all: each constant's branch also fails on the type, which says no more.
    expect(messageOf(pipeline({ outcome: 5 }))).toBe(
      'stages.0.outcome: expected "won", "lost" or null',
    );
  });

  it('says what the choice got when given the value checked', () => {
    const raw = pipeline({ outcome: 'maybe' });
    expect(messageOf(raw, { value: raw })).toBe(
      'stages.0.outcome: expected "won", "lost" or null, got "maybe"',
    );
    const object = pipeline({ outcome: { note: 'x'.repeat(100) } });
    expect(messageOf(object, { value: object })).toBe(
      `stages.0.outcome: expected "won", "lost" or null, got {"note":"${'x'.repeat(51)}…`,
    );
  });

  it('leaves a choice of types with a null as the branches say it', () => {
    const nullable = Type.Object({ note: Type.Union([Type.String(), Type.Null()]) });
    expect(describeSchemaError(Compile(nullable).Errors({ note: 5 }), 'body')).toBe(
      'note: must be string, or must be null',
    );
  });
});
