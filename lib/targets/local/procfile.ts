/** The `web:` command of a Procfile, or null when there is none. */
export function webCommand(procfile: string): string | null {
  for (const raw of procfile.split(/\r?\n/)) {
    const m = /^\s*web\s*:\s*(.+?)\s*$/.exec(raw);
    if (m?.[1]) return m[1];
  }
  return null;
}
