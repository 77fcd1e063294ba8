import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencyEventTypes } from '../../../src/services/agency-input.js';
import { SWAGGER_UI_STYLE_HASH } from '../../../src/web/api/index.js';
import { createTestApp, type TestApp } from '../../support/app.js';

describe('OpenAPI document and browsable docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('/api/openapi.json describes the agency API and the 一括申請 API, each with its bearer token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const doc = JSON.parse(res.body);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/account/applications',
      '/api/v1/account/applications/query',
      '/api/v1/account/applications/template.csv',
      '/api/v1/account/changes',
      '/api/v1/account/me',
      '/api/v1/account/webhooks',
      '/api/v1/account/webhooks/{id}',
      '/api/v1/account/webhooks/{id}/enable',
      '/api/v1/account/webhooks/{id}/rotate',
      '/api/v1/applications',
      '/api/v1/applications/{number}',
      '/api/v1/applications/{number}/events',
      '/api/v1/me',
      '/api/v1/payments',
    ]);
    expect(doc.paths['/api/v1/account/changes'].get.security).toEqual([{ accountToken: [] }]);
    expect(doc.paths['/api/v1/account/applications/template.csv'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/account/applications/query'].post.requestBody.content['application/json'].schema.properties.numbers.examples).toEqual([['2112 2310 5000 30459', '2112-2310-5000-30460']]);
    expect(Object.keys(doc.paths['/api/v1/account/changes'].get.responses).sort()).toEqual(['200', '400', '401', '403', '429']);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    const events = doc.paths['/api/v1/applications/{number}/events'].post;
    expect(Object.keys(events.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413', '415', '422']);
  });

  it('documents one body schema for every event an agency may post (and only those)', async () => {
    const doc = JSON.parse((await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).body);
    const body = doc.paths['/api/v1/applications/{number}/events'].post.requestBody.content['application/json'].schema;
    const types = (body.anyOf as { properties: { type: { enum: string[] } } }[]).map((s) => s.properties.type.enum[0]).sort();
    expect(types).toEqual([...agencyEventTypes].sort());
  });

  it('/api/docs serves Swagger UI under the strict CSP, allowing only its one inline style by hash', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<div id="swagger-ui"></div>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain(`style-src 'self' '${SWAGGER_UI_STYLE_HASH}'`);
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const init = await t.app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' });
    expect(init.statusCode).toBe(200);
    expect(init.headers['content-type']).toBe('application/javascript; charset=utf-8');
  });

  it('every other page keeps the strict style-src', async () => {
    for (const url of ['/', '/inquiry/login', '/staff/login', '/api/openapi.json']) {
      const res = await t.app.inject({ method: 'GET', url });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("style-src 'self';");
      expect(csp, url).not.toContain(SWAGGER_UI_STYLE_HASH);
    }
  });
});
