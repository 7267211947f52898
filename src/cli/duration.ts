// Go's duration syntax, as upstream's flags take it ("24h", "30m", "1h30m", "0").

/** Seconds in a duration like 24h, 30m, 1h30m or 90s; "0" is zero. */
export function parseDuration(text: string, flag: string): number {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) throw new Error(`${flag}: "${text}" is not a duration like 24h, 30m or 1h30m`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (unit === 'h' ? 3600 : unit === 'm' ? 60 : 1), 0);
}
