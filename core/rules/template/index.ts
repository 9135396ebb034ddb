import { executeTemplate } from './exec.js';
import { TEMPLATE_FUNCTION_NAMES, type templateFunctions } from './functions.js';
import { parseTemplate } from './parse.js';
import { GoMap, type Template } from './types.js';

export { type QuerySample, type TemplateEnv, templateFunctions } from './functions.js';
export { type Template, TemplateSyntaxError } from './types.js';

/** What Prometheus declares before an alert's label and annotation templates (rules/alerting.go). */
const ALERT_VARIABLES = ['$labels', '$externalLabels', '$externalURL', '$value'];

/** Parses an alert label or annotation template; throws TemplateSyntaxError with the offset in `text`. */
export function compileAlertTemplate(text: string): Template {
  return parseTemplate(text, TEMPLATE_FUNCTION_NAMES, ALERT_VARIABLES);
}

export interface AlertTemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalUrl: string;
  readonly value: number;
}

/**
 * Expands an alert template as Prometheus does: a failure becomes the text
 * `<error expanding template: ...>` instead of failing the rule.
 */
export function expandAlertTemplate(
  template: Template,
  name: string,
  data: AlertTemplateData,
  functions: ReturnType<typeof templateFunctions>,
): string {
  const labels = new GoMap(data.labels);
  const externalLabels = new GoMap(data.externalLabels);
  const dot = {
    goStruct: 'struct',
    fields: {
      Labels: labels,
      ExternalLabels: externalLabels,
      ExternalURL: data.externalUrl,
      Value: data.value,
    },
  };
  try {
    return executeTemplate(
      template,
      dot,
      {
        $labels: labels,
        $externalLabels: externalLabels,
        $externalURL: data.externalUrl,
        $value: data.value,
      },
      functions,
    );
  } catch (err) {
    return `<error expanding template: error executing template __alert_${name}: ${(err as Error).message}>`;
  }
}
