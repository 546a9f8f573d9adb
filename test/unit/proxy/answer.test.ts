import { CacheStatus, decodeAnswer, encodeAnswer, isCacheable } from '../../../lib/proxy/answer.js';

describe('stored answers', () => {
  it('round-trip status, content type and a body with newlines', () => {
    const answer = { status: 200, contentType: 'application/json; charset=utf-8', body: '{"a":\n"b c"}\n' };
    expect(decodeAnswer(encodeAnswer(answer))).toEqual(answer);
    expect(decodeAnswer(encodeAnswer({ ...answer, body: '' }))).toEqual({ ...answer, body: '' });
  });

  it('read anything else as no answer (a miss), never as an error', () => {
    for (const raw of [
      '',
      '{"s":200}',
      '200 application/json',
      'abc text/plain\n{}',
      '999 x\n{}',
      '600 x\n{}',
      '099 x\n{}',
      '20 x\n{}',
      '2000 x\n{}',
      '200x\n{}',
      '2a0 x\n{}',
      '200\n{}',
    ]) {
      expect(decodeAnswer(raw)).toBeNull();
    }
  });

  it('decode straight into the answer the proxy gives, with its cache status', () => {
    expect(decodeAnswer('204 \n', CacheStatus.Hit)).toEqual({ status: 204, contentType: '', body: '', cache: CacheStatus.Hit });
    expect(decodeAnswer('503 text/plain\nbusy', CacheStatus.Hit)).toEqual({
      status: 503,
      contentType: 'text/plain',
      body: 'busy',
      cache: CacheStatus.Hit,
    });
    expect(decodeAnswer('oops', CacheStatus.Hit)).toBeNull();
  });

  it('only 2xx answers are cacheable', () => {
    const at = (status: number) => isCacheable({ status, contentType: 'application/json', body: '' });
    expect([200, 204, 299].map(at)).toEqual([true, true, true]);
    expect([301, 400, 404, 429, 500, 502].map(at)).toEqual([false, false, false, false, false, false]);
  });
});
