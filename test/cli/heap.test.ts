import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heapFlags } from '../../src/cli/heap.js';

const DEFAULT = { flags: ['--max-old-space-size=128', '--max-semi-space-size=2'] };

describe('the heap limits of kei-oss serve (decision 0016)', () => {
  it('are 128 MB old space and 2 MB semi-space unless the operator chose', () => {
    expect(heapFlags({}, [])).toEqual(DEFAULT);
    expect(heapFlags({ NODE_OPTIONS: '--enable-source-maps' }, [])).toEqual(DEFAULT);
    expect(heapFlags({ KEI_OSS_HEAP_MB: '' }, [])).toEqual(DEFAULT);
  });

  it('take the old space from KEI_OSS_HEAP_MB, or none with off', () => {
    expect(heapFlags({ KEI_OSS_HEAP_MB: '256' }, [])).toEqual({ flags: ['--max-old-space-size=256', '--max-semi-space-size=2'] });
    expect(heapFlags({ KEI_OSS_HEAP_MB: 'off' }, [])).toEqual({ flags: null, why: 'KEI_OSS_HEAP_MB=off' });
    expect(heapFlags({ KEI_OSS_HEAP_MB: 'OFF' }, [])).toEqual({ flags: null, why: 'KEI_OSS_HEAP_MB=off' });
  });

  it('refuse a KEI_OSS_HEAP_MB that is not a whole number of at least 64', () => {
    for (const bad of ['12', '128MB', '-1', '1e3', '0'])
      expect(heapFlags({ KEI_OSS_HEAP_MB: bad }, [])).toEqual({ error: `KEI_OSS_HEAP_MB must be a whole number of MB, at least 64, or off (was "${bad}")` });
  });

  it("leave the operator's own settings alone: heap flags in NODE_OPTIONS, or node started with flags", () => {
    expect(heapFlags({ NODE_OPTIONS: '--max-old-space-size=512' }, [])).toEqual({ flags: null, why: 'NODE_OPTIONS sets the heap' });
    expect(heapFlags({ NODE_OPTIONS: '--max_semi_space_size=8' }, [])).toEqual({ flags: null, why: 'NODE_OPTIONS sets the heap' });
    expect(heapFlags({}, ['--inspect'])).toEqual({ flags: null, why: 'node was started with flags of its own' });
    expect(heapFlags({ KEI_OSS_HEAP_MB: '256' }, ['--inspect', '--max-old-space-size=128'])).toEqual({ flags: null, why: 'node was started with flags of its own' });
  });

  it('run in the process npm start began, whose heap flags are the defaults (one process)', () => {
    const start = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { scripts: { start: string } };
    expect(start.scripts.start).toBe(`node ${DEFAULT.flags.join(' ')} dist/src/cli.js serve`);
    expect(heapFlags({}, DEFAULT.flags)).toEqual({ flags: null, why: 'the heap flags are already in effect' });
    expect(heapFlags({ KEI_OSS_HEAP_MB: '128' }, [...DEFAULT.flags].reverse())).toEqual({ flags: null, why: 'the heap flags are already in effect' });
    // Other settings asked for: started again with those (or with none: Node's own limits, NODE_OPTIONS's).
    expect(heapFlags({ KEI_OSS_HEAP_MB: '256' }, DEFAULT.flags)).toEqual({ flags: ['--max-old-space-size=256', '--max-semi-space-size=2'] });
    expect(heapFlags({ KEI_OSS_HEAP_MB: 'off' }, DEFAULT.flags)).toEqual({ flags: [] });
    expect(heapFlags({ NODE_OPTIONS: '--max-old-space-size=512' }, DEFAULT.flags)).toEqual({ flags: [] });
    expect(heapFlags({ KEI_OSS_HEAP_MB: 'x' }, DEFAULT.flags)).toEqual({ error: 'KEI_OSS_HEAP_MB must be a whole number of MB, at least 64, or off (was "x")' });
  });

  it('start the command again under the limits, and exit with its code', () => {
    const probe = join(import.meta.dirname, 'fixtures/heap-probe.ts');
    const run = (env: Record<string, string>, args: string[], nodeFlags: string[] = []) =>
      spawnSync(process.execPath, [...nodeFlags, probe, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '--import tsx', ...env } });

    const relaunched = run({}, ['serve']);
    expect(relaunched.status).toBe(7);
    const child = JSON.parse(relaunched.stdout) as { execArgv: string[]; heapLimitMb: number; parent: string | null };
    expect(child.execArgv).toEqual(['--max-old-space-size=128', '--max-semi-space-size=2']);
    expect(child.parent).toMatch(/^\d+$/);
    // V8's limit is the old space plus the young generation (three semi-spaces of 2 MB).
    expect(child.heapLimitMb).toBe(134);

    const own = JSON.parse(run({ KEI_OSS_HEAP_MB: 'off' }, ['serve']).stdout) as { execArgv: string[]; parent: string | null };
    expect(own.execArgv).toEqual([]);
    expect(own.parent).toBeNull();
    // As npm start runs it: the flags given to node, one process.
    const once = JSON.parse(run({}, ['serve'], DEFAULT.flags).stdout) as { execArgv: string[]; heapLimitMb: number; parent: string | null };
    expect(once).toEqual({ execArgv: DEFAULT.flags, heapLimitMb: 134, parent: null });
    // …and started again when KEI_OSS_HEAP_MB asks for other limits.
    const other = JSON.parse(run({ KEI_OSS_HEAP_MB: '256' }, ['serve'], DEFAULT.flags).stdout) as { execArgv: string[]; parent: string | null };
    expect(other.execArgv).toEqual(['--max-old-space-size=256', '--max-semi-space-size=2']);
    expect(other.parent).toMatch(/^\d+$/);
    // Other commands are never started again.
    expect((JSON.parse(run({}, ['migrate']).stdout) as { execArgv: string[] }).execArgv).toEqual([]);
  });
});
