import type { FastifyInstance } from 'fastify';
import { INVALID_UTF8_CODE } from '../plugins/errors.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** JSON must be valid UTF-8: a malformed sequence is refused (400), never stored as U+FFFD. For the plugin it is called in. */
export function useStrictJson(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      return done(Object.assign(new Error('invalid UTF-8'), { statusCode: 400, code: INVALID_UTF8_CODE }), undefined);
    }
    return parseJson(req, text, done);
  });
}
