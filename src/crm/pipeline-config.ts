import Type from 'typebox';
import { Compile } from 'typebox/compile';
import type { Pipeline } from '../core/deals.js';
import { ClosedloopError } from '../core/errors.js';
import { describeSchemaError } from '../core/schema-errors.js';

/** A pipeline as the CLI and the API accept it: its stages in funnel order. */
export const pipelineSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    stages: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 200 }),
          phase: Type.Union([
            Type.Literal('awareness'),
            Type.Literal('consideration'),
            Type.Literal('decision'),
          ]),
          outcome: Type.Union([Type.Literal('won'), Type.Literal('lost'), Type.Null()]),
          probability: Type.Number({ minimum: 0, maximum: 1 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

const check = Compile(pipelineSchema);

/**
 * A pipeline to save, checked: the shape, then what a funnel needs — stage names unique, open
 * stages before the closing ones. (A pipeline may lack a won stage: some CRMs, Pipedrive among
 * them, keep won and lost in a status beside the stage.) Errors name the field.
 */
export function checkedPipeline(raw: unknown): Pipeline {
  if (!check.Check(raw)) {
    throw invalid(describeSchemaError(check.Errors(raw), 'pipeline', { value: raw }));
  }
  const pipeline = raw as Pipeline;
  const names = new Set<string>();
  let closingSeen = false;
  for (const [i, stage] of pipeline.stages.entries()) {
    if (names.has(stage.name)) throw invalid(`stages.${i}.name: "${stage.name}" appears twice`);
    names.add(stage.name);
    if (stage.outcome !== null) closingSeen = true;
    else if (closingSeen) {
      throw invalid(`stages.${i}: open stage "${stage.name}" must come before the closing stages`);
    }
  }
  return pipeline;
}

const invalid = (message: string) => new ClosedloopError('CL_ERR_CONFIG', message);
