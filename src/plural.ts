// Counted nouns in every text a user reads: "1 certificate", "2 certificates" — never "1 certificates" nor "certificate(s)".

/** "1 check", "2 checks"; `many` for irregular plurals ("1 root CA", "2 root CAs" is the default rule). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** When something ends, `days` whole days from now: "in 3 days", "in 1 day", and "within a day" for less than one (never "in 0 days"). */
export function inDays(days: number): string {
  return days < 1 ? 'within a day' : `in ${plural(days, 'day')}`;
}
