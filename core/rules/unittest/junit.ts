import type { TestFileResult } from './run-file.js';

/**
 * The results as JUnit XML, in promtool's layout (`--junit`): a testsuite per file, a testcase per
 * test group with a failure per error; a file that could not be run has one error.
 */
export function junitXml(results: readonly TestFileResult[], timestamp: string): string {
  const suites = results.map((r) => {
    const cases = r.groups.map(
      (g) =>
        `<testcase name="${xmlEscape(g.name)}">${g.errors.map((e) => `<failure>${xmlEscape(e)}</failure>`).join('')}</testcase>`,
    );
    if (r.aborted !== undefined)
      cases.push(`<testcase name="unknown"><error>${xmlEscape(r.aborted)}</error></testcase>`);
    const failures = r.groups.reduce((n, g) => n + g.errors.length, 0);
    const attributes = `name="${xmlEscape(r.file)}" tests="${cases.length}" failures="${failures}" errors="${r.aborted === undefined ? 0 : 1}" skipped="0" timestamp="${timestamp}"`;
    return `<testsuite ${attributes}>${cases.join('')}</testsuite>`;
  });
  return `<testsuites>${suites.join('')}</testsuites>`;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
  '\n': '&#xA;',
  '\r': '&#xD;',
  '\t': '&#x9;',
};

/** XML text and attribute escaping, as Go's encoding/xml writes it. */
function xmlEscape(text: string): string {
  return text.replace(/[&<>"'\n\r\t]/g, (c) => ESCAPES[c] as string);
}
