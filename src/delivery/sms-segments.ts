/**
 * How many SMS segments a text takes (3GPP TS 23.038 / 23.040). A text wholly in the
 * GSM 03.38 default alphabet is sent as GSM-7: 160 septets in one segment, 153 per
 * segment once split (the user data header takes 7); characters of the extension table
 * (€ [ ] { } \ ~ ^ |) take two septets and are never split across segments. Any other
 * character switches the whole text to UCS-2: 70 UTF-16 code units in one segment, 67
 * each when split, a surrogate pair never split. Carriers bill per segment.
 */
export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SmsSegments {
  encoding: SmsEncoding;
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
}

const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "\f^{}\\[~]|€";
const basic = new Set(GSM_BASIC);
const extended = new Set(GSM_EXTENDED);

export function smsSegments(text: string): SmsSegments {
  const chars = [...text];
  if (chars.every((c) => basic.has(c) || extended.has(c))) {
    const widths = chars.map((c) => (extended.has(c) ? 2 : 1));
    return { encoding: "GSM-7", ...count(widths, 160, 153) };
  }
  // UTF-16 code units: a character outside the BMP (emoji) takes a surrogate pair.
  return { encoding: "UCS-2", ...count(chars.map((c) => c.length), 70, 67) };
}

/** Packs characters of the given widths into segments without splitting one. */
function count(widths: number[], single: number, perPart: number): { segments: number; units: number } {
  const units = widths.reduce((a, b) => a + b, 0);
  if (units <= single) return { segments: 1, units };
  let segments = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > perPart) {
      segments += 1;
      used = 0;
    }
    used += width;
  }
  return { segments, units };
}
