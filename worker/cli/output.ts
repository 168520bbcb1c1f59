/** What a command prints: JSON with --json, otherwise `name: value` lines a person can read. */
export class CliError extends Error {}

export function render(value: unknown, json: boolean): string {
  if (json) return JSON.stringify(value, null, 2);
  if (Array.isArray(value)) return value.map((v) => render(v, false)).join('\n\n') || '(none)';
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join('\n');
  }
  return String(value);
}
