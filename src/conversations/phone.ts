/** "+55 (11) 98888-0001" → "5511988880001". */
export function digitsOf(phone: string): string {
  return phone.replace(/\D/g, "");
}

/**
 * Whether two numbers are the same WhatsApp account. Compares digits, and treats a
 * Brazilian mobile with and without its ninth digit as one: Meta's `wa_id` for many
 * Brazilian numbers omits it ("551188880001" for "+55 11 98888-0001").
 */
export function sameWhatsAppNumber(a: string, b: string): boolean {
  const x = canonicalBrazilian(digitsOf(a));
  const y = canonicalBrazilian(digitsOf(b));
  return x.length > 0 && x === y;
}

function canonicalBrazilian(digits: string): string {
  // 55 + 2-digit area code + 8-digit mobile starting 6-9: the ninth digit was left out.
  if (digits.length === 12 && digits.startsWith("55") && /[6-9]/.test(digits[4]!)) return `${digits.slice(0, 4)}9${digits.slice(4)}`;
  return digits;
}
