import type { Labels, Sample } from '../promql/types.js';
import type { Alert, AlertNotification, RuleGroup, RuleHealth, RuleStorage } from './types.js';

export interface GroupEvaluatorOptions {
  /** Samples are read from and rule outputs appended to it. */
  storage: RuleStorage;
  /** The interval when the group sets none (the evaluation_interval). Default 1m as Prometheus's global default. */
  intervalMs?: number;
  /** The query offset when the group sets none. Default 0. */
  queryOffsetMs?: number;
  externalLabels?: Labels;
  /** Prometheus's --web.external-url: the base of generator URLs and $externalURL. */
  externalUrl?: string;
  /** How often a firing alert is sent again. Default 1m. */
  resendDelayMs?: number;
}

export interface GroupEvaluation {
  readonly t: number;
  readonly samples: readonly Sample[];
  readonly notifications: readonly AlertNotification[];
  readonly alerts: readonly Alert[];
  readonly rules: readonly RuleHealth[];
}

/** Evaluates one rule group at successive times, holding its alerts' state between evaluations. */
export class GroupEvaluator {
  readonly intervalMs: number;

  constructor(
    readonly group: RuleGroup,
    readonly options: GroupEvaluatorOptions,
  ) {
    this.intervalMs = group.intervalMs ?? options.intervalMs ?? 60_000;
  }

  evaluate(_t: number): GroupEvaluation {
    throw new Error('not implemented yet');
  }
}
