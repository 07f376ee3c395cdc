// Polaris's DataTable scrolls sideways on a narrow screen inside a region a keyboard cannot reach
// (axe-core: scrollable-region-focusable). This wrapper makes that region focusable and names it, so a
// keyboard user can scroll it with the arrow keys; everything else is DataTable's.
import { DataTable, type DataTableProps } from "@shopify/polaris";
import { useEffect, useRef } from "react";

export function ScrollableTable({ label, ...props }: DataTableProps & { label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const region = ref.current?.querySelector<HTMLElement>(".Polaris-DataTable__ScrollContainer");
    if (!region) return;
    region.tabIndex = 0;
    region.setAttribute("role", "region");
    region.setAttribute("aria-label", label);
  });
  return (
    <div ref={ref}>
      <DataTable {...props} />
    </div>
  );
}
