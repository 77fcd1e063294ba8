import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios, loginNumber } from '../../src/demo/scenarios.js';
import { actorKindLabels } from '../../src/domain/actors.js';
import { eventContract, eventsFor } from '../../src/domain/events.js';
import { statusCodes, statuses } from '../../src/domain/statuses.js';
import { eventSchemas } from '../../src/web/api/schemas.js';
import { availableDecisions, decisionKeys, decisions } from '../../src/web/staff/decisions.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * The event contract (who may post an event, from which statuses) is the domain's table of
 * events; the API's documentation and the staff UI's decisions are built from it, so a rule that
 * changes there changes them too.
 */
describe('the event contract, once: the API schemas and the staff decisions follow the domain', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('each event schema names exactly the actors and statuses of the domain table', () => {
    for (const [type, schema] of Object.entries(eventSchemas)) {
      const contract = eventContract(type as keyof typeof eventSchemas);
      const description = String((schema as { description?: string }).description);
      const who = description.slice(0, description.indexOf('が送れる。'));
      expect(who.split(': ')[1]?.split('・').sort(), type).toEqual(contract.actors.map((k) => actorKindLabels[k]).sort());
      const from = /申請状況が (.+) のとき。/.exec(description)?.[1]?.split('・');
      expect(from, type).toEqual(contract.from.map((s) => statuses[s].label));
    }
  });

  it('the staff UI words every event an office may post, and only those', () => {
    expect(decisionKeys.map((k) => decisions[k].event).sort()).toEqual([...eventsFor('inspectionOffice')].sort());
  });

  it('the decisions offered on each demo application are the office events its status allows', async () => {
    for (const status of statusCodes) {
      const officeEvents = eventsFor('inspectionOffice').filter((e) => eventContract(e).from.includes(status));
      expect(officeEvents.every((e) => decisionKeys.some((k) => decisions[k].event === e))).toBe(true);
    }
    for (const s of demoScenarios) {
      const read = await t.services.agency.read({ kind: 'paymentNetwork', id: 'test', label: 'test' }, loginNumber(s));
      if (!read.ok) throw new Error(s.key);
      const app = read.value.application;
      const expected = eventsFor('inspectionOffice').filter(
        (e) => eventContract(e).from.includes(app.status) && (e !== 'markAttachmentNotRequired' || app.attachments.some((a) => a.state === 'notAcquired')),
      );
      expect(availableDecisions(app).map((k) => decisions[k].event).sort(), app.status).toEqual(expected.sort());
    }
  });
});
