import { describe, expect, it } from 'vitest';
import { MemoryQueue } from '../../../core/exporterhelper/queue.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MemoryQueue', () => {
  it('hands items out first in, first out, and counts what it holds', async () => {
    const queue = new MemoryQueue<string>(3);
    await queue.offer('a');
    await queue.offer('b');
    expect(queue.size).toBe(2);
    expect(await queue.take()).toBe('a');
    await queue.offer('c');
    await queue.offer('d');
    expect([await queue.take(), await queue.take(), await queue.take()]).toEqual(['b', 'c', 'd']);
    expect(queue.size).toBe(0);
  });

  it('makes offers wait for room when full, and lets them in in order', async () => {
    const queue = new MemoryQueue<number>(1);
    await queue.offer(1);
    const admitted: number[] = [];
    const second = queue.offer(2).then(() => admitted.push(2));
    const third = queue.offer(3).then(() => admitted.push(3));
    await tick();
    expect(admitted).toEqual([]);
    expect(await queue.take()).toBe(1);
    await second;
    expect(admitted).toEqual([2]);
    expect(await queue.take()).toBe(2);
    await third;
    expect(await queue.take()).toBe(3);
  });

  it('gives a waiting consumer the next offer', async () => {
    const queue = new MemoryQueue<string>(1);
    const taken = queue.take();
    await queue.offer('x');
    expect(await taken).toBe('x');
    expect(queue.size).toBe(0);
  });

  it('once closed, refuses offers but still hands out what it held and what waited for room', async () => {
    const queue = new MemoryQueue<string>(1);
    await queue.offer('held');
    const waiting = queue.offer('waiting');
    queue.close();
    await expect(queue.offer('late')).rejects.toThrow(/closed/);
    expect(await queue.take()).toBe('held');
    await waiting;
    expect(await queue.take()).toBe('waiting');
    expect(await queue.take()).toBeUndefined();
  });

  it('ends idle consumers when closed empty', async () => {
    const queue = new MemoryQueue<string>(1);
    const taken = queue.take();
    queue.close();
    expect(await taken).toBeUndefined();
  });

  it('on abort forgets what it held, rejects waiting offers and ends consumers', async () => {
    const queue = new MemoryQueue<string>(1);
    await queue.offer('held');
    const waiting = queue.offer('waiting');
    const reason = new Error('deadline');
    queue.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(queue.size).toBe(0);
    expect(await queue.take()).toBeUndefined();
  });
});
