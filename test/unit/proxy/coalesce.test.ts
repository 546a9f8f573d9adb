import { Coalescer } from '../../../lib/proxy/coalesce.js';

describe('Coalescer', () => {
  it('runs identical work once for callers that arrive while it runs', async () => {
    const c = new Coalescer<number>();
    let runs = 0;
    let release!: (n: number) => void;
    const work = () => {
      runs++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const first = c.run('k', work);
    const second = c.run('k', work);
    expect([first.shared, second.shared]).toEqual([false, true]);
    release(42);
    await expect(Promise.all([first.promise, second.promise])).resolves.toEqual([42, 42]);
    expect(runs).toBe(1);
  });

  it('forgets the work once it settled, so the next caller runs it again', async () => {
    const c = new Coalescer<string>();
    await c.run('k', async () => 'a').promise;
    expect(c.size).toBe(0);
    const again = c.run('k', async () => 'b');
    expect(again.shared).toBe(false);
    await expect(again.promise).resolves.toBe('b');
  });

  it('shares a failure with every waiting caller and then forgets it', async () => {
    const c = new Coalescer<string>();
    let fail!: (e: Error) => void;
    const a = c.run('k', () => new Promise<string>((_, reject) => (fail = reject)));
    const b = c.run('k', async () => 'never');
    fail(new Error('upstream down'));
    await expect(a.promise).rejects.toThrow('upstream down');
    await expect(b.promise).rejects.toThrow('upstream down');
    expect(c.size).toBe(0);
  });

  it('keeps different keys apart', async () => {
    const c = new Coalescer<string>();
    const a = c.run('a', async () => 'A');
    const b = c.run('b', async () => 'B');
    expect(b.shared).toBe(false);
    await expect(Promise.all([a.promise, b.promise])).resolves.toEqual(['A', 'B']);
  });
});
