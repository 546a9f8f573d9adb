import { decodeAnswer, encodeAnswer, isCacheable } from '../../../lib/proxy/answer.js';

describe('stored answers', () => {
  it('round-trip status, content type and a body with newlines', () => {
    const answer = { status: 200, contentType: 'application/json; charset=utf-8', body: '{"a":\n"b c"}\n' };
    expect(decodeAnswer(encodeAnswer(answer))).toEqual(answer);
    expect(decodeAnswer(encodeAnswer({ ...answer, body: '' }))).toEqual({ ...answer, body: '' });
  });

  it('read anything else as no answer (a miss), never as an error', () => {
    for (const raw of ['', '{"s":200}', '200 application/json', 'abc text/plain\n{}', '999 x\n{}']) {
      expect(decodeAnswer(raw)).toBeNull();
    }
  });

  it('only 2xx answers are cacheable', () => {
    const at = (status: number) => isCacheable({ status, contentType: 'application/json', body: '' });
    expect([200, 204, 299].map(at)).toEqual([true, true, true]);
    expect([301, 400, 404, 429, 500, 502].map(at)).toEqual([false, false, false, false, false, false]);
  });
});
