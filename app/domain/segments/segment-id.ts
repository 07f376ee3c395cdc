// A segment's id as it appears in a URL (/app/segments/<id>). Segment.id is a 32-bit integer on both
// databases (Prisma's Int); anything else names no segment and is a 404, never a query: Prisma refuses
// an id past 2^31 - 1 with an error, and Number() reads "1e3", "0x10" and " 7" as numbers.

export const MAX_SEGMENT_ID = 2_147_483_647;

export function isSegmentId(id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= MAX_SEGMENT_ID;
}

/** "42" -> 42; "042", "-1", "1e3", "99999999999999999999", undefined -> null. */
export function parseSegmentId(text: string | undefined): number | null {
  if (text === undefined || !/^[1-9][0-9]{0,9}$/.test(text)) return null;
  const id = Number(text);
  return isSegmentId(id) ? id : null;
}
