import { describe, expect, it } from 'vitest';
import { formatByName, formatNames } from './index.js';

describe('formatByName', () => {
  it('finds every format by its name', () => {
    expect(formatNames).toEqual(['closedloop', 'salesforce', 'hubspot', 'pipedrive', 'maven']);
    for (const name of formatNames) expect(formatByName(name).name).toBe(name);
    expect(formatByName(' HubSpot ').name).toBe('hubspot');
  });
  it('refuses an unknown name, listing the known ones', () => {
    expect(() => formatByName('zoho')).toThrowError(
      '--format: expected one of closedloop, salesforce, hubspot, pipedrive, maven, got "zoho"',
    );
  });
});
