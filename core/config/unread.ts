import type { z } from 'zod';
import { closest } from '../errors.js';
import { Pipeline, SECTIONS, type Section, type TopLevel, TopLevelConfig } from './schema.js';

export type Parts = Pick<TopLevel, 'plugins'> & {
  service: Pick<TopLevel['service'], 'extensions' | 'pipelines'>;
};

/** What of a top level with mistakes can still be checked: the plugin list and each pipeline that reads on its own. */
export function readableParts(value: Record<string, unknown>): Parts {
  const part = <T>(schema: z.ZodType<T>, v: unknown, fallback: T): T => {
    const result = schema.safeParse(v);
    return result.success ? result.data : fallback;
  };
  const shape = TopLevelConfig.shape;
  const service = asMap(value.service);
  // A pipeline that does not read names nothing, but its id is still checked.
  const pipelines = Object.entries(asMap(service.pipelines)).map(([id, p]) => {
    const result = Pipeline.safeParse(p);
    return [id, result.success ? result.data : { receivers: [], processors: [], exporters: [] }] as const;
  });
  return {
    plugins: part(shape.plugins, value.plugins, []),
    service: {
      extensions: part(shape.service.shape.extensions, service.extensions, []),
      pipelines: Object.fromEntries(pipelines),
    },
  };
}

export const asMap = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * Definitions the check could not read: a misspelled section (`exporter:`), a component of an unknown
 * type (`batchh`), or any type when a plugin module failed to load. A pipeline naming one of these,
 * or a near miss of one, gets no second error.
 */
export class Unread {
  private readonly sections = new Set<string>();
  private readonly ids = new Map<string, string[]>();

  constructor(
    value: Record<string, unknown>,
    readonly pluginsMissing: boolean,
  ) {
    for (const key of Object.keys(value)) {
      if (key in SECTIONS) {
        if (!TopLevelConfig.shape[key as Section].safeParse(value[key]).success) this.sections.add(key);
      } else if (!(key in TopLevelConfig.shape)) {
        const section = closest(key, Object.keys(SECTIONS));
        if (section) this.sections.add(section);
      }
    }
  }

  add(section: Section, id: string): void {
    this.ids.set(section, [...(this.ids.get(section) ?? []), id]);
  }

  mayDefine(sections: readonly Section[], id: string): boolean {
    return sections.some((s) => {
      const ids = this.ids.get(s) ?? [];
      return this.sections.has(s) || ids.includes(id) || closest(id, ids) !== undefined;
    });
  }
}
