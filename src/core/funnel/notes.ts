/** "1 won deal", "12 won deals": counts in notes read as sentences. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
