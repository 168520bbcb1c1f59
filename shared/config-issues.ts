/** Turns schema issues of an environment into one message that names each variable. */
import * as v from 'valibot';

export function describeEnvIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const issue of issues) {
    const name = v.getDotPath(issue) ?? '?';
    if (seen.has(name)) continue;
    seen.add(name);
    problems.push(`${name}: ${issue.input === undefined ? 'is required' : issue.message}`);
  }
  return `invalid configuration: ${problems.join('; ')}`;
}

/** A port another program listens on, and the variable that moves ours. */
export const portInUse = (port: number, variable: string): string =>
  `${variable}: port ${port} is in use by another program; stop it, or set ${variable} to a free port (e.g. ${variable}=${port + 1})`;
