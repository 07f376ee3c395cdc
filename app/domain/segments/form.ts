// The segment editor's form (new and edit), checked the same way by both actions.
import { z } from "zod";

export const SegmentFormSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Give the segment a name")
    .max(120, "Keep the name under 120 characters")
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), "Use letters, digits and punctuation only"),
  query: z.string().trim().min(1, "Write the query that selects the customers"),
});

export type SegmentFormErrors = { name?: string; query?: string };

/** What the editor's actions answer: where to go after a save, or what to fix. */
export type SegmentActionData =
  { ok: true; id: number; message: string; redirectTo: string } | { ok: false; errors: SegmentFormErrors };

export function readSegmentForm(
  fields: Record<string, unknown>,
): { ok: true; name: string; query: string } | { ok: false; errors: SegmentFormErrors } {
  const parsed = SegmentFormSchema.safeParse(fields);
  if (parsed.success) return { ok: true, ...parsed.data };
  const errors: SegmentFormErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0];
    if ((field === "name" || field === "query") && errors[field] === undefined) errors[field] = issue.message;
  }
  return { ok: false, errors };
}
