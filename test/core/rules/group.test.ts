import { describe, expect, it } from 'vitest';
import { isStaleNaN, MemoryStorage } from '../../../core/promql/index.js';
import { type GroupEvaluation, GroupEvaluator } from '../../../core/rules/index.js';
import { groupsOf } from './helpers.js';

const MIN = 60_000;

/** A group evaluator over `rules` (a rule file's `rules:` list) with a 1m interval. */
function evaluator(
  rules: string,
  options: { groupExtra?: string; resendDelayMs?: number; maxResolvedAlerts?: number } = {},
) {
  const [group] = groupsOf(
    `groups:\n  - name: g\n    interval: 1m\n${options.groupExtra ?? ''}    rules:\n${rules}`,
  );
  const storage = new MemoryStorage();
  const rules_ = new GroupEvaluator(group as NonNullable<typeof group>, {
    storage,
    externalLabels: { cluster: 'eu1' },
    externalUrl: 'http://prom.example:9090',
    resendDelayMs: options.resendDelayMs ?? MIN,
    maxResolvedAlerts: options.maxResolvedAlerts,
  });
  return { storage, rules: rules_ };
}

const alertState = (e: GroupEvaluation) => e.alerts.map((a) => `${a.labels.instance}:${a.state}`).sort();
const sent = (e: GroupEvaluation) => e.notifications.map((n) => `${n.labels.instance}:${n.state}`);

describe('the alert state machine', () => {
  const rule = `      - alert: Down
        expr: up == 0
        for: 2m
        labels: { severity: page }
        annotations: { summary: "{{ $labels.instance }} down, value {{ $value }}" }
`;

  it('is pending, then fires after for, is sent every resend delay, then resolves once', () => {
    const { storage, rules } = evaluator(rule);
    for (let m = 0; m <= 12; m++)
      storage.append({ __name__: 'up', instance: 'a' }, m * MIN, m >= 1 && m <= 6 ? 0 : 1);
    const at = (m: number) => rules.evaluate(m * MIN);
    expect(alertState(at(0))).toEqual([]);
    const first = at(1);
    expect(alertState(first)).toEqual(['a:pending']);
    expect(first.samples.map((s) => [s.labels.__name__, s.labels.alertstate, s.v])).toEqual([
      ['ALERTS', 'pending', 1],
      ['ALERTS_FOR_STATE', undefined, 60],
    ]);
    expect(sent(first)).toEqual([]);
    expect(alertState(at(2))).toEqual(['a:pending']);
    const firing = at(3);
    expect(alertState(firing)).toEqual(['a:firing']);
    expect(firing.notifications).toEqual([
      {
        name: 'Down',
        state: 'firing',
        labels: { alertname: 'Down', cluster: 'eu1', instance: 'a', severity: 'page' },
        annotations: { summary: 'a down, value 0' },
        startsAt: 3 * MIN,
        endsAt: 3 * MIN + 4 * MIN,
        generatorUrl: 'http://prom.example:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1',
        value: 0,
      },
    ]);
    // The pending series goes stale when the alert fires: a new series (alertstate="firing") takes over.
    const stale = firing.samples.find((s) => s.labels.alertstate === 'pending');
    expect(stale && isStaleNaN(stale.v)).toBe(true);
    // Resent when more than resend_delay has passed since the last send (strictly, as Prometheus).
    expect(sent(at(4))).toEqual([]);
    expect(sent(at(5))).toEqual(['a:firing']);
    expect(sent(at(6))).toEqual([]);
    const resolved = at(7);
    expect(alertState(resolved)).toEqual([]);
    expect(resolved.notifications).toEqual([
      expect.objectContaining({ state: 'resolved', startsAt: 3 * MIN, endsAt: 7 * MIN }),
    ]);
    expect(resolved.samples.every((s) => isStaleNaN(s.v))).toBe(true);
    // Resolved notices are repeated every resend delay while the alert is kept (15 minutes).
    expect(sent(at(8))).toEqual([]);
    expect(sent(at(9))).toEqual(['a:resolved']);
  });

  it('forgets an alert that stops while pending, without a notice', () => {
    const { storage, rules } = evaluator(rule);
    storage.append({ __name__: 'up', instance: 'a' }, 0, 0);
    storage.append({ __name__: 'up', instance: 'a' }, MIN, 1);
    expect(alertState(rules.evaluate(0))).toEqual(['a:pending']);
    const after = rules.evaluate(MIN);
    expect(after.alerts).toEqual([]);
    expect(after.notifications).toEqual([]);
  });

  it('keeps firing for keep_firing_for after the condition clears', () => {
    const { storage, rules } = evaluator(`      - alert: Down
        expr: up == 0
        keep_firing_for: 2m
`);
    for (let m = 0; m <= 6; m++) storage.append({ __name__: 'up', instance: 'a' }, m * MIN, m === 0 ? 0 : 1);
    expect(alertState(rules.evaluate(0))).toEqual(['a:firing']);
    expect(alertState(rules.evaluate(MIN))).toEqual(['a:firing']);
    expect(rules.evaluate(MIN).alerts[0]?.keepFiringSince).toBe(MIN);
    expect(alertState(rules.evaluate(2 * MIN))).toEqual(['a:firing']);
    const over = rules.evaluate(3 * MIN);
    expect(alertState(over)).toEqual([]);
    expect(sent(over)).toEqual(['a:resolved']);
  });

  it('fails the rule when more alerts than the group limit are active, and forgets them', () => {
    const { storage, rules } = evaluator(rule, { groupExtra: '    limit: 1\n' });
    storage.append({ __name__: 'up', instance: 'a' }, 0, 0);
    storage.append({ __name__: 'up', instance: 'b' }, 0, 0);
    const result = rules.evaluate(0);
    expect(result.rules[0]).toMatchObject({ health: 'err', error: 'exceeded limit of 1 with 2 alerts' });
    expect(result.alerts).toEqual([]);
    expect(result.samples).toEqual([]);
  });

  it('fails the rule when two alerts end up with the same labels', () => {
    const { storage, rules } = evaluator(`      - alert: Same
        expr: up == 0
        labels: { instance: fixed }
`);
    storage.append({ __name__: 'up', instance: 'a' }, 0, 0);
    storage.append({ __name__: 'up', instance: 'b' }, 0, 0);
    expect(rules.evaluate(0).rules[0]).toMatchObject({
      health: 'err',
      error: 'vector contains metrics with the same labelset after applying alert labels',
    });
  });

  it('expands templates per alert, query included, with $externalLabels and humanize', () => {
    const { storage, rules } = evaluator(`      - alert: Errors
        expr: errors > 0.05
        labels: { severity: "{{ if gt $value 0.5 }}page{{ else }}ticket{{ end }}" }
        annotations:
          summary: "{{ $labels.instance }}: {{ $value | humanizePercentage }} in {{ $externalLabels.cluster }}"
          total: "{{ with query \\"sum(errors)\\" }}{{ . | first | value | humanize }}{{ end }}"
`);
    storage.append({ __name__: 'errors', instance: 'a' }, 0, 0.9);
    storage.append({ __name__: 'errors', instance: 'b' }, 0, 0.125);
    const alerts = rules.evaluate(0).alerts;
    expect(
      alerts.map((a) => [a.labels.instance, a.labels.severity, a.annotations.summary, a.annotations.total]),
    ).toEqual(
      expect.arrayContaining([
        ['a', 'page', 'a: 90% in eu1', '1.025'],
        ['b', 'ticket', 'b: 12.5% in eu1', '1.025'],
      ]),
    );
  });
  it('keeps at most maxResolvedAlerts resolved alerts a rule, forgetting the longest resolved first', () => {
    // A label made from the value gives a new alert at every evaluation, and resolves the last one.
    const { storage, rules } = evaluator(
      `      - alert: Churn
        expr: load > 0
        labels: { at: "{{ $value }}" }
`,
      { maxResolvedAlerts: 2 },
    );
    for (let m = 0; m <= 5; m++) storage.append({ __name__: 'load' }, m * MIN, m + 1);
    for (let m = 0; m <= 5; m++) rules.evaluate(m * MIN);
    // Five resolved (values 1 to 5), two kept: 1, 2 and 3 forgotten.
    expect(rules.forgottenResolvedAlerts).toBe(3);
    // Only the two kept are resent resolved (every resend delay): 4, then 5.
    const resolvedNotices = [6, 7].flatMap((m) =>
      rules
        .evaluate(m * MIN)
        .notifications.filter((n) => n.state === 'resolved')
        .map((n) => n.labels.at),
    );
    expect(resolvedNotices).toEqual(['4', '5']);
  });

  it('lets templates read __name__ and drops a label whose template expands to nothing, as Prometheus', () => {
    const { storage, rules } = evaluator(`      - alert: Down
        expr: up == 0
        labels:
          metric: "{{ $labels.__name__ }}"
          team: "{{ $labels.team }}"
`);
    storage.append({ __name__: 'up', instance: 'a' }, 0, 0);
    expect(rules.evaluate(0).alerts[0]?.labels).toEqual({ alertname: 'Down', instance: 'a', metric: 'up' });
  });
});

describe('recording rules', () => {
  it('rename and label their outputs, which later rules in the group see at once', () => {
    const { storage, rules } = evaluator(`      - record: job:errors:sum
        expr: sum by (job) (errors)
        labels: { source: rules }
      - alert: JobErrors
        expr: job:errors:sum > 1
`);
    storage.append({ __name__: 'errors', job: 'api', instance: 'a' }, 0, 1);
    storage.append({ __name__: 'errors', job: 'api', instance: 'b' }, 0, 2);
    const result = rules.evaluate(0);
    expect(result.samples[0]).toEqual({
      labels: { __name__: 'job:errors:sum', job: 'api', source: 'rules' },
      t: 0,
      v: 3,
    });
    expect(result.alerts.map((a) => a.labels)).toEqual([
      { alertname: 'JobErrors', job: 'api', source: 'rules' },
    ]);
    expect([...storage.select([{ name: '__name__', op: '=', value: 'job:errors:sum' }], 0, 0)]).toHaveLength(
      1,
    );
  });

  it('mark an output stale when it goes away', () => {
    const { storage, rules } = evaluator(`      - record: r
        expr: errors > 1
`);
    storage.append({ __name__: 'errors', instance: 'a' }, 0, 5);
    storage.append({ __name__: 'errors', instance: 'a' }, MIN, 0);
    expect(rules.evaluate(0).samples.map((s) => s.v)).toEqual([5]);
    const [marker] = rules.evaluate(MIN).samples;
    expect(marker?.labels).toEqual({ __name__: 'r', instance: 'a' });
    expect(marker && isStaleNaN(marker.v)).toBe(true);
  });

  it('read data query_offset earlier and stamp outputs at that time', () => {
    const { storage, rules } = evaluator(
      `      - record: r
        expr: errors
`,
      { groupExtra: '    query_offset: 1m\n' },
    );
    storage.append({ __name__: 'errors' }, 0, 1);
    storage.append({ __name__: 'errors' }, MIN, 2);
    expect(rules.evaluate(MIN).samples).toEqual([{ labels: { __name__: 'r' }, t: 0, v: 1 }]);
  });

  it('a failing rule does not stop the ones after it', () => {
    const { storage, rules } = evaluator(`      - record: r
        expr: errors
        labels: { instance: same }
      - record: ok
        expr: vector(1)
`);
    storage.append({ __name__: 'errors', instance: 'a' }, 0, 1);
    storage.append({ __name__: 'errors', instance: 'b' }, 0, 1);
    const result = rules.evaluate(0);
    expect(result.rules.map((r) => r.health)).toEqual(['err', 'ok']);
    expect(result.rules[0]?.error).toBe(
      'vector contains metrics with the same labelset after applying rule labels',
    );
    expect(result.samples).toEqual([{ labels: { __name__: 'ok' }, t: 0, v: 1 }]);
  });
});

describe('an evaluation in turns', () => {
  const rules = `      - record: a
        expr: up
      - alert: Down
        expr: up == 0
        for: 1m
`;

  it('gives what an evaluation in one go gives', async () => {
    const inOneGo = evaluator(rules);
    const inTurns = evaluator(rules);
    for (const { storage } of [inOneGo, inTurns])
      for (let m = 0; m <= 3; m++) storage.append({ __name__: 'up', instance: 'a' }, m * MIN, m >= 1 ? 0 : 1);
    for (let m = 0; m <= 3; m++) {
      const expected = inOneGo.rules.evaluate(m * MIN);
      const got = await inTurns.rules.evaluateInTurns(m * MIN);
      expect({ ...got, rules: got.rules.map((r) => r.health) }).toEqual({
        ...expected,
        rules: expected.rules.map((r) => r.health),
      });
    }
  });

  it('lets the event loop run between rules, and runs of one group one after the other', async () => {
    const { storage, rules: group } = evaluator(rules);
    storage.append({ __name__: 'up', instance: 'a' }, 0, 0);
    const happened: string[] = [];
    const select = storage.select.bind(storage);
    storage.select = (matchers, minT, maxT) => {
      happened.push(`select ${matchers.map((m) => m.value).join()} at ${maxT}`);
      return select(matchers, minT, maxT);
    };
    const runs = [group.evaluateInTurns(0), group.evaluateInTurns(MIN)];
    setImmediate(() => happened.push('another task'));
    await Promise.all(runs);
    expect(happened).toEqual([
      'select up at 0',
      'another task',
      'select up at 0',
      'select up at 60000',
      'select up at 60000',
    ]);
  });
});
