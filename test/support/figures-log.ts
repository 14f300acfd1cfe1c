/** Timing figures a test measured, for its log (the machine is shared: figures, not tight asserts). */
export function logFigures(what: string, figures: Readonly<Record<string, number | string>>): void {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
  console.log(`${what}: ${text}`);
}
