import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { createTestContext } from './context.js';

describe('createTestContext', () => {
  it('refuses a setting that neither core nor a given fragment declares, instead of using its default', async () => {
    await expect(createTestContext({ settings: { EDGE_LEAN_HTTP: 'false' } })).rejects.toThrow(
      /EDGE_LEAN_HTTP is not core settings: pass the service's settings fragment/,
    );
  });

  it("takes a fragment's setting when given the fragment", async () => {
    const fragment = { DEMO_KNOB: Type.Integer({ default: 1 }) };
    const ctx = await createTestContext({ settings: { DEMO_KNOB: '7' }, fragments: [fragment] });
    try {
      expect((ctx.settings as unknown as Record<string, unknown>).DEMO_KNOB).toBe(7);
    } finally {
      await ctx.cleanup();
    }
  });
});
